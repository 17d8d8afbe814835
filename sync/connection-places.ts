// Where a journal connection may reach (issue 17 item 5): its URLs only hosts an allow-list names, never
// loopback, private or link-local addresses unless listed by name, and its server-side `path` only under
// the exports root. Checked when a connection is saved and again each time an adapter is built for it
// (a host may resolve elsewhere later). The HTTP client follows no redirects (undici request()), so a
// reply cannot send us on to an address this check would refuse.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isAbsolute, relative, resolve } from 'node:path';

export interface PlacePolicy {
  /** Host patterns: `*` (any public host), `*.eljur.ru`, `api.dnevnik.ru`, `127.0.0.1:8091` (a private one, by name). */
  allowedHosts: readonly string[];
  /** The folder server-side exports must lie under; undefined: no server-side path at all (uploads only). */
  exportsRoot: string | undefined;
}

export type PlaceRefusal =
  | { code: 'host-not-allowed'; setting: string; host: string }
  | { code: 'private-address'; setting: string; host: string }
  | { code: 'bad-url'; setting: string }
  | { code: 'path-not-allowed'; setting: string };

export function placePolicyFromConfig(c: { JOURNAL_ALLOWED_HOSTS: string; JOURNAL_EXPORTS_ROOT?: string | undefined }): PlacePolicy {
  return {
    allowedHosts: c.JOURNAL_ALLOWED_HOSTS.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
    exportsRoot: c.JOURNAL_EXPORTS_ROOT ? resolve(c.JOURNAL_EXPORTS_ROOT) : undefined,
  };
}

/** IPv4/IPv6 addresses a connection must not reach unless an operator listed them. */
export function isPrivateAddress(ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(v4) === 4) {
    const [a, b] = v4.split('.').map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v6 = ip.toLowerCase();
  return v6 === '::' || v6 === '::1' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe80') || v6.startsWith('ff');
}

const listedByName = (policy: PlacePolicy, host: string, hostPort: string) => policy.allowedHosts.includes(host) || policy.allowedHosts.includes(hostPort);

function matchesPattern(policy: PlacePolicy, host: string, hostPort: string): boolean {
  if (listedByName(policy, host, hostPort)) return true;
  return policy.allowedHosts.some((p) => p === '*' || (p.startsWith('*.') && host.endsWith(p.slice(1))));
}

type Resolve = (host: string) => Promise<string[]>;
const resolveAll: Resolve = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/** The first reason the connection's settings reach somewhere they may not; undefined when all is well. */
export async function refusedPlace(settings: Record<string, unknown>, policy: PlacePolicy, resolveHost: Resolve = resolveAll): Promise<PlaceRefusal | undefined> {
  for (const [setting, value] of Object.entries(settings)) {
    if (typeof value !== 'string') continue;
    if (setting === 'path') {
      const root = policy.exportsRoot;
      const target = resolve(value);
      const inside = root !== undefined && !relative(root, target).startsWith('..') && !isAbsolute(relative(root, target));
      if (!inside) return { code: 'path-not-allowed', setting };
      continue;
    }
    if (!/url$/i.test(setting) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return { code: 'bad-url', setting };
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return { code: 'bad-url', setting };
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const hostPort = url.port ? `${host}:${url.port}` : host;
    if (!matchesPattern(policy, host, hostPort)) return { code: 'host-not-allowed', setting, host: hostPort };
    if (listedByName(policy, host, hostPort)) continue;
    // Allowed by pattern only: it must not be, or resolve to, a private address.
    const addresses = isIP(host) ? [host] : host === 'localhost' ? ['127.0.0.1'] : await resolveHost(host).catch(() => []);
    if (addresses.some(isPrivateAddress)) return { code: 'private-address', setting, host: hostPort };
  }
  return undefined;
}
