import { describe, expect, it } from 'vitest';
import { createLogger } from './log';

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
