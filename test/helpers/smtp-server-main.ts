/**
 * Child-process entry for SmtpServerProcess (smtp-server-process.ts): runs the
 * same TestSmtpServer — STARTTLS, AUTH, scriptable faults — in a process of
 * its own, so a test can kill it (connection refused), restart it on the same
 * port, and make it misbehave while the relay under test talks to it over a
 * real socket. Commands and summaries of what arrived go over Node's IPC.
 */
import fs from 'node:fs';
import { TestSmtpServer, type Received } from './smtp-server';
import type { ChildCommand, ReceivedSummary } from './smtp-server-process';

const options = JSON.parse(process.env.SMTP_CHILD_OPTIONS ?? '{}') as { port?: number; users?: Record<string, string>; journal?: string };
// With a journal, every accepted message is on disk before its 250, as a real MTA's queue is: kill -9 loses nothing it acknowledged.
const smtp = new TestSmtpServer({ users: options.users, onReceived: options.journal ? (r) => fs.appendFileSync(options.journal!, JSON.stringify(summarise(r)) + '\n') : undefined });

function addressesOf(field: Received['parsed']['to']): string[] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

/** What the tests look at, small enough to ship over IPC for thousands of messages. */
export function summarise(r: Received): ReceivedSummary {
  const text = r.raw.toString('latin1');
  const lines = text.split('\r\n');
  const headerEnd = lines.indexOf('');
  return {
    messageId: r.parsed.messageId ?? '',
    subject: r.parsed.subject ?? '',
    from: addressesOf(r.parsed.from),
    to: addressesOf(r.parsed.to),
    cc: addressesOf(r.parsed.cc),
    envelope: r.envelope,
    user: r.user,
    secure: r.secure,
    size: r.raw.length,
    at: r.at,
    maxLineOctets: Math.max(...lines.map((l) => Buffer.byteLength(l, 'latin1'))),
    bareLineBreaks: /\r(?!\n)|(?<!\r)\n/.test(text),
    nonAscii: /[^\x00-\x7f]/.test(text),
    headerNames: lines.slice(0, headerEnd < 0 ? lines.length : headerEnd).filter((l) => /^[!-9;-~]+:/.test(l)).map((l) => l.slice(0, l.indexOf(':')).toLowerCase()),
  };
}

process.on('message', (msg: ChildCommand) => {
  const reply = (result: unknown) => process.send?.({ type: 'reply', id: msg.id, result });
  switch (msg.cmd) {
    case 'fail':
      smtp.fail(msg.fault);
      return reply(null);
    case 'dropInData':
      smtp.dropInData(msg.n, msg.mode);
      return reply(null);
    case 'setDelay':
      smtp.setDelay(msg.ms, msg.stages);
      return reply(null);
    case 'clear':
      smtp.clear();
      return reply(null);
    case 'received':
      return reply({ received: smtp.received.slice(msg.from ?? 0).map(summarise), cuts: smtp.cuts, total: smtp.received.length });
    case 'stop':
      void smtp.stop().then(() => {
        reply(null);
        process.exit(0);
      });
      return;
  }
});

// The parent going away (a crashed test run) must not leave a server behind.
process.on('disconnect', () => process.exit(0));

await smtp.start(options.port ?? 0);
process.send?.({ type: 'listening', port: smtp.port });
