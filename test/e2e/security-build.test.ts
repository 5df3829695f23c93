import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * What ships: both built extensions (Chrome/Edge MV3 and Firefox MV2), read
 * from disk. CSP without remote sources or eval, no eval-like code in our
 * bundles, nothing loaded from the network, exactly the permissions the
 * README lists, host access only to the four webmail origins, and no way
 * for a web page to talk to the extension.
 */
const OUT = path.resolve(process.env.SENDWAY_OUT_DIR || '.output');
const BUILDS = [
  { name: 'chrome-mv3', dir: path.join(OUT, 'chrome-mv3') },
  { name: 'firefox-mv2', dir: path.join(OUT, 'firefox-mv2') },
];
const WEBMAIL = ['https://mail.google.com/*', 'https://outlook.office.com/*', 'https://outlook.office365.com/*', 'https://outlook.live.com/*'];

/**
 * The one eval-like call a dependency bundles, allowed because it provably never
 * runs: core-js's globalThis lookup (core-js-pure/internals/global-this.js,
 * reached through mimetext's Babel runtime) ends in `Function('return this')()`
 * only after `typeof globalThis == 'object' && globalThis` — and every browser
 * this extension supports (Chrome MV3, Firefox 140+) has globalThis. Even if it
 * ran, the extension CSP (no 'unsafe-eval') would make it throw.
 */
const ALLOWED_EVAL_LIKE = [/[\w$]+\(typeof globalThis=="object"&&globalThis\)\|\|[^;]{0,300}?\|\|\(function\(\)\{return this\}\)\(\)\|\|Function\("return this"\)\(\)/g];

function files(dir: string, ext: string[]): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => ext.some((e) => f.endsWith(e))).map((f) => path.join(dir, f));
}

function cspDirectives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!.toLowerCase(), values]),
  );
}

/** The README's permission table: `value` | kind | why. */
function readmePermissions(): { permission: string[]; host: string[]; optional: string[] } {
  const readme = fs.readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('### Permissions'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| ---')));
  const out = { permission: [] as string[], host: [] as string[], optional: [] as string[] };
  for (const row of table.split('\n').filter((l) => /^\| `/.test(l))) {
    const [, value, kind] = /^\| `([^`]+)` \| ([a-z ]+) \|/.exec(row)!;
    if (kind === 'permission') out.permission.push(value!);
    else if (kind === 'host') out.host.push(value!);
    else if (kind === 'optional host') out.optional.push(value!);
    else throw new Error(`unknown kind in README permissions: ${kind}`);
  }
  return out;
}

describe.each(BUILDS)('built extension $name', ({ name, dir }) => {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error(`No built extension at ${dir}: build it first (SENDWAY_OUT_DIR=${process.env.SENDWAY_OUT_DIR ?? '.output'} npx wxt build -b ${name.startsWith('chrome') ? 'chrome' : 'firefox'}).`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const mv3 = manifest.manifest_version === 3;

  it('has a CSP with scripts from the package only: no remote source, no eval, no inline script', () => {
    const csp: string = mv3 ? manifest.content_security_policy?.extension_pages : manifest.content_security_policy;
    expect(typeof csp).toBe('string');
    const d = cspDirectives(csp);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'self'"]);
    for (const [directive, values] of d) {
      for (const v of values) {
        expect(v, `${directive} ${v}`).not.toMatch(/^(https?:|wss?:|\*|data:|blob:|filesystem:)|^'unsafe-(eval|inline|hashes)'$|^'wasm-unsafe-eval'$|^'strict-dynamic'$/);
      }
    }
    if (mv3) expect(manifest.content_security_policy.sandbox).toBeUndefined();
  });

  it('has exactly the permissions the README lists, and host access only to the four webmail origins', () => {
    const readme = readmePermissions();
    expect(readme.host.sort()).toEqual([...WEBMAIL].sort());
    if (mv3) {
      expect([...manifest.permissions].sort()).toEqual([...readme.permission].sort());
      expect([...manifest.host_permissions].sort()).toEqual([...WEBMAIL].sort());
      expect([...manifest.optional_host_permissions].sort()).toEqual([...readme.optional].sort());
      expect(manifest.optional_permissions).toBeUndefined();
    } else {
      // MV2 lists host permissions among the permissions.
      expect([...manifest.permissions].sort()).toEqual([...readme.permission, ...WEBMAIL].sort());
      expect([...manifest.optional_permissions].sort()).toEqual([...readme.optional].sort());
    }
    // Content scripts only on webmail.
    for (const cs of manifest.content_scripts) for (const m of cs.matches) expect(WEBMAIL).toContain(m);
  });

  it('gives web pages no way in: no externally_connectable, no web-accessible resources', () => {
    expect(manifest.externally_connectable).toBeUndefined();
    expect(manifest.web_accessible_resources).toBeUndefined();
  });

  it('has no eval, new Function or string timers in any of its scripts', () => {
    const scripts = files(dir, ['.js']);
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    const found: string[] = [];
    for (const file of scripts) {
      let code = fs.readFileSync(file, 'utf8');
      for (const allowed of ALLOWED_EVAL_LIKE) {
        const hits = code.match(allowed)?.length ?? 0;
        // Only where mimetext is bundled (the background), once.
        if (hits) expect(path.relative(dir, file), 'core-js fallback outside the background').toBe('background.js');
        expect(hits).toBeLessThanOrEqual(1);
        code = code.replace(allowed, '/* allowed: core-js globalThis fallback */');
      }
      for (const [label, pattern] of [
        ['eval(', /(^|[^\w$.])eval\s*\(/],
        ['new Function(', /new\s+Function\s*\(/],
        ['Function(', /(^|[^\w$.])Function\s*\(/],
        ['string setTimeout/setInterval', /\bset(Timeout|Interval)\s*\(\s*["'`]/],
      ] as const) {
        const m = pattern.exec(code);
        if (m) found.push(`${path.relative(dir, file)}: ${label} …${code.slice(Math.max(0, m.index - 60), m.index + 60)}…`);
      }
    }
    expect(found).toEqual([]);
  });

  it('loads no code from the network: scripts and pages reference only files in the package', () => {
    const problems: string[] = [];
    for (const file of files(dir, ['.js'])) {
      const code = fs.readFileSync(file, 'utf8');
      for (const m of code.matchAll(/importScripts\s*\(([^)]*)\)|import\s*\(\s*["'`](https?:[^"'`]*)/g)) {
        if (/https?:|\/\//.test(m[0])) problems.push(`${path.relative(dir, file)}: ${m[0].slice(0, 120)}`);
      }
      // A script element built with a remote src would be remote code in a page we run in.
      for (const m of code.matchAll(/\.src\s*=\s*["'`](https?:\/\/[^"'`]+)/g)) problems.push(`${path.relative(dir, file)}: script src ${m[1]}`);
    }
    for (const file of files(dir, ['.html'])) {
      const html = fs.readFileSync(file, 'utf8');
      for (const m of html.matchAll(/<(script|link)\b[^>]*\b(src|href)=["']([^"']+)["']/g)) {
        if (!m[3]!.startsWith('/') && !m[3]!.startsWith('./')) problems.push(`${path.relative(dir, file)}: ${m[0]}`);
      }
      expect(html, file).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>\s*\S/); // no inline script
    }
    expect(problems).toEqual([]);
  });

  it('never opens storage.session to content scripts', () => {
    for (const file of files(dir, ['.js'])) {
      expect(fs.readFileSync(file, 'utf8'), file).not.toContain('TRUSTED_AND_UNTRUSTED_CONTEXTS');
    }
  });
});
