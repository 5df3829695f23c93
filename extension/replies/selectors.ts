/**
 * Where replies show up in each webmail: message-list rows and the messages
 * of an opened conversation. Like the compose selectors, prefer attributes
 * (email=, title=, data-*) over generated class names, with a fallback for
 * each variant; every selector is exercised against a fixture in
 * test/fixtures/<webmail>/inbox.html.
 */
export const GMAIL_REPLIES = {
  /** Conversation rows of the message list. */
  row: 'tr.zA, [role="main"] table[role="grid"] tr[role="row"]',
  /** Gmail marks unread rows with this class (read ones carry yO). */
  unreadClass: 'zE',
  /** Senders of a conversation row (the "From" column names everyone who wrote in it, "me" included). */
  rowSenders: '.yW [email], .yX [email], .afn [email]',
  /** The newest message of the row; its hex id starts with the arrival time in milliseconds. */
  rowLastMessage: '[data-legacy-last-message-id]',
  /** The row's date cell: the full date and time in its title. */
  rowDate: '.xW [title], td.xW span[title]',
  /** One message of an opened conversation. */
  message: '.adn[data-legacy-message-id], [data-legacy-message-id][data-message-id], .adn.ads',
  /** Its sender (name= and email= attributes) and the other people on it. */
  messageSender: '.gD[email]',
  messagePeople: '.g2[email]',
  messageDate: '.g3[title]',
  /** List views whose rows are the rep's own mail, not replies. */
  ownFolders: /^#(sent|drafts|scheduled|outbox|spam|trash)(\/|$)/,
} as const;

export const OUTLOOK_REPLIES = {
  /** Rows of the message list (a listbox of options, one per conversation). */
  row: '[role="listbox"] [role="option"][data-convid], div[role="option"][data-convid]',
  /** People in a row or a message header carry their address in title. */
  person: '[title*="@"]',
  /** An element whose title is a date (the row's or the message's time). */
  dated: '[title]',
  /** A row's aria-label starts with this when it is unread (English and Dutch OWA). */
  unreadPrefixes: ['Unread', 'Ongelezen'],
  /** One message of the conversation in the reading pane, and its sender and time. */
  message: '[data-app-section="ConversationContainer"] [role="listitem"], [data-app-section="ConversationContainer"] [data-testid="message-item"]',
  messageSender: '[data-testid="SenderPersona"] [title*="@"], [aria-label^="From"] [title*="@"], [aria-label^="Van"] [title*="@"]',
  messagePeople: '[data-testid="RecipientWell"] [title*="@"], [aria-label^="To"] [title*="@"], [aria-label^="Aan"] [title*="@"], [aria-label^="Cc"] [title*="@"]',
  messageDate: '[data-testid="SentReceivedSavedTime"]',
  /** Folders whose rows are the rep's own mail. */
  ownFolders: /\/mail\/(?:[^/]+\/)?(sentitems|drafts|deleteditems|junkemail|outbox)(\/|$)/i,
} as const;
