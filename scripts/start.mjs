#!/usr/bin/env node
// npm start: build the extension for Chrome and Firefox, then run the relay
// in the foreground (embedded SQLite under ./data unless RELAY_DATA_DIR says otherwise).
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

for (const target of ['chrome', 'firefox']) {
  const r = spawnSync('npx', ['wxt', 'build', '-b', target], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const host = process.env.RELAY_HOST || '127.0.0.1';
const port = process.env.RELAY_PORT || '8787';
console.log(`
Sendway is built.
  Chrome / Edge : open chrome://extensions (edge://extensions), turn on Developer mode,
                  "Load unpacked" → ${path.resolve('.output/chrome-mv3')}
  Firefox       : open about:debugging#/runtime/this-firefox, "Load Temporary Add-on…"
                  → ${path.resolve('.output/firefox-mv2/manifest.json')}
  Relay         : http://${host}:${port}  (health: http://${host}:${port}/healthz)
  Relay token   : npm run relay:token -- --email you@example.com
`);

const relay = spawn('npx', ['tsx', 'relay/main.ts'], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => relay.kill(signal));
relay.on('exit', (code) => process.exit(code ?? 0));
