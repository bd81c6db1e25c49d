// Forward proxies: which one applies to a URL (an explicit option, else the environment the way curl
// reads it), NO_PROXY matching, the CONNECT tunnel for https, and the marks of a response the proxy
// generated itself. Credentials in a proxy URL never leave this file unredacted.
import * as net from 'net';
import type { Hop } from './types';
import { ProbeUsageError } from './errors';

export interface ProxyChoice {
  /** The proxy URL with its credentials (only for the Proxy-Authorization header). */
  url: URL;
  /** The same, credentials redacted: for reports. */
  display: string;
  source: 'env' | 'option';
  /** The variable it came from (HTTPS_PROXY …), when from the environment. */
  envName?: string;
  /** NO_PROXY (or the extra bypass list) matched the URL: the probe goes direct. */
  bypassed: boolean;
  /** The NO_PROXY entry that matched. */
  bypassEntry?: string;
}

export interface ProxyOptions {
  /** undefined: from the environment; null: never; a string: this proxy URL. */
  proxy?: string | null;
  /** Extra bypass list in NO_PROXY syntax. */
  noProxy?: string;
}

/** `http://user:pass@proxy:3128` → `http://redacted:redacted@proxy:3128` (no trailing slash). */
export function redactProxyUrl(u: URL): string {
  const auth = u.username || u.password ? `${u.username ? 'redacted' : ''}${u.password ? ':redacted' : ''}@` : '';
  return `${u.protocol}//${auth}${u.host}`;
}

/** Best-effort redaction of a proxy string that does not parse. */
function redactRawProxy(raw: string): string {
  return raw.replace(/\/\/[^@/]*@/, '//redacted@').replace(/^([^/:]+):[^@/]*@/, 'redacted@');
}

export function parseProxyUrl(raw: string, what: string): URL {
  const text = raw.trim();
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw new ProbeUsageError(`${what} '${redactRawProxy(text)}' is not a proxy URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ProbeUsageError(`${what} ${redactProxyUrl(u)}: only http:// and https:// proxies are supported (not ${u.protocol.replace(':', '')})`);
  if (!u.hostname) throw new ProbeUsageError(`${what} '${redactRawProxy(text)}' has no host`);
  return u;
}

function envValue(env: NodeJS.ProcessEnv, names: string[]): [string, string] | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v.trim() !== '') return [n, v];
  }
  return undefined;
}

/** The proxy for `target`, or undefined when none is configured. A configured proxy that NO_PROXY
 * matches is returned with bypassed=true, so the report can say why it was not used. */
export function chooseProxy(target: URL, opts: ProxyOptions, env: NodeJS.ProcessEnv = process.env): ProxyChoice | undefined {
  if (opts.proxy === null) return undefined;
  let raw: string;
  let source: ProxyChoice['source'];
  let envName: string | undefined;
  if (typeof opts.proxy === 'string') {
    if (opts.proxy.trim() === '') return undefined;
    raw = opts.proxy;
    source = 'option';
  } else {
    // curl's order: the scheme's own variable (lower case first), then ALL_PROXY.
    const names = target.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
    const hit = envValue(env, [...names, 'all_proxy', 'ALL_PROXY']);
    if (!hit) return undefined;
    [envName, raw] = hit;
    source = 'env';
  }
  const url = parseProxyUrl(raw, envName ?? 'proxy');
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = target.port ? +target.port : target.protocol === 'https:' ? 443 : 80;
  const list = [envValue(env, ['no_proxy', 'NO_PROXY'])?.[1] ?? '', opts.noProxy ?? ''].filter(Boolean).join(',');
  const entry = noProxyMatch(list, host, port);
  return { url, display: redactProxyUrl(url), source, envName, bypassed: entry !== undefined, bypassEntry: entry };
}

function parseIp(s: string): { family: 4 | 6; bytes: number[] } | undefined {
  const fam = net.isIP(s);
  if (fam === 4) return { family: 4, bytes: s.split('.').map(Number) };
  if (fam !== 6) return undefined;
  let text = s.toLowerCase();
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const bytes: number[] = [];
  for (const g of groups) {
    const n = parseInt(g || '0', 16);
    bytes.push(n >> 8, n & 255);
  }
  return { family: 6, bytes };
}

function inCidr(ip: { family: number; bytes: number[] }, net_: { family: number; bytes: number[] }, bits: number): boolean {
  if (ip.family !== net_.family) return false;
  for (let i = 0; i < ip.bytes.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 255 : (0xff << (8 - bits)) & 255;
    if ((ip.bytes[i] & mask) !== (net_.bytes[i] & mask)) return false;
  }
  return true;
}

/** The entry of a NO_PROXY list that matches host:port, or undefined. curl's rules: entries separated
 * by commas (or spaces), `*` alone matches everything, a name matches itself and its subdomains (a
 * leading `.` or `*.` means the same), an optional `:port` must match too, IP addresses compare as
 * addresses and `addr/bits` as a CIDR range. Case-insensitive; a trailing dot is ignored. */
export function noProxyMatch(list: string, host: string, port: number): string | undefined {
  const h = host.toLowerCase().replace(/\.$/, '');
  const hostIp = parseIp(h);
  for (const raw of list.split(/[\s,]+/)) {
    const entry = raw.trim();
    if (!entry) continue;
    if (entry === '*') return entry;
    let name = entry.toLowerCase();
    let entryPort: number | undefined;
    // [v6]:port, v4:port, name:port — but a bare IPv6 address has colons of its own.
    const br = /^\[([^\]]+)\](?::(\d+))?$/.exec(name);
    if (br) {
      name = br[1];
      entryPort = br[2] ? +br[2] : undefined;
    } else if (net.isIP(name.split('/')[0]) !== 6) {
      const m = /^(.*):(\d+)$/.exec(name);
      if (m) {
        name = m[1];
        entryPort = +m[2];
      }
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    const slash = name.indexOf('/');
    if (slash !== -1) {
      const base = parseIp(name.slice(0, slash));
      const bits = Number(name.slice(slash + 1));
      if (hostIp && base && Number.isInteger(bits) && inCidr(hostIp, base, bits)) return entry;
      continue;
    }
    const entryIp = parseIp(name);
    if (entryIp || hostIp) {
      if (entryIp && hostIp && entryIp.family === hostIp.family && entryIp.bytes.every((b, i) => b === hostIp.bytes[i])) return entry;
      continue;
    }
    name = name.replace(/^\*?\./, '').replace(/\.$/, '');
    if (name && (h === name || h.endsWith('.' + name))) return entry;
  }
  return undefined;
}

/** Proxy-Authorization for a proxy URL with credentials (Basic, like curl). */
export function proxyAuthorization(u: URL): string | undefined {
  if (!u.username && !u.password) return undefined;
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return 'Basic ' + Buffer.from(`${dec(u.username)}:${dec(u.password)}`).toString('base64');
}

export function proxyPort(u: URL): number {
  return u.port ? +u.port : u.protocol === 'https:' ? 443 : 80;
}

export interface ProxyResponseLike {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body?: string;
}

const PROXY_PRODUCTS = /squid|tinyproxy|privoxy|polipo|ccproxy|bluecoat|blue coat|zscaler|forcepoint|websense|mcafee web gateway|fortigate|fortiproxy|cisco wsa|ironport|netskope|skyhigh/i;
const PROXY_BODIES =
  /Generated [^<\n]{0,120} by [^<\n]{0,80}\((squid|tinyproxy)|<title>ERROR: The requested URL could not be retrieved<\/title>|ERR_(CONNECT_FAIL|DNS_FAIL|READ_TIMEOUT|ZERO_SIZE_OBJECT|ACCESS_DENIED|CANNOT_FORWARD|READ_ERROR|SECURE_CONNECT_FAIL)|tinyproxy|Privoxy|Zscaler|Blue Coat|Websense|Forcepoint/i;

function values(headers: ProxyResponseLike['headers'], name: string): string[] {
  const v = headers[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

const q = (s: string, max = 80) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max) + '…' : t;
};

/** Whether a response that came back through a forward proxy was generated by the proxy itself.
 * `tunnel` is set when this is the proxy's answer to CONNECT (then it certainly is the proxy's). */
export function proxyGeneratedHop(res: ProxyResponseLike, proxy: string, tunnel?: string): Hop | undefined {
  const evidence: string[] = [];
  if (tunnel) evidence.push(`the forward proxy ${proxy} answered CONNECT ${tunnel} with ${res.status} itself: the tunnel to the site was never opened`);
  if (res.status >= 400) {
    for (const v of values(res.headers, 'x-squid-error')) evidence.push(`header X-Squid-Error: ${q(v)} (Squid's own error page)`);
    for (const v of values(res.headers, 'proxy-agent')) evidence.push(`header Proxy-Agent: ${q(v)} (a proxy signs its own responses with it)`);
    for (const v of values(res.headers, 'server')) if (PROXY_PRODUCTS.test(v)) evidence.push(`header Server: ${q(v)} names a proxy product`);
    const m = PROXY_BODIES.exec(res.body ?? '');
    if (m) evidence.push(`the body is a proxy's error page: "${q(m[0])}"`);
  }
  if (!evidence.length) return undefined;
  for (const v of values(res.headers, 'via')) evidence.push(`header Via: ${q(v)}`);
  return { generatedBy: 'forward-proxy', evidence };
}
