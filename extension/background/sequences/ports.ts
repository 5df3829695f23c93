import type { ChannelView, OutgoingDraft, SendOutcome } from '../../../shared/messages/channels';
import type { Template } from '../../../shared/messages/templates';
import type { MessageStatus } from '../../../shared/schemas/relay-api';
import type { SequenceStore } from './store';

/**
 * What the sequence engine needs from the rest of the background, as small
 * interfaces: the real ones are wired in index.ts, the unit tests pass fakes
 * (a fake clock, an in-memory relay) without a browser.
 */

export interface ChannelPort {
  list(): Promise<ChannelView[]>;
  /** mail.send's path: the channel's DeliveryProvider, with the caller's idempotency keys. */
  send(channelId: string, items: { idempotencyKey: string; draft: OutgoingDraft }[], sendAt?: string): Promise<SendOutcome[]>;
}

export type CancelResult = 'cancelled' | 'too_late' | 'not_found';

export interface RelayMessageState {
  status: MessageStatus;
  sentAt?: number;
  lastError?: string;
}

/** The relay as far as sequences use it beyond sending. Methods throw when it cannot be reached. */
export interface RelayPort {
  /** A relay URL and token are configured. */
  connected(): Promise<boolean>;
  cancel(outboxId: string): Promise<CancelResult>;
  /** null when the relay does not know the message. */
  status(outboxId: string): Promise<RelayMessageState | null>;
  /** Signed one-click unsubscribe links for mail from `from`, by recipient. */
  unsubscribeLinks(from: string, addresses: string[]): Promise<Map<string, string>>;
  /** Which of these addresses unsubscribed from mail of `from`'s domain. */
  suppressed(from: string, addresses: string[]): Promise<Set<string>>;
}

/** Gmail API metadata (gmail.metadata scope, opted in by policy): did anyone else write in the thread? */
export interface GmailThreadPort {
  enabled(): Promise<boolean>;
  /** The first address other than `self` that wrote in the thread at or after `since`, or null. */
  replyAfter(threadId: string, since: number, self: string): Promise<string | null>;
}

export type SayKey =
  | 'sequences.engine.unsubscribeLabel'
  | 'sequences.engine.office365Volume'
  | 'sequences.engine.noUnsubscribe'
  | 'sequences.engine.channelUnavailable'
  | 'sequences.engine.relayUnreachable'
  | 'sequences.engine.alreadyEnrolled'
  | 'sequences.engine.unsubscribed'
  | 'sequences.engine.duplicate'
  | 'sequences.engine.unplannable'
  | 'sequences.engine.noSequence'
  | 'sequences.engine.noChannel'
  | 'sequences.engine.templateMissing'
  | 'sequences.engine.missingFields'
  | 'sequences.engine.repliedBy'
  | 'sequences.engine.repliedInThread'
  | 'sequences.engine.bounced'
  | 'sequences.engine.unsubscribedStop'
  | 'sequences.engine.mayHaveGone'
  | 'sequences.engine.noRelayForChannel';

export type Say = (key: SayKey, subs?: (string | number)[]) => string;

export interface EngineDeps {
  store: SequenceStore;
  now(): number;
  templates(): Promise<Template[]>;
  channels: ChannelPort;
  relay: RelayPort;
  gmailThread?: GmailThreadPort;
  /** Asks to be woken (tick) at this time; the latest call wins; undefined: nothing to wake for. */
  wake(at: number | undefined): void;
  say: Say;
  /** Debounce for writing enrolments back during long hand-overs (ms); 0 writes at once. */
  flushDelayMs?: number;
}
