/**
 * Content-script cost in bytes: Sendway's built Gmail and Outlook content
 * scripts next to what an extension would ship with InboxSDK or gmail-js,
 * each bundled and minified by esbuild the same way (gzip level 9).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { build } from 'esbuild';

export interface SizeFigure {
  raw: number;
  gzip: number;
}

const gz = (buf: Buffer | string) => zlib.gzipSync(buf, { level: 9 }).length;
const figure = (buf: Buffer | string): SizeFigure => ({ raw: Buffer.byteLength(buf), gzip: gz(buf) });

async function bundle(source: string, resolveDir: string): Promise<string> {
  const out = await build({
    stdin: { contents: source, resolveDir, loader: 'js' },
    bundle: true,
    minify: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'silent',
  });
  return out.outputFiles.map((f) => f.text).join('\n');
}

export async function measureExtensionSizes(buildDir = path.resolve(process.env.SENDWAY_OUT_DIR || '.output', 'chrome-mv3')) {
  const script = (name: string) => {
    const js = fs.readFileSync(path.join(buildDir, 'content-scripts', `${name}.js`));
    const cssFile = path.join(buildDir, 'content-scripts', `${name}.css`);
    const css = fs.existsSync(cssFile) ? fs.readFileSync(cssFile) : Buffer.alloc(0);
    return figure(Buffer.concat([js, css]));
  };
  const root = path.resolve('.');
  // InboxSDK loads a second script into the page world; an extension ships both.
  const inboxsdkMain = await bundle(`import * as InboxSDK from '@inboxsdk/core'; globalThis.__sdk = InboxSDK;`, root);
  const inboxsdkPage = fs.readFileSync(path.resolve('node_modules/@inboxsdk/core/pageWorld.js'), 'utf8');
  const gmailJs = await bundle(`import $ from 'jquery'; import { Gmail } from 'gmail-js'; globalThis.__gmail = new Gmail($);`, root);
  return {
    gmail: script('gmail'),
    outlook: script('outlook'),
    inboxsdk: figure(inboxsdkMain + inboxsdkPage),
    gmailJs: figure(gmailJs),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measureExtensionSizes(), null, 2));
}
