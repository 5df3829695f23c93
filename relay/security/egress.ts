import dns from 'node:dns';
import net from 'node:net';

/**
 * Egress control for SMTP hosts a rep types in. The relay resolves the host
 * itself, checks every address, and then connects to the checked address
 * (with the host name kept for TLS), so DNS rebinding cannot slip a different
 * address in between the check and the connection.
 */
export type Lookup = (host: string) => Promise<{ address: string; family: number }[]>;

export const systemLookup: Lookup = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

export type EgressResult =
  | { ok: true; address: string; host: string }
  | { ok: false; code: 'egress_denied' | 'host_not_found'; message: string };

const never = new net.BlockList();
// Link-local (includes the cloud metadata endpoint 169.254.169.254), "this network", multicast, reserved, broadcast.
never.addSubnet('169.254.0.0', 16, 'ipv4');
never.addSubnet('0.0.0.0', 8, 'ipv4');
never.addSubnet('224.0.0.0', 4, 'ipv4');
never.addSubnet('240.0.0.0', 4, 'ipv4');
never.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
never.addSubnet('fe80::', 10, 'ipv6');
never.addSubnet('ff00::', 8, 'ipv6');
never.addAddress('::', 'ipv6');
never.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6

const internal = new net.BlockList();
internal.addSubnet('127.0.0.0', 8, 'ipv4');
internal.addSubnet('10.0.0.0', 8, 'ipv4');
internal.addSubnet('172.16.0.0', 12, 'ipv4');
internal.addSubnet('192.168.0.0', 16, 'ipv4');
internal.addSubnet('100.64.0.0', 10, 'ipv4'); // carrier-grade NAT
internal.addSubnet('198.18.0.0', 15, 'ipv4'); // benchmarking
internal.addAddress('::1', 'ipv6');
internal.addSubnet('fc00::', 7, 'ipv6'); // unique local

function family(address: string): 'ipv4' | 'ipv6' | null {
  const v = net.isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : null;
}

/** ::ffff:10.0.0.1 is 10.0.0.1: check the IPv4 address it carries. */
function normalise(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

export class Allowlist {
  private readonly names = new Set<string>();
  private readonly nets = new net.BlockList();

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      if (!entry) continue;
      const [addr, bits] = entry.split('/');
      const fam = family(addr!);
      if (fam && bits !== undefined) {
        const prefix = Number(bits);
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > (fam === 'ipv4' ? 32 : 128)) {
          throw new Error(`RELAY_SMTP_ALLOWLIST: bad CIDR "${raw}"`);
        }
        this.nets.addSubnet(addr!, prefix, fam);
      } else if (fam) {
        this.nets.addAddress(addr!, fam);
      } else if (/^[a-z0-9.-]+$/.test(entry)) {
        this.names.add(entry.replace(/\.$/, ''));
      } else {
        throw new Error(`RELAY_SMTP_ALLOWLIST: "${raw}" is not a host, IP address or CIDR`);
      }
    }
  }

  hasName(host: string): boolean {
    return this.names.has(host.toLowerCase().replace(/\.$/, ''));
  }

  hasAddress(address: string): boolean {
    const fam = family(address);
    return fam !== null && this.nets.check(address, fam);
  }
}

/** Why an address may not be reached, or null when it may. Pure. */
export function addressVerdict(address: string, host: string, allow: Allowlist): string | null {
  const a = normalise(address);
  const fam = family(a);
  if (!fam) return `${address} is not an IP address`;
  if (never.check(a, fam)) return `${a} is a link-local, metadata or reserved address, which the relay never connects to`;
  if (internal.check(a, fam) && !allow.hasAddress(a) && !allow.hasName(host)) {
    return `${a} is a private or loopback address; an administrator must allow it with RELAY_SMTP_ALLOWLIST`;
  }
  return null;
}

/** Resolves `host` and picks an address the relay may connect to. */
export async function checkEgress(host: string, allow: Allowlist, lookup: Lookup = systemLookup): Promise<EgressResult> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (net.isIP(bare)) addresses = [bare];
  else {
    try {
      addresses = (await lookup(bare)).map((r) => r.address);
    } catch (error) {
      return { ok: false, code: 'host_not_found', message: `SMTP host ${host} could not be resolved (${(error as NodeJS.ErrnoException).code ?? 'DNS error'})` };
    }
    if (addresses.length === 0) return { ok: false, code: 'host_not_found', message: `SMTP host ${host} has no addresses` };
  }
  const reasons: string[] = [];
  for (const address of addresses) {
    const why = addressVerdict(address, bare, allow);
    if (!why) return { ok: true, address: normalise(address), host: bare };
    reasons.push(why);
  }
  return { ok: false, code: 'egress_denied', message: `SMTP host ${host} is not allowed: ${reasons.join('; ')}` };
}
