import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import dnsPacket from 'dns-packet';

/** Zone data: name → records. TXT values longer than 255 bytes are split into strings as real servers do. */
export type ZoneRecord =
  | { type: 'TXT'; value: string; ttl?: number }
  | { type: 'CNAME'; value: string; ttl?: number }
  | { type: 'MX'; exchange: string; priority: number; ttl?: number }
  | { type: 'A'; value: string; ttl?: number }
  | { type: 'AAAA'; value: string; ttl?: number };

export interface TestDnsOptions {
  /** Names whose queries are never answered (to test timeouts). */
  silent?: string[];
  /** Names that answer SERVFAIL. */
  servfail?: string[];
}

/**
 * A real authoritative DNS server on 127.0.0.1 (UDP) built on dns-packet.
 * It follows CNAME chains inside its zone like a recursive resolver would,
 * answers NXDOMAIN for unknown names and NOERROR/no data for known names
 * without the asked type.
 */
export class TestDnsServer {
  private socket = dgram.createSocket('udp4');
  readonly queries: { name: string; type: string }[] = [];
  port = 0;

  constructor(
    private zone: Record<string, ZoneRecord[]>,
    private options: TestDnsOptions = {},
  ) {
    this.socket.on('message', (msg, rinfo) => this.answer(msg, rinfo));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    this.port = (this.socket.address() as AddressInfo).port;
    return this;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  setZone(zone: Record<string, ZoneRecord[]>): void {
    this.zone = zone;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private answer(msg: Buffer, rinfo: dgram.RemoteInfo) {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return; // not DNS: ignore, as a real server would
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase().replace(/\.$/, '');
    this.queries.push({ name, type: question.type });
    if (this.options.silent?.includes(name)) return;

    const answers: dnsPacket.Answer[] = [];
    let rcode: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' = 'NOERROR';
    if (this.options.servfail?.includes(name)) rcode = 'SERVFAIL';
    else {
      let current = name;
      for (let hops = 0; hops < 10; hops++) {
        const records = this.zone[current];
        if (!records) {
          if (hops === 0) rcode = 'NXDOMAIN';
          break;
        }
        const cname = records.find((r) => r.type === 'CNAME');
        if (cname && question.type !== 'CNAME') {
          answers.push({ type: 'CNAME', name: current, ttl: cname.ttl ?? 300, data: cname.value });
          current = cname.value.toLowerCase();
          continue;
        }
        for (const r of records.filter((r) => r.type === question.type)) answers.push(toAnswer(current, r));
        break;
      }
    }
    const RCODES = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3 } as const;
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      // The low four bits of the flags word are the RCODE.
      flags:
        dnsPacket.AUTHORITATIVE_ANSWER |
        dnsPacket.RECURSION_AVAILABLE |
        ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) |
        RCODES[rcode],
      questions: [question],
      answers,
    });
    this.socket.send(response, rinfo.port, rinfo.address);
  }
}

function toAnswer(name: string, r: ZoneRecord): dnsPacket.Answer {
  const ttl = r.ttl ?? 300;
  switch (r.type) {
    case 'TXT': {
      const chunks: string[] = [];
      for (let i = 0; i < r.value.length; i += 255) chunks.push(r.value.slice(i, i + 255));
      return { type: 'TXT', name, ttl, data: chunks.length ? chunks : [''] };
    }
    case 'CNAME':
      return { type: 'CNAME', name, ttl, data: r.value };
    case 'MX':
      return { type: 'MX', name, ttl, data: { exchange: r.exchange, preference: r.priority } };
    case 'A':
      return { type: 'A', name, ttl, data: r.value };
    case 'AAAA':
      return { type: 'AAAA', name, ttl, data: r.value };
  }
}
