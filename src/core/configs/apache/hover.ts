// What the editor shows when hovering a ProxyPass line: where a request goes, and the settings in effect
// for that backend with where each comes from (the line's own parameters, its virtual host, the main
// server, or httpd's default), read inside the config that includes the file. Pure: the adapter converts
// positions and renders links.
import type { Position, Range } from '../../finding';
import type { FileHost } from '../../host';
import { apacheRootsIncluding } from '../../lint';
import { ApacheConfig, ApacheScope, ProxyPassLine, backendUrl, parseSeconds } from './config';
import { ApacheNode, ApacheSourceCache, buildApacheTree } from './tree';

export type ApacheOrigin = { kind: 'line' } | { kind: 'set'; file: string; line: number } | { kind: 'default'; meaning: string };

export interface ApacheRow {
  name: string;
  value: string;
  origin: ApacheOrigin;
}

export interface ApacheExplanation {
  /** The hovered directive name's range. */
  range: Range;
  /** `<VirtualHost *:80> (shop.example)` or `the main server`. */
  scope: string;
  /** `/app/x → http://127.0.0.1:9001/app/x`, when the line has a path and a URL. */
  mapping?: string;
  rows: ApacheRow[];
}

export interface ApacheHoverInput {
  file: string;
  position: Position;
  candidates: string[];
  host: FileHost;
}

export function explainApacheAt(input: ApacheHoverInput): ApacheExplanation | undefined {
  const cache = new ApacheSourceCache(input.host);
  const [root] = apacheRootsIncluding(input.file, input.candidates, cache);
  const tree = buildApacheTree(root, cache);
  const src = tree.files.get(input.file);
  if (!src || src.parsed.binary) return undefined;
  const config = new ApacheConfig(tree);
  const offset = src.lines.offsetAt(input.position);
  const p = config.proxyPasses().find((x) => x.node.d.file === input.file && offset >= x.node.d.start && offset <= x.node.d.start + x.node.d.name.length);
  if (!p || !p.url) return undefined;
  const rows: ApacheRow[] = [];
  const url = p.url.value;
  rows.push({ name: 'backend', value: url === '!' ? '`!` (not proxied)' : `\`${url}\``, origin: { kind: 'line' } });
  if (url !== '!') {
    rows.push(timeoutRow(config, p));
    // HTTP backends are pooled by default; FastCGI and others have their own defaults, not shown here.
    if (/^(https?|wss?|balancer):\/\//i.test(backendUrl(url))) rows.push(reuseRow(config, p));
    rows.push(setting(config, p.scope, 'proxypreservehost', 'ProxyPreserveHost', 'Off: the backend gets the URL’s host as Host'));
    rows.push(reverseRow(config, p));
    if (/^(https|wss):\/\//i.test(backendUrl(url))) rows.push(setting(config, p.scope, 'sslproxyengine', 'SSLProxyEngine', '**off: requests to this https backend fail with 500 (AH00961)**'));
  }
  const path = p.location ? (p.location.d.key === 'location' ? p.location.d.args[0]?.value : undefined) : p.path?.value;
  const mapping = path && url !== '!' ? `${path}x → ${url}x` : undefined;
  return { range: src.lines.range(p.node.d.start, p.node.d.start + p.node.d.name.length), scope: p.scope.label, mapping, rows };
}

function origin(node: ApacheNode): ApacheOrigin {
  return { kind: 'set', file: node.d.file, line: node.d.line };
}

/** A server-wide setting in effect for the scope: the vhost's own line, the main server's, or the default. */
function setting(config: ApacheConfig, scope: ApacheScope, key: string, name: string, unset: string): ApacheRow {
  const n = config.effective(scope, key);
  return n ? { name, value: `\`${n.d.args.map((a) => a.value).join(' ')}\``, origin: origin(n) } : { name, value: '—', origin: { kind: 'default', meaning: unset } };
}

/** mod_proxy: `timeout=` on the line, else ProxyTimeout, else Timeout (60 s by default). */
function timeoutRow(config: ApacheConfig, p: ProxyPassLine): ApacheRow {
  const own = p.params.get('timeout');
  if (own !== undefined) return { name: 'timeout', value: seconds(own), origin: { kind: 'line' } };
  const proxy = config.effective(p.scope, 'proxytimeout');
  if (proxy) return { name: 'timeout', value: seconds(proxy.d.args[0]?.value ?? ''), origin: origin(proxy) };
  const core = config.effective(p.scope, 'timeout');
  if (core) return { name: 'timeout', value: seconds(core.d.args[0]?.value ?? ''), origin: origin(core) };
  return { name: 'timeout', value: '60 s', origin: { kind: 'default', meaning: 'no `ProxyTimeout` or `Timeout`: httpd’s default `Timeout 60`' } };
}

/** Whether idle backend connections are reused: httpd pools them unless told otherwise. */
function reuseRow(config: ApacheConfig, p: ProxyPassLine): ApacheRow {
  if (/^on$/i.test(p.params.get('disablereuse') ?? '')) return { name: 'connection reuse', value: 'off (`disablereuse=On`): a new connection per request', origin: { kind: 'line' } };
  const ttl = p.params.get('ttl');
  if (ttl !== undefined) return { name: 'connection reuse', value: `idle connections reused for up to ${seconds(ttl)} (\`ttl=${ttl}\`)`, origin: { kind: 'line' } };
  const notPooled = p.scope.all.find((n) => n.d.key === 'setenv' && n.d.args[0]?.value.toLowerCase() === 'proxy-initial-not-pooled') ?? config.main.direct.find((n) => n.d.key === 'setenv' && n.d.args[0]?.value.toLowerCase() === 'proxy-initial-not-pooled');
  if (notPooled) return { name: 'connection reuse', value: 'pooled, but not for a client connection’s first request (`proxy-initial-not-pooled`)', origin: origin(notPooled) };
  return { name: 'connection reuse', value: 'idle connections reused with no `ttl=`', origin: { kind: 'default', meaning: 'a backend that closes idle connections first can make a reused one fail (AH01102 "error reading status line")' } };
}

function reverseRow(config: ApacheConfig, p: ProxyPassLine): ApacheRow {
  const url = backendUrl(p.url!.value).replace(/\/$/, '').toLowerCase();
  for (const scope of [p.scope, config.main]) {
    for (const n of scope.all) {
      if (n.d.key !== 'proxypassreverse') continue;
      const loc = config.pathContainer(n);
      const r = (loc ? n.d.args[0]?.value : n.d.args[1]?.value)?.replace(/\/$/, '').toLowerCase();
      if (r && (url === r || (url.startsWith(r) && url[r.length] === '/'))) return { name: 'ProxyPassReverse', value: `\`${n.d.args.map((a) => a.value).join(' ')}\``, origin: origin(n) };
    }
  }
  return { name: 'ProxyPassReverse', value: '—', origin: { kind: 'default', meaning: 'none: backend redirects reach the client unchanged' } };
}

function seconds(value: string): string {
  const s = parseSeconds(value);
  return s === undefined ? `\`${value}\`` : `${s} s`;
}

export interface ApacheRenderOptions {
  link: (file: string, line: number) => string;
}

/** Markdown for the hover: the scope, the mapping, then one row per setting with its origin. */
export function renderApacheHover(e: ApacheExplanation, opts: ApacheRenderOptions): string {
  const out = [`**ProxyPass** in ${e.scope.replace(/</g, '&lt;')}`, ''];
  if (e.mapping) out.push(`A request for \`${e.mapping.replace(' → ', '` goes to `')}\``, '');
  out.push('| setting | value | from |', '|---|---|---|');
  for (const r of e.rows) {
    const from = r.origin.kind === 'line' ? 'this line' : r.origin.kind === 'set' ? opts.link(r.origin.file, r.origin.line) : r.origin.meaning;
    out.push(`| ${r.name} | ${r.value} | ${from} |`);
  }
  return out.join('\n');
}
