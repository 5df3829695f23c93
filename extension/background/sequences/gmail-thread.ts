import { z } from 'zod';

/**
 * Reply detection through the Gmail API, for organisations whose admin
 * opted into the gmail.metadata scope (policy gmailMetadataScope): before a
 * follow-up goes out, users.threads.get (format=metadata, From only — never
 * a body) tells whether anyone but the rep wrote in the first email's thread.
 */

const Thread = z.object({
  messages: z
    .array(
      z.object({
        internalDate: z.string().optional(),
        labelIds: z.array(z.string()).optional(),
        payload: z.object({ headers: z.array(z.object({ name: z.string(), value: z.string() })).optional() }).optional(),
      }),
    )
    .optional(),
});

/** The address in a From header ("Jane Doe <jane@acme.test>" or a bare address), lower-case. */
export function addressIn(from: string): string | null {
  const angled = /<([^<>\s]+@[^<>\s]+)>/.exec(from);
  const bare = angled ? angled[1]! : /[^\s<>"]+@[^\s<>"]+/.exec(from)?.[0];
  return bare ? bare.toLowerCase() : null;
}

export interface ThreadCheck {
  apiBase: string;
  accessToken: string;
  threadId: string;
  /** The rep's own address: their messages are not replies. */
  self: string;
  since: number;
  fetch: typeof fetch;
  signal?: AbortSignal;
}

/** The first other sender in the thread at or after `since`, or null. Throws on HTTP failure. */
export async function threadReplier(o: ThreadCheck): Promise<string | null> {
  const url = `${o.apiBase}/gmail/v1/users/me/threads/${encodeURIComponent(o.threadId)}?format=metadata&metadataHeaders=From`;
  const res = await o.fetch(url, { headers: { Authorization: `Bearer ${o.accessToken}` }, signal: o.signal });
  if (!res.ok) throw new Error(`Gmail threads.get answered ${res.status}`);
  const thread = Thread.parse(await res.json());
  for (const m of thread.messages ?? []) {
    if (m.labelIds?.includes('SENT') || m.labelIds?.includes('DRAFT')) continue;
    const at = Number(m.internalDate ?? NaN);
    if (Number.isFinite(at) && at < o.since) continue;
    const from = m.payload?.headers?.find((h) => h.name.toLowerCase() === 'from')?.value;
    const address = from ? addressIn(from) : null;
    if (address && address !== o.self.toLowerCase()) return address;
  }
  return null;
}
