/**
 * The benchmark's SMTP sink: a separate process (so it does not share an event
 * loop with whatever is being measured) running a real SMTP server on
 * 127.0.0.1 with STARTTLS and AUTH PLAIN/LOGIN. It does not parse MIME; it
 * counts accepted messages and reports, over IPC, how many arrived and when
 * the last 250 was sent.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

import { SINK_PASS, SINK_USER } from './sink-client';

const TLS = path.resolve('test/fixtures/tls');

let count = 0;
let lastAt = 0;
// Counted as mail arrives: the benchmark polls the stats every 20 ms and must not make the sink busier.
let duplicates = 0;
// SMTP sessions opened and message bytes received: a side that reconnects more or sends bigger MIME makes the sink busier.
let connections = 0;
let bytes = 0;
const ids = new Map<string, number>();

const server = new SMTPServer({
  key: fs.readFileSync(path.join(TLS, 'key.pem')),
  cert: fs.readFileSync(path.join(TLS, 'cert.pem')),
  authMethods: ['PLAIN', 'LOGIN'],
  size: 50 * 1024 * 1024,
  logger: false,
  disableReverseLookup: true,
  onConnect(_session, cb) {
    connections++;
    cb();
  },
  onAuth(auth, _session, cb) {
    if (auth.username === SINK_USER && auth.password === SINK_PASS) cb(null, { user: auth.username });
    else cb(Object.assign(new Error('5.7.3 Authentication unsuccessful'), { responseCode: 535 }));
  },
  onData(stream, _session, cb) {
    let head = '';
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (head.length < 4096) head += chunk.toString('latin1', 0, Math.min(chunk.length, 4096));
    });
    stream.on('end', () => {
      const id = /^message-id:\s*(<[^>]+>)/im.exec(head)?.[1] ?? `#${count}`;
      const seen = ids.get(id) ?? 0;
      if (seen === 1) duplicates++;
      ids.set(id, seen + 1);
      count++;
      lastAt = performance.timeOrigin + performance.now();
      cb(null);
    });
  },
});

server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (server.server.address() as AddressInfo).port });
});

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'stats') {
    const cpu = process.cpuUsage();
    process.send?.({ type: 'stats', count, lastAt, unique: ids.size, duplicates, connections, bytes, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
  if (msg.type === 'reset') {
    count = 0;
    lastAt = 0;
    duplicates = 0;
    connections = 0;
    bytes = 0;
    ids.clear();
    process.send?.({ type: 'reset' });
  }
  if (msg.type === 'stop') server.close(() => process.exit(0));
});
