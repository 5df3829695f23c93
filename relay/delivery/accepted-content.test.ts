import { describe, expect, it } from 'vitest';
import type { SendMessageRequest } from '../../shared/schemas/relay-api';
import { AcceptedContent } from './accepted-content';

const req = (i: number) => ({ channelId: 'ch', from: 'a@example.com', to: [`b${i}@example.com`], subject: `s${i}`, text: 'x' }) as SendMessageRequest;

describe('AcceptedContent', () => {
  it('hands back what was put, until it is deleted', () => {
    const c = new AcceptedContent(1000);
    expect(c.put('m1', req(1), 100, 0)).toBe(true);
    expect(c.get('m1')?.subject).toBe('s1');
    c.delete('m1');
    expect(c.get('m1')).toBeUndefined();
    expect(c.size).toEqual({ messages: 0, bytes: 0 });
  });

  it('refuses new content when full rather than evicting what goes out next', () => {
    const c = new AcceptedContent(250);
    expect(c.put('m1', req(1), 100, 0)).toBe(true);
    expect(c.put('m2', req(2), 100, 0)).toBe(true);
    expect(c.put('m3', req(3), 100, 0)).toBe(false);
    expect(c.get('m1')).toBeDefined();
    expect(c.get('m3')).toBeUndefined();
    c.delete('m1');
    expect(c.put('m3', req(3), 100, 0)).toBe(true);
    expect(c.size).toEqual({ messages: 2, bytes: 200 });
  });

  it('lets content that waited too long (paced, cancelled) make room', () => {
    const c = new AcceptedContent(250, 1000);
    c.put('old', req(1), 100, 0);
    c.put('newer', req(2), 100, 900);
    expect(c.put('m3', req(3), 100, 1500)).toBe(true);
    expect(c.get('old')).toBeUndefined();
    expect(c.get('newer')).toBeDefined();
    expect(c.size.bytes).toBe(200);
  });
});
