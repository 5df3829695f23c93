import { parseManagedPolicy, type ManagedPolicy } from '../../shared/schemas/policy';
import { LocalSettings, type EffectiveSettings } from '../../shared/schemas/settings';
import { SendwayError } from '../../shared/messages';
import { getSecret } from './vault';

const LOCAL_KEY = 'settings';

/** Build-time defaults (WXT_* variables), for developer builds and tests. */
function buildDefaults(): ManagedPolicy {
  const env = import.meta.env;
  return parseManagedPolicy({
    relayUrl: env.WXT_RELAY_URL || undefined,
    googleClientId: env.WXT_GOOGLE_CLIENT_ID || undefined,
    googleAuthUrl: env.WXT_GOOGLE_AUTH_URL || undefined,
    gmailApiBase: env.WXT_GMAIL_API_BASE || undefined,
    microsoftClientId: env.WXT_MS_CLIENT_ID || undefined,
    microsoftTenant: env.WXT_MS_TENANT || undefined,
    microsoftAuthUrl: env.WXT_MS_AUTH_URL || undefined,
  }).policy;
}

export async function readManagedPolicy(): Promise<ManagedPolicy> {
  try {
    // Firefox without a policy, and Chromium without a managed_schema, reject here.
    return parseManagedPolicy(await browser.storage.managed.get(null)).policy;
  } catch {
    return {};
  }
}

export async function readLocalSettings(): Promise<LocalSettings> {
  const raw = (await browser.storage.local.get(LOCAL_KEY))[LOCAL_KEY];
  const parsed = LocalSettings.safeParse(raw ?? {});
  return parsed.success ? parsed.data : {};
}

export async function getEffectiveSettings(): Promise<EffectiveSettings> {
  const [managed, local] = await Promise.all([readManagedPolicy(), readLocalSettings()]);
  const defined = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return {
    values: { ...defined(buildDefaults()), ...defined(local), ...defined(managed) },
    managedKeys: Object.keys(managed),
    locked: managed.lockSettings === true,
    hasRelayToken: (await getSecret('relayToken')) !== undefined,
  };
}

/** Applies a rep's change, refusing any key the organisation set and locked. */
export async function updateLocalSettings(patch: LocalSettings): Promise<void> {
  const managed = await readManagedPolicy();
  if (managed.lockSettings) {
    for (const key of Object.keys(patch)) {
      if (key in managed) throw new SendwayError('locked', `${key} is set by your organization`, key);
    }
  }
  const next = LocalSettings.parse({ ...(await readLocalSettings()), ...patch });
  await browser.storage.local.set({ [LOCAL_KEY]: next });
}
