// One parsed Caddyfile as the rules read it: its site blocks, snippets (its own and those of the files
// it imports), every `reverse_proxy` with its upstreams and its options (imports inside the block
// expanded from snippets), and the upstream address forms Caddy accepts.
import * as net from 'net';
import { LineIndex } from '../../text';
import { CaddyBlock, CaddyDirective, CaddyTopBlock, ParsedCaddy, walkDirectives } from './parser';

export interface CaddyUpstream {
  /** The token as written (`https://10.0.0.5:8443`, `localhost:9000`, `{env.UPSTREAM}` …). */
  token: CaddyDirective['args'][number];
  /** `http`, `https`, `h2c`, or undefined when no scheme is written. */
  scheme?: string;
  host?: string;
  port?: string;
  /** A unix socket, a placeholder or an env value: its host is not known here. */
  opaque: boolean;
}

export interface ReverseProxy {
  directive: CaddyDirective;
  /** The top-level block it sits in (a site, or a snippet that sites import). */
  top: CaddyTopBlock;
  upstreams: CaddyUpstream[];
  /** Its sub-directives, with `import snippet` lines replaced by the snippet's directives. */
  options: CaddyDirective[];
  /** An `import` in its block could not be resolved: its options are not all known. */
  incomplete: boolean;
  /** Upstreams come from a `dynamic` module: how many there are is only known at run time. */
  dynamic: boolean;
}

export class CaddyConfig {
  readonly lines: LineIndex;
  /** Every directive name present, so the engine can skip rules that have nothing to look at. */
  readonly keywords = new Set<string>();
  /** Snippets by name: this file's, then those of the files it imports (this file's win). */
  readonly snippets = new Map<string, CaddyTopBlock>();
  /** Directives written in this file (not brought in from an imported file's snippet): the only ones a finding or fix may point at. */
  private readonly own = new WeakSet<CaddyDirective>();

  constructor(
    readonly parsed: ParsedCaddy,
    readonly text: string,
    importedSnippets: Map<string, CaddyTopBlock> = new Map(),
  ) {
    this.lines = new LineIndex(text);
    for (const [k, v] of importedSnippets) this.snippets.set(k, v);
    for (const b of parsed.blocks) {
      if (b.kind === 'snippet' && b.name !== undefined) this.snippets.set(b.name, b);
      for (const { directive } of walkDirectives(b.body)) {
        this.keywords.add(directive.name);
        this.own.add(directive);
      }
    }
  }

  isOwn(d: CaddyDirective | undefined): d is CaddyDirective {
    return !!d && this.own.has(d);
  }

  get file(): string {
    return this.parsed.file;
  }

  /** Every `reverse_proxy` in the file (in sites, snippets, named routes, nested handles). */
  reverseProxies(): ReverseProxy[] {
    const out: ReverseProxy[] = [];
    for (const top of this.parsed.blocks) {
      if (top.kind === 'global' || top.kind === 'import') continue;
      for (const { directive } of walkDirectives(top.body)) {
        if (directive.name !== 'reverse_proxy') continue;
        const { options, incomplete } = this.expand(directive.block);
        const upstreams: CaddyUpstream[] = [];
        // The first argument is a matcher when it is `@name`, `*` or a path.
        const args = directive.args.filter((a, k) => !(k === 0 && !a.quoted && /^(@|\/|\*$)/.test(a.text)));
        for (const a of args) upstreams.push(parseUpstream(a));
        for (const o of options) if (o.name === 'to') for (const a of o.args) upstreams.push(parseUpstream(a));
        out.push({ directive, top, upstreams, options, incomplete, dynamic: options.some((o) => o.name === 'dynamic') });
      }
    }
    return out;
  }

  /** The sub-directives of a block, imports of known snippets inlined (depth-limited against cycles). */
  expand(block: CaddyBlock | undefined, depth = 0): { options: CaddyDirective[]; incomplete: boolean } {
    const options: CaddyDirective[] = [];
    let incomplete = false;
    for (const d of block?.directives ?? []) {
      if (d.name !== 'import') {
        options.push(d);
        continue;
      }
      const snippet = this.snippets.get(d.args[0]?.text ?? '');
      if (!snippet || depth > 8) {
        incomplete = true;
        continue;
      }
      const inner = this.expand(snippet.body, depth + 1);
      options.push(...inner.options);
      incomplete ||= inner.incomplete;
    }
    return { options, incomplete };
  }

  /** The sub-directive named `name` in effect (among expanded options): the last one, as Caddy's own parsing keeps the last. */
  option(rp: ReverseProxy, name: string): CaddyDirective | undefined {
    for (let i = rp.options.length - 1; i >= 0; i--) if (rp.options[i].name === name) return rp.options[i];
    return undefined;
  }

  /** The `transport` directive, its name (`http` by default), and its expanded options. */
  transport(rp: ReverseProxy): { directive?: CaddyDirective; name: string; options: CaddyDirective[]; incomplete: boolean } {
    const directive = rp.options.find((o) => o.name === 'transport');
    const name = directive?.args[0]?.text ?? 'http';
    const { options, incomplete } = this.expand(directive?.block);
    return { directive, name, options, incomplete };
  }
}

/** Upstream address forms (reverse_proxy docs, "Upstream addresses"). */
export function parseUpstream(token: CaddyUpstream['token']): CaddyUpstream {
  const t = token.text;
  if (token.env || t.includes('{') || t.startsWith('unix/') || t.startsWith('unix+h2c/')) return { token, opaque: true };
  let rest = t;
  let scheme: string | undefined;
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(t);
  if (m) {
    scheme = m[1].toLowerCase();
    rest = t.slice(m[0].length);
  }
  let host = rest;
  let port: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    host = close === -1 ? rest : rest.slice(1, close);
    if (close !== -1 && rest[close + 1] === ':') port = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon !== -1 && rest.indexOf(':') === colon) {
      host = rest.slice(0, colon);
      port = rest.slice(colon + 1);
    }
  }
  return { token, scheme, host, port, opaque: false };
}

/** Caddy turns TLS on for `https://` upstreams and for port 443 (transport http docs, `tls`). */
export function usesTls(u: CaddyUpstream): boolean {
  return u.scheme === 'https' || (u.scheme === undefined && u.port === '443');
}

export function isIpAddress(host: string | undefined): boolean {
  return !!host && net.isIP(host) !== 0;
}

/** A name a certificate can carry (not an address, a placeholder or a socket). */
export function isHostName(host: string | undefined): host is string {
  return !!host && net.isIP(host) === 0 && /[a-zA-Z]/.test(host) && !host.includes('{');
}
