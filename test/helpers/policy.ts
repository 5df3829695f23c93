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
export function writeExtensionPolicy(config: Record<string, unknown>, name = 'sendway-test.json'): () => void {
  fs.mkdirSync(POLICY_DIR, { recursive: true });
  const file = path.join(POLICY_DIR, name);
  fs.writeFileSync(file, JSON.stringify({ '3rdparty': { extensions: { [EXTENSION_ID]: config } } }, null, 2));
  return () => fs.rmSync(file, { force: true });
}
