/// <reference types="vite/client" />

/** Build-time configuration (set in the environment or .env when building). Policy overrides each. */
interface ImportMetaEnv {
  readonly WXT_RELAY_URL?: string;
  readonly WXT_GOOGLE_CLIENT_ID?: string;
  readonly WXT_GOOGLE_AUTH_URL?: string;
  readonly WXT_GMAIL_API_BASE?: string;
  /** Google OAuth revoke endpoint (default https://oauth2.googleapis.com/revoke). */
  readonly WXT_GOOGLE_REVOKE_URL?: string;
  readonly WXT_MS_CLIENT_ID?: string;
  readonly WXT_MS_TENANT?: string;
  readonly WXT_MS_AUTH_URL?: string;
}
