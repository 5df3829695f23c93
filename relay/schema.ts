import type { Generated } from 'kysely';

/** Table types for Kysely. One interface per table; keep in step with migrations.ts. Times are epoch milliseconds. */
export interface MetaTable {
  key: string;
  value: string;
}

export interface TokensTable {
  id: string;
  email: string;
  admin: number;
  /** SHA-256 of the token; the token itself is never stored. */
  hash: string;
  created_at: number;
  revoked_at: number | null;
}

export interface ChannelsTable {
  id: string;
  name: string;
  provider: string;
  host: string;
  port: number;
  security: string;
  username: string;
  /** AES-256-GCM ciphertext (see security/secrets.ts); wiped when the channel is deleted. */
  password_enc: string;
  scope: string;
  /** JSON array of lower-case domains. */
  domains: string;
  owner_token_id: string;
  owner_email: string;
  /** JSON LimitSpec. */
  limits: string;
  status: string;
  /** The queue is held (e.g. provider quota spent) until this time. */
  held_until: number | null;
  held_reason: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  /** 'password' (password_enc) or 'oauth2' (oauth_grants); migration 4. */
  auth: Generated<string>;
}

export interface MessagesTable {
  id: string;
  token_id: string;
  channel_id: string;
  idempotency_key: string;
  /** SHA-256 of the request body, to tell a replay from a different message under the same key. */
  request_hash: string;
  message_id: string;
  subject: string;
  /** JSON array of the To addresses, for listings. */
  to_list: string;
  recipients: number;
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
  send_at: number | null;
  next_attempt_at: number;
  sent_at: number | null;
  updated_at: number;
  /** The relay process sending it (status "sending"), and until when its claim holds; migration 6. */
  claimed_by: Generated<string | null>;
  lease_until: Generated<number | null>;
}

export interface LedgerTable {
  id: Generated<number>;
  channel_id: string;
  message_id: string;
  at: number;
  recipients: number;
}

/** An OAuth channel's grant (migration 4). Tokens are AES-256-GCM sealed, bound to the channel id. */
export interface OAuthGrantsTable {
  channel_id: string;
  /** 'microsoft'. */
  issuer: string;
  client_id: string;
  /** The directory tenant the grant lives in (id_token `tid`). */
  tenant_id: string | null;
  /** The account (id_token `oid`): a reconnect must be the same person. */
  subject: string;
  refresh_enc: string;
  access_enc: string | null;
  access_expires_at: number | null;
  access_obtained_at: number | null;
  /** Bumped on every refresh: pooled SMTP connections are rebuilt with the new token. */
  generation: number;
  created_at: number;
  updated_at: number;
}

/** Recipients who unsubscribed from mail sent from `domain` (lower-case), migration 5; see routes/unsubscribe.ts. */
export interface SuppressionsTable {
  domain: string;
  address: string;
  /** one_click (RFC 8058 POST), link (the confirmation page) or admin. */
  source: string;
  created_at: number;
}

/** A message's content, the JSON SendMessageRequest as accepted (migration 7); deleted once the message is sent. */
export interface MessagePayloadsTable {
  message_id: string;
  payload: string;
}

export interface DB {
  meta: MetaTable;
  tokens: TokensTable;
  channels: ChannelsTable;
  messages: MessagesTable;
  message_payloads: MessagePayloadsTable;
  ledger: LedgerTable;
  oauth_grants: OAuthGrantsTable;
  suppressions: SuppressionsTable;
}
