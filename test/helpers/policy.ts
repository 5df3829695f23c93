import fs from 'node:fs';
import path from 'node:path';
import { EXTENSION_ID } from './chromium';

export const POLICY_DIR = process.env.CHROMIUM_POLICY_DIR || '/etc/chromium/policies/managed';

/** Writing Chromium's machine policy needs root; tests that need it skip, saying why, otherwise. */
export function canWritePolicy(): { ok: true } | { ok: false; reason: string } {
  if (process.getuid?.() !== 0) return { ok: false, reason: `not root: cannot write ${POLICY_DIR}` };
  return { ok: true };
}

/**
 * Writes a real Chromium policy file that configures Sendway through the
 * "3rdparty" policy, exactly as an admin would. Returns a function that
 * removes it again.
 */
export function writeExtensionPolicy(config: Record<string, unknown>, name = 'sendway-test.json', extensionId = EXTENSION_ID): () => void {
  return writePolicy({ '3rdparty': { extensions: { [extensionId]: config } } }, name);
}

/**
 * Writes any Chromium machine policy file (e.g. ExtensionInstallForcelist
 * next to "3rdparty"). Returns a function that removes it again.
 */
export function writePolicy(policy: Record<string, unknown>, name: string): () => void {
  fs.mkdirSync(POLICY_DIR, { recursive: true });
  const file = path.join(POLICY_DIR, name);
  fs.writeFileSync(file, JSON.stringify(policy, null, 2));
  return () => fs.rmSync(file, { force: true });
}
