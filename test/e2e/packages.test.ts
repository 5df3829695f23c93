import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../helpers/zip';

/**
 * `npm run zip`, exactly as a release is made, into its own output folder:
 * the Chrome/Edge package, the Firefox package and the sources zip Mozilla's
 * reviewers rebuild from. Read back from the zip files themselves.
 */
// `npm test` has just packaged into the build folder (scripts/test.mjs sets SENDWAY_PACKAGES_READY); run alone, this makes its own.
const READY = process.env.SENDWAY_PACKAGES_READY === '1';
const OUT = path.resolve(`${process.env.SENDWAY_OUT_DIR || '.output'}${READY ? '' : '-zip'}`);
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { name: string; version: string };
const CHROME_ZIP = path.join(OUT, `${pkg.name}-${pkg.version}-chrome.zip`);
const FIREFOX_ZIP = path.join(OUT, `${pkg.name}-${pkg.version}-firefox.zip`);
const SOURCES_ZIP = path.join(OUT, `${pkg.name}-${pkg.version}-sources.zip`);

beforeAll(() => {
  if (READY && [CHROME_ZIP, FIREFOX_ZIP, SOURCES_ZIP].every((z) => fs.existsSync(z))) return;
  fs.rmSync(OUT, { recursive: true, force: true });
  const started = Date.now();
  const run = spawnSync('npm', ['run', 'zip'], { env: { ...process.env, SENDWAY_OUT_DIR: OUT }, encoding: 'utf8', timeout: 240_000 });
  const seconds = (Date.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`npm run zip failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  console.log(`[packages] npm run zip took ${seconds.toFixed(1)} s`);
}, 300_000);

function text(entries: Map<string, Buffer>, name: string): string {
  const data = entries.get(name);
  if (!data) throw new Error(`${name} is missing`);
  return data.toString('utf8');
}

/** Remote code in a package: scripts or pages that would load code from the network. */
function remoteCode(entries: Map<string, Buffer>): string[] {
  const problems: string[] = [];
  for (const [name, data] of entries) {
    if (name.endsWith('.js')) {
      const code = data.toString('utf8');
      for (const m of code.matchAll(/importScripts\s*\(([^)]*)\)|import\s*\(\s*["'`](https?:[^"'`]*)|\.src\s*=\s*["'`](https?:\/\/[^"'`]+)/g)) {
        if (/https?:|\/\//.test(m[0])) problems.push(`${name}: ${m[0].slice(0, 120)}`);
      }
    }
    if (name.endsWith('.html')) {
      for (const m of data.toString('utf8').matchAll(/<(script|link)\b[^>]*\b(src|href)=["']([^"']+)["']/g)) {
        if (!m[3]!.startsWith('/') && !m[3]!.startsWith('./')) problems.push(`${name}: ${m[0]}`);
      }
    }
  }
  return problems;
}

describe.each([
  { browser: 'chrome', zip: CHROME_ZIP, manifestVersion: 3, build: 'chrome-mv3' },
  { browser: 'firefox', zip: FIREFOX_ZIP, manifestVersion: 2, build: 'firefox-mv2' },
])('npm run zip: the $browser package', ({ browser, zip, manifestVersion, build }) => {
  let entries: Map<string, Buffer>;
  beforeAll(() => {
    entries = readZip(zip);
  });

  it('has manifest.json at the root with the right manifest_version and the package version', () => {
    const manifest = JSON.parse(text(entries, 'manifest.json'));
    expect(manifest.manifest_version).toBe(manifestVersion);
    expect(manifest.version).toBe(pkg.version);
    // Every file the manifest names is in the package.
    expect(entries.has(manifest.background.service_worker ?? manifest.background.scripts[0])).toBe(true);
    for (const cs of manifest.content_scripts) for (const js of cs.js) expect(entries.has(js), js).toBe(true);
    for (const icon of Object.values(manifest.icons) as string[]) expect(entries.has(icon), icon).toBe(true);
    expect(entries.has('_locales/en/messages.json') && entries.has('_locales/nl/messages.json')).toBe(true);
    if (browser === 'chrome') {
      // The store assigns the id: a `key` is refused on upload. Admins' policy needs the schema.
      expect(manifest.key).toBeUndefined();
      expect(entries.has(manifest.storage.managed_schema)).toBe(true);
      expect(manifest.content_security_policy.extension_pages).toBe("script-src 'self'; object-src 'self'");
    } else {
      expect(manifest.browser_specific_settings.gecko.id).toBe('sendway@sendway.dev');
      expect(manifest.content_security_policy).toBe("script-src 'self'; object-src 'self'");
    }
  });

  it('holds exactly the built extension, with no source maps', () => {
    const names = [...entries.keys()];
    expect(names.filter((n) => n.endsWith('.map'))).toEqual([]);
    for (const [name, data] of entries) {
      if (name.endsWith('.js') || name.endsWith('.css')) expect(data.toString('utf8'), name).not.toMatch(/sourceMappingURL=/);
    }
    const built = fs.readdirSync(path.join(OUT, build), { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    expect(names.sort()).toEqual(built.map((d) => path.relative(path.join(OUT, build), path.join(d.parentPath, d.name))).sort());
  });

  it('loads no remote code', () => {
    expect(remoteCode(entries)).toEqual([]);
  });
});

describe('npm run zip: the sources zip for Mozilla review', () => {
  it('is made with the Firefox package and holds what rebuilds it, and nothing private', () => {
    const entries = readZip(SOURCES_ZIP);
    const names = [...entries.keys()];
    for (const needed of ['package.json', 'package-lock.json', 'wxt.config.ts', 'tsconfig.json', 'README.md', 'extension/entrypoints/background.ts', 'extension/public/managed_schema.json', 'shared/schemas/policy.ts']) {
      expect(names, needed).toContain(needed);
    }
    const unwanted = names.filter((n) => /^(data|test-results|tmp|keys|node_modules)\/|(^|\/)\.|\.sqlite|\.log$/.test(n));
    expect(unwanted).toEqual([]);
    // Nothing git ignores (relay databases, build output, local keys) ends up with Mozilla.
    const ignored = spawnSync('git', ['check-ignore', '--no-index', '--stdin'], { input: names.join('\n'), encoding: 'utf8' });
    expect(ignored.stdout.trim()).toBe('');
    // The README tells a reviewer how to rebuild.
    expect(text(entries, 'README.md')).toContain('npm run zip');
  });
});
