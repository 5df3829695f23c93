import type { Clock } from '../clock';
import type { RelayConfig } from '../config';
import type { RelayDb } from '../db';
import type { SmtpEnv } from '../delivery/smtp-options';
import type { AcceptedMessage } from '../delivery/worker';
import type { Logger } from '../log';
import type { MicrosoftTokens } from '../oauth/tokens';
import type { Allowlist, Lookup } from '../security/egress';
import type { SecretBox } from '../security/secrets';
import type { GroupCommit } from '../store/group-commit';

/** What the /v1 routes need; built once by relay.ts. */
export interface RouteDeps {
  db: RelayDb;
  /** Durable writes on the hot path (message inserts) go through group commit. */
  commits: GroupCommit;
  clock: Clock;
  config: RelayConfig;
  box: SecretBox;
  allow: Allowlist;
  lookup: Lookup;
  smtp: SmtpEnv;
  /** The process's logger. Handlers log through `c.get('log')`, the same logger stamped with the request's id. */
  logger: Logger;
  /** Office 365 modern authentication: code redemption and access tokens for OAuth channels. */
  oauth: MicrosoftTokens;
  /**
   * Wakes the delivery worker: mail was queued on `channelId`, due at `at` (epoch ms).
   * `accepted` hands over the new message's content so the worker need not read it back.
   */
  notify(channelId?: string, at?: number, accepted?: AcceptedMessage): void;
  /** Drops a channel's pooled connections (credentials changed, channel deleted). */
  invalidateChannel(id: string): void;
}
