// One parsed HAProxy file as the rules read it: its proxies, the defaults section each one takes its
// settings from (the latest before it, or `from NAME`), effective values, time values and server lines.
import * as net from 'net';
import { LineIndex } from '../../text';
import { HaproxyLine, HaproxySection, ParsedHaproxy } from './parser';

/** Proxy sections: the ones `defaults` apply to. */
export const PROXY_KINDS = new Set(['frontend', 'backend', 'listen']);

export interface Effective {
  line: HaproxyLine;
  /** The section that sets it: the proxy itself or a defaults section it inherits from. */
  section: HaproxySection;
  inherited: boolean;
}

export class HaproxyConfig {
  readonly lines: LineIndex;
  readonly proxies: HaproxySection[];
  /** Every keyword and section kind present, so the engine can skip rules that have nothing to look at. */
  readonly keywords = new Set<string>();
  private readonly defaultsCache = new Map<HaproxySection, HaproxySection[]>();
  /** Section → its position in the file, so finding the defaults before a proxy is not a scan per proxy. */
  private readonly order = new Map<HaproxySection, number>();
  /** For each section position, the nearest defaults section at or before it. */
  private readonly lastDefaults: (HaproxySection | undefined)[] = [];

  constructor(
    readonly parsed: ParsedHaproxy,
    readonly text: string,
  ) {
    this.lines = new LineIndex(text);
    // An unnamed proxy is already a syntax finding; rules do not pile on.
    this.proxies = parsed.sections.filter((s) => PROXY_KINDS.has(s.kind) && s.name !== undefined);
    let last: HaproxySection | undefined;
    for (const s of parsed.sections) {
      this.order.set(s, this.order.size);
      if (s.kind === 'defaults') last = s;
      this.lastDefaults.push(last);
      this.keywords.add(s.kind);
      for (const l of s.lines) this.keywords.add(l.keyword);
    }
  }

  get file(): string {
    return this.parsed.file;
  }

  get sections(): HaproxySection[] {
    return this.parsed.sections;
  }

  section(kind: string): HaproxySection[] {
    return this.parsed.sections.filter((s) => s.kind === kind);
  }

  /** Backends a `use_backend` can name: backend and listen sections. */
  backends(): HaproxySection[] {
    return this.proxies.filter((s) => s.kind === 'backend' || s.kind === 'listen');
  }

  /**
   * The defaults sections `section` takes its settings from, nearest first: `from NAME` or else the last
   * defaults section written before it, then that one's own `from`, and so on.
   */
  defaultsChain(section: HaproxySection): HaproxySection[] {
    const cached = this.defaultsCache.get(section);
    if (cached) return cached;
    const chain: HaproxySection[] = [];
    let cur: HaproxySection = section;
    while (chain.length < 16) {
      let next: HaproxySection | undefined;
      if (cur.from !== undefined) {
        const name: string = cur.from;
        next = this.parsed.sections.filter((s) => s.kind === 'defaults' && s.name === name).pop();
      } else if (cur.kind !== 'defaults') {
        const at = this.order.get(cur) ?? 0;
        next = at > 0 ? this.lastDefaults[at - 1] : undefined;
      }
      if (!next || chain.includes(next) || next === section) break;
      chain.push(next);
      cur = next;
    }
    this.defaultsCache.set(section, chain);
    return chain;
  }

  /** The last line of `section` starting with these words, else of its defaults chain. */
  effective(section: HaproxySection, ...words: string[]): Effective | undefined {
    const own = lastLine(section, words);
    if (own) return { line: own, section, inherited: false };
    for (const d of this.defaultsChain(section)) {
      const l = lastLine(d, words);
      if (l) return { line: l, section: d, inherited: true };
    }
    return undefined;
  }

  /** `mode` in effect: tcp unless set. */
  mode(section: HaproxySection): string {
    return this.effective(section, 'mode')?.line.words[1]?.value ?? 'tcp';
  }

  /** The `server` lines written in a proxy (not `server-template`). */
  servers(section: HaproxySection): HaproxyLine[] {
    return section.lines.filter((l) => l.keyword === 'server');
  }

  /** `default-server` lines in effect for a proxy: its own, then its defaults chain's (all of them count). */
  defaultServerLines(section: HaproxySection): HaproxyLine[] {
    const out = section.lines.filter((l) => l.keyword === 'default-server');
    for (const d of this.defaultsChain(section)) out.push(...d.lines.filter((l) => l.keyword === 'default-server'));
    return out;
  }

  /** The global section's last line with this keyword. */
  global(keyword: string): HaproxyLine | undefined {
    let found: HaproxyLine | undefined;
    for (const s of this.parsed.sections) if (s.kind === 'global') for (const l of s.lines) if (l.keyword === keyword) found = l;
    return found;
  }

  /** The text of a section header's name, else its keyword, for messages. */
  label(section: HaproxySection): string {
    return section.name ? `${section.kind} '${section.name}'` : section.kind;
  }
}

function lastLine(section: HaproxySection, words: string[]): HaproxyLine | undefined {
  for (let i = section.lines.length - 1; i >= 0; i--) {
    const l = section.lines[i];
    if (words.every((w, k) => l.words[k]?.value === w)) return l;
  }
  return undefined;
}

/**
 * Server keywords that take one value (configuration manual, 5.2), so `server x addr weight 10` does
 * not read `10` as a flag. Unknown keywords count as flags: a misread value is then a harmless extra flag,
 * while a misread flag (`check` taken as somebody's value) would hide a server's health check.
 */
const SERVER_KEYWORDS_WITH_VALUE = new Set([
  'addr', 'agent-addr', 'agent-inter', 'agent-port', 'agent-send', 'alpn', 'ca-file', 'check-alpn', 'check-proto', 'check-sni', 'ciphers',
  'ciphersuites', 'cookie', 'crl-file', 'crt', 'curves', 'downinter', 'error-limit', 'fall', 'fastinter', 'id', 'init-addr', 'inter',
  'log-proto', 'max-reuse', 'maxconn', 'maxqueue', 'minconn', 'namespace', 'npn', 'observe', 'on-error', 'on-marked-down', 'on-marked-up',
  'pool-conn-name', 'pool-low-conn', 'pool-max-conn', 'pool-purge-delay', 'port', 'proto', 'redir', 'resolve-net', 'resolve-opts',
  'resolve-prefer', 'resolvers', 'rise', 'set-proxy-v2-tlv-fmt', 'shard', 'sigalgs', 'slowstart', 'sni', 'socks4', 'source',
  'ssl-max-ver', 'ssl-min-ver', 'tcp-ut', 'track', 'usesrc', 'verify', 'verifyhost', 'weight', 'ws', 'guid', 'hash-key', 'client-sigalgs',
  'proxy-v2-options', 'init-state', 'strict-maxconn', 'idle-ping',
]);

/** The keyword → value pairs and bare flags of a `server`/`default-server` line (after name and address). */
export interface ServerOptions {
  flags: Map<string, number>;
  values: Map<string, number>;
}

export function serverOptions(line: HaproxyLine): ServerOptions {
  // server NAME ADDR [opts…]; server-template PREFIX NUM FQDN [opts…]; default-server [opts…]
  const first = line.keyword === 'server' ? 3 : line.keyword === 'server-template' ? 4 : 1;
  const flags = new Map<string, number>();
  const values = new Map<string, number>();
  for (let i = first; i < line.words.length; i++) {
    const w = line.words[i].value;
    if (SERVER_KEYWORDS_WITH_VALUE.has(w) && i + 1 < line.words.length) {
      values.set(w, i);
      i++;
    } else flags.set(w, i);
  }
  return { flags, values };
}

/** The host part of a server address (`host:port`, `[v6]:port`, `ipv4@host:port`), undefined for sockets. */
export function serverHost(address: string): string | undefined {
  let a = address;
  const at = a.indexOf('@');
  if (at !== -1) {
    const proto = a.slice(0, at);
    if (!/^(ipv4|ipv6|tcp|tcp4|tcp6)$/.test(proto)) return undefined; // unix@, abns@, fd@, sockpair@ …
    a = a.slice(at + 1);
  }
  if (a.startsWith('/')) return undefined;
  if (a.startsWith('[')) {
    const close = a.indexOf(']');
    return close === -1 ? undefined : a.slice(1, close);
  }
  const colon = a.lastIndexOf(':');
  if (colon !== -1 && a.indexOf(':') !== colon) return a; // a bare IPv6 address
  return colon === -1 ? a : a.slice(0, colon);
}

/** A host name (needs DNS, has a name a certificate can carry), not an address or a socket. */
export function isHostName(host: string | undefined): host is string {
  return !!host && host !== '*' && net.isIP(host) === 0 && /[a-zA-Z]/.test(host) && !host.includes('$');
}

/**
 * A time value in milliseconds, HAProxy's units (`us`, `ms`, `s`, `m`, `h`, `d`; a bare number is ms),
 * undefined when it is not one.
 */
export function parseTime(value: string): number | undefined {
  const m = /^(\d+)(us|ms|s|m|h|d)?$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  switch (m[2]) {
    case 'us':
      return n / 1000;
    case 's':
      return n * 1000;
    case 'm':
      return n * 60000;
    case 'h':
      return n * 3600000;
    case 'd':
      return n * 86400000;
    default:
      return n;
  }
}
