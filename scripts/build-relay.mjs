// Compiles the relay (relay/main.ts and the token CLI) into plain JavaScript in dist-relay/,
// so production runs `node dist-relay/main.mjs` with only the runtime dependencies installed
// (npm ci --omit=dev): no tsx, no TypeScript at run time. npm packages stay external (native
// better-sqlite3, pg); only the relay's own code and shared/ are bundled.
//
// Files the code loads by URL next to itself (worker threads: `new URL('./x.mjs', import.meta.url)`)
// are found in the sources and copied beside the bundle, where that URL then points.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// dist-relay/ sits beside package.json: main.ts reads its version from '../package.json'.
const outdir = path.join(root, 'dist-relay');

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

fs.rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { main: path.join(root, 'relay/main.ts'), 'cli/token': path.join(root, 'relay/cli/token.ts') },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  // The repo's tsconfig extends WXT's generated one, which a production build does not have.
  tsconfigRaw: { compilerOptions: { target: 'es2022', useDefineForClassFields: true, verbatimModuleSyntax: false } },
});

const assets = new Set();
for (const file of sources(path.join(root, 'relay'))) {
  for (const m of fs.readFileSync(file, 'utf8').matchAll(/new URL\(\s*['"](\.\/[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g)) {
    assets.add(path.resolve(path.dirname(file), m[1]));
  }
}
for (const asset of assets) {
  const target = path.join(outdir, path.basename(asset));
  if (fs.existsSync(target)) throw new Error(`build-relay: two assets named ${path.basename(asset)}`);
  fs.copyFileSync(asset, target);
}

const externals = new Set();
for (const out of Object.values(result.metafile.outputs)) {
  for (const imp of out.imports) if (imp.external) externals.add(imp.path);
}
// Top-level folders the bundle was made from: the Dockerfile copies exactly these into its build stage.
const sourceDirs = new Set(Object.keys(result.metafile.inputs).map((f) => path.relative(root, path.resolve(root, f)).split(path.sep)[0]));
fs.writeFileSync(
  path.join(outdir, 'manifest.json'),
  JSON.stringify(
    { entries: ['main.mjs', 'cli/token.mjs'], assets: [...assets].map((a) => path.basename(a)), externals: [...externals].sort(), sourceDirs: [...sourceDirs].sort() },
    null,
    2,
  ) + '\n',
);
console.log(`relay built into ${path.relative(root, outdir)}/ (${[...assets].length} asset(s), ${externals.size} external imports)`);
