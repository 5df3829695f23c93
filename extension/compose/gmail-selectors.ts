/**
 * Every Gmail selector Sendway uses, in one place (see
 * ../shared/notes/WEBMAIL-DOM.md). Prefer names, roles and attributes over
 * Gmail's obfuscated classes; where a class is the only handle, it is listed
 * with a stable alternative after it. Each variant is tested against a fixture
 * in test/fixtures/gmail/.
 */
export const GMAIL = {
  /** Present in every compose (hidden in inline replies): the starting point for finding composes. */
  subject: 'input[name="subjectbox"]',
  body: 'div[contenteditable="true"][g_editable="true"], div[contenteditable="true"][role="textbox"][aria-label="Message Body"]',
  /** The Send button: its aria-label is "Send ‪(Ctrl-Enter)‬" wrapped in bidi marks, so match the container. */
  send: '.gU.Up [role="button"]',
  /** Gmail's own draft id (value "undefined" until the first autosave). */
  draftId: 'input[name="draft"]',
  /** Pop-out / new-message dialog; inline replies sit inside the thread instead. */
  dialog: '[role="dialog"]',
  inlineReplyContainer: '.ip.adB, .ip.iq',
  // Recipients, current "peoplekit" UI (late 2021 on).
  recipientRow: (kind: string) => `div.anm[name="${kind}"]`,
  peoplekitChip: '[role="option"][data-hovercard-id]',
  peoplekitInput: 'input[role="combobox"]',
  // Recipients, older UI.
  // TODO(2027-06): drop when Gmail removes .vR chips (peoplekit everywhere since 2022).
  legacyChip: '.vR span[email]',
  // TODO(2027-06): drop with .vR chips; the hidden inputs and textarea carry the same addresses.
  legacyField: (kind: string) => `textarea[name="${kind}"], input[name="${kind}"]:not([type="hidden"])`,
  legacyChipName: '.vT',
  /** Draft controls: discard (trash icon) and close. */
  discard: '.oh.J-Z-I.J-J5-Ji.T-I-ax7, [role="button"][aria-label^="Discard draft"], [role="button"][data-tooltip^="Discard draft"]',
  close: 'img.Ha, [role="button"][aria-label^="Save & close"], [aria-label="Close"]',
  /** Blocks of the body a template must not overwrite. */
  preserved: '.gmail_signature, .gmail_quote, .gmail_extra, [data-smartmail="gmail_signature"]',
  /** Thread view around an inline reply: each message's sender and recipients carry email/name attributes. */
  thread: '[role="main"]',
  threadPeople: '.gD[email], .g2[email]',
  /** The bottom toolbar holding Send, after which the sidebar mounts. */
  toolbar: '.btC, .aDh',
} as const;
