import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'wxt';

/**
 * Public half of the key that pins the unpacked Chrome extension ID to
 * odbmceaebecihlmjdpgmbmagceiihbmh, so policies, OAuth redirect URIs
 * (https://<id>.chromiumapp.org/) and CORS allowlists written for a developer
 * build keep working across machines. Store builds get the store's own ID.
 */
const CHROME_PUBLIC_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAv6+NaHhNakqb09FrVEDxNexa+I9Os2Ehvvk+fOgXk1PR3dHjUobLk9VR+DkNaRNWRsCbIo6W6lh1x/t378mIDxh8KtmwN5okMcTgCtuGKa6QrQG5EA0ribhuV2r8V5dOg3780+kvldi3IFfClU6LErRzwfvNX8MG8sszZ5THfR79oIWUo2VoLm4qkAcgGFZhZJ0sr4VgxupxKO+el1cMkWd4t/TRZW5wkdb6FqfPh6Bwhks4jTF6ab8E73BhZjslvIk0wbomSpCftywbSSKZGbMe80AeVdIYS346iSCrI64buCvI9nO+wCez5f0WqyDsh4Yx1PapRRMNk6R6qAOr+wIDAQAB';

/** .gitignore's patterns as globs for WXT's sources zip ("data/" → "data/**" at any depth). */
function gitIgnored(): string[] {
  if (!fs.existsSync('.gitignore')) return [];
  return fs
    .readFileSync('.gitignore', 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && !line.startsWith('!'))
    .flatMap((line) => {
      const anchored = line.startsWith('/');
      const glob = line.replace(/^\//, '').replace(/\/$/, '');
      const at = anchored ? [glob] : [glob, `**/${glob}`];
      return at.flatMap((g) => [g, `${g}/**`]);
    });
}

const strippedKeys = new Map<string, string>();

/** Takes `key` out of the built manifest while WXT zips it, and puts it back after. */
function storeManifest(outDir: string, step: 'strip' | 'restore'): void {
  const file = path.join(outDir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { key?: string };
  if (step === 'strip' && manifest.key) {
    strippedKeys.set(file, manifest.key);
    delete manifest.key;
  } else if (step === 'restore' && strippedKeys.has(file)) {
    manifest.key = strippedKeys.get(file);
    strippedKeys.delete(file);
  } else {
    return;
  }
  fs.writeFileSync(file, JSON.stringify(manifest));
}

export const WEBMAIL_MATCHES = [
  'https://mail.google.com/*',
  'https://outlook.office.com/*',
  'https://outlook.office365.com/*',
  'https://outlook.live.com/*',
];

/** The relay's origin is only known at setup time; the popup asks for it then. */
const RELAY_ORIGINS = ['https://*/*', 'http://127.0.0.1/*', 'http://localhost/*'];

export default defineConfig({
  srcDir: 'extension',
  // Parallel builds (several test runs at once) each get their own output folder.
  outDir: process.env.SENDWAY_OUT_DIR || '.output',
  // Without this WXT looks for public/ at the repo root and the managed schema
  // and icons silently vanish from the build.
  publicDir: 'extension/public',
  modules: ['@wxt-dev/module-react', '@wxt-dev/i18n/module'],
  zip: {
    // The AMO sources zip is the repository minus what git ignores: never a relay
    // database (data/), test output, build output, scratch files or keys.
    excludeSources: [...gitIgnored(), 'tmp/**', '**/*.sqlite*'],
  },
  hooks: {
    // The Chrome Web Store refuses a manifest with `key` (the store signs with its own
    // key and gives its own id); the unpacked build keeps it so the development id stays pinned.
    'zip:extension:start': (wxt) => storeManifest(wxt.config.outDir, 'strip'),
    'zip:extension:done': (wxt) => storeManifest(wxt.config.outDir, 'restore'),
  },
  vite: () => ({
    build: {
      rollupOptions: {
        // zod ships comments Rollup cannot place; the warning is noise, not a problem.
        onwarn(warning, warn) {
          if (warning.code === 'INVALID_ANNOTATION' || /annotation that Rollup cannot interpret/.test(warning.message)) return;
          warn(warning);
        },
      },
    },
  }),
  manifest: ({ browser, manifestVersion }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    permissions: ['storage', 'alarms', 'identity'],
    host_permissions: WEBMAIL_MATCHES,
    ...(manifestVersion === 3
      ? { optional_host_permissions: RELAY_ORIGINS }
      : { optional_permissions: RELAY_ORIGINS }),
    content_security_policy: {
      extension_pages: "script-src 'self'; object-src 'self'",
    },
    action: { default_title: '__MSG_extName__' },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'sendway@sendway.dev',
              // 140 (the current ESR) is the first to read data_collection_permissions.
              strict_min_version: '140.0',
              // Declared honestly for Mozilla: compose content and recipients go to the
              // rep's chosen channel (Google or the company's relay), and SMTP credentials
              // entered in setup go to the company's relay.
              data_collection_permissions: {
                required: ['personalCommunications', 'personallyIdentifyingInfo', 'authenticationInfo'],
              },
            },
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : { key: CHROME_PUBLIC_KEY, storage: { managed_schema: 'managed_schema.json' } }),
  }),
});
