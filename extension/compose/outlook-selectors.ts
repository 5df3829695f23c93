/**
 * Every Outlook on the web selector Sendway uses, in one place (see
 * ../shared/notes/WEBMAIL-DOM.md). OWA's class names are generated and rotate
 * between builds, so only ids, roles, aria attributes and names are used.
 * Each variant is tested against a fixture in test/fixtures/outlook/.
 */
export const OUTLOOK = {
  /** The message editor: the starting point for finding composes. */
  body: '[contenteditable="true"][aria-label^="Message body"], [id^="editorParent_"] [contenteditable="true"][role="textbox"]',
  /** Recipient wells: role=group with an id ending in _TO/_CC/_BCC (the prefix is a per-compose id). */
  group: (suffix: 'TO' | 'CC' | 'BCC') => `[role="group"][id$="_${suffix}"]`,
  anyGroup: '[role="group"][id$="_TO"]',
  /** A resolved recipient pill: the address is its aria-label, the display name its text. */
  pill: '._EType_RECIPIENT_ENTITY, [class*="_EType_RECIPIENT_ENTITY"]',
  subject: [
    'input[aria-label="Subject"]',
    // TODO(2027-06): drop when no tenant serves the older OWA build with this subject label.
    'input[aria-label="Add a subject"]',
  ].join(', '),
  send: [
    'button[id*="primaryActionButton"]',
    'button[aria-label="Send"]',
    // TODO(2027-06): drop with the older OWA build (Send as a named button).
    'button[name="Send"]',
  ].join(', '),
  discard: 'button[aria-label="Discard"], button[name="Discard"], button[title^="Discard"]',
  /** A confirmation OWA shows after Discard on a non-empty draft; its confirm button, by label. */
  confirmDialog: '[role="dialog"], [role="alertdialog"]',
  confirmLabels: ['OK', 'Discard', 'Yes', 'Verwijderen', 'Negeren', 'Ja'],
  /** Reading pane around an inline reply. */
  readingPane: '[data-app-section="MailReadCompose"], [data-app-section="ConversationContainer"], [role="main"]',
  /** People in the conversation: persona elements carry the address in title or aria-label. */
  threadPeople: '[title*="@"], [aria-label*="@"]',
  /** Blocks of the body a template must not overwrite. */
  preserved: '#Signature, [id^="Signature"], #divRplyFwdMsg, #appendonsend, [id*="divRplyFwdMsg"]',
} as const;
