import { describe, expect, it } from 'vitest';
import { createLogger, withFields } from './log';

describe('logger', () => {
  it('masks secret-looking fields and token-shaped text', () => {
    const lines: string[] = [];
    const log = createLogger('debug', (l) => lines.push(l));
    log.info('x', { password: 'hunter2', tokenId: 'tok_1', note: 'Authorization: Bearer swr_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' });
    expect(lines[0]).not.toContain('hunter2');
    expect(lines[0]).not.toContain('abcdefghijklmnop');
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'x', level: 'info', tokenId: 'tok_1', password: '[redacted]' });
  });

  it('drops lines below the level', () => {
    const lines: string[] = [];
    createLogger('warn', (l) => lines.push(l)).info('quiet');
    expect(lines).toEqual([]);
  });
});

describe('logger context', () => {
  it('stamps every line of a logger withFields, ahead of the call\'s own fields, and leaves the base logger alone', () => {
    const lines: string[] = [];
    const log = createLogger('debug', (l) => lines.push(l));
    const req = withFields(log, { requestId: 'req_abc' });
    req.info('inside', { channelId: 'ch_1' });
    req.warn('also_inside');
    req.debug('debug_inside', { requestId: 'not_this' });
    log.info('outside');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((p) => p.requestId)).toEqual(['req_abc', 'req_abc', 'not_this', undefined]);
    expect(Object.keys(parsed[0]!)).toEqual(['t', 'level', 'event', 'requestId', 'channelId']);
    expect(parsed.map((p) => p.level)).toEqual(['info', 'warn', 'debug', 'info']);
  });

  it('names the message of message_* events messageId', () => {
    const lines: string[] = [];
    const log = createLogger('debug', (l) => lines.push(l));
    log.info('message_sent', { id: 'msg_1', channelId: 'ch_1' });
    log.info('token_revoked', { id: 'tok_1' });
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'message_sent', messageId: 'msg_1', channelId: 'ch_1' });
    expect(JSON.parse(lines[0]!)).not.toHaveProperty('id');
    expect(JSON.parse(lines[1]!)).toMatchObject({ id: 'tok_1' });
  });
});
