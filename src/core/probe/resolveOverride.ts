// `--resolve HOST:PORT:ADDR[,ADDR…]` with curl's semantics: connections for HOST:PORT go to ADDR,
// while SNI, the Host header and certificate checks keep using HOST. `*` as HOST matches any host.
import * as net from 'net';

export interface ResolveOverride {
  host: string;
  port: number;
  addresses: string[];
  /** Connect to this port instead of `port` (curl's --connect-to HOST:PORT:ADDR:PORT2); set by the
   * editor's "Probe Origin Directly…" when the origin listens on another port. */
  connectPort?: number;
}

export class ResolveSyntaxError extends Error {}

export function parseResolve(spec: string): ResolveOverride {
  const s = spec.replace(/^\+/, ''); // curl's "+" prefix (timeout-based entries) means the same here
  let host: string;
  let rest: string;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close === -1) throw new ResolveSyntaxError(`--resolve ${spec}: unbalanced '['`);
    host = s.slice(1, close);
    rest = s.slice(close + 1);
    if (!rest.startsWith(':')) throw new ResolveSyntaxError(`--resolve ${spec}: expected HOST:PORT:ADDR`);
    rest = rest.slice(1);
  } else {
    const c = s.indexOf(':');
    if (c <= 0) throw new ResolveSyntaxError(`--resolve ${spec}: expected HOST:PORT:ADDR`);
    host = s.slice(0, c);
    rest = s.slice(c + 1);
  }
  const c2 = rest.indexOf(':');
  if (c2 === -1) throw new ResolveSyntaxError(`--resolve ${spec}: expected HOST:PORT:ADDR`);
  const portText = rest.slice(0, c2);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new ResolveSyntaxError(`--resolve ${spec}: '${portText}' is not a port`);
  const addresses = rest
    .slice(c2 + 1)
    .split(',')
    .map((a) => a.trim().replace(/^\[(.*)\]$/, '$1'))
    .filter(Boolean);
  if (addresses.length === 0) throw new ResolveSyntaxError(`--resolve ${spec}: no address`);
  for (const a of addresses) if (net.isIP(a) === 0) throw new ResolveSyntaxError(`--resolve ${spec}: '${a}' is not an IP address`);
  return { host: host.toLowerCase(), port, addresses };
}

export function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** The override that applies to this URL, if any (host compared case-insensitively, port exactly). */
export function overrideFor(url: URL, overrides: ResolveOverride[]): ResolveOverride | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = defaultPort(url);
  return overrides.find((o) => (o.host === host || o.host === '*') && o.port === port);
}

/** The editor's "origin address" for `url`: `IP`, `IP:PORT`, `[IPv6]` or `[IPv6]:PORT` (a bare IPv6 address
 * too). Becomes the override for the URL's host and port; another port is kept as `connectPort`. */
export function parseOriginAddress(text: string, url: URL): ResolveOverride {
  const t = text.trim();
  if (!t) throw new ResolveSyntaxError('Enter the origin address: an IP address, optionally with a port (203.0.113.7 or 203.0.113.7:8080).');
  let address = t;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(t);
  if (bracket) {
    address = bracket[1];
    portText = bracket[2];
  } else if (net.isIPv6(t)) {
    address = t;
  } else if (t.includes(':')) {
    const c = t.lastIndexOf(':');
    address = t.slice(0, c);
    portText = t.slice(c + 1);
  }
  if (net.isIP(address) === 0)
    throw new ResolveSyntaxError(`'${address}' is not an IP address. Give the origin's IP (like curl --resolve), optionally with a port: 203.0.113.7, 203.0.113.7:8080 or [2001:db8::7]:443.`);
  let connectPort: number | undefined;
  if (portText !== undefined) {
    const p = Number(portText);
    if (!/^\d+$/.test(portText) || p < 1 || p > 65535) throw new ResolveSyntaxError(`'${portText}' is not a port (1-65535).`);
    connectPort = p;
  }
  const port = defaultPort(url);
  const o: ResolveOverride = { host: url.hostname.replace(/^\[|\]$/g, '').toLowerCase(), port, addresses: [address] };
  if (connectPort !== undefined && connectPort !== port) o.connectPort = connectPort;
  return o;
}
