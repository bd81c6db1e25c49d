// The path a request takes, as the workspace's files describe it: nginx passes it (proxy_pass,
// fastcgi_pass, uwsgi_pass) to a target — directly or through an `upstream {}` group — and an app server
// (gunicorn, uWSGI, PHP-FPM, Node) or another nginx server block listens there. Each hop carries the
// values the cross-layer rules compare: nginx's read timeout and upstream keep-alive at that place.
import type { AppListener, AppProtocol, AppServerConfig } from '../configs/appServers';
import { isLoopbackHost, isWildcardHost } from '../configs/appServers/model';
import { RuleContext } from '../configs/nginx/rule';
import type { ConfNode, ConfTree } from '../configs/nginx/tree';
import { parseProxyTarget } from '../configs/nginx/upstreamTarget';
import { parseTime } from '../configs/nginx/directives';
import { http11ByDefault } from '../configs/nginx/version';
import { HaproxyConfig, serverHost } from '../configs/haproxy/config';
import type { HaproxyLine, HaproxySection } from '../configs/haproxy/parser';

/** A place nginx sends requests to: one address of a pass directive or of an upstream group's server line. */
export interface NginxTarget {
  protocol: AppProtocol;
  host?: string;
  port?: number;
  socket?: string;
  /** The node whose argument names the address: the pass directive or the upstream's `server` line. */
  node: ConfNode;
  /** The argument index of the address in `node`. */
  argIndex: number;
  /** The upstream group it belongs to, when the pass names one. */
  upstream?: ConfNode;
  /** nginx speaks TLS to it (`proxy_pass https://…`): a TLS endpoint, not one of the plain app listeners read here. */
  tls?: boolean;
}

export interface NginxHop {
  tree: ConfTree;
  pass: ConfNode;
  protocol: AppProtocol;
  targets: NginxTarget[];
  /** proxy_/fastcgi_/uwsgi_read_timeout that applies at the pass directive. */
  readTimeout: { name: string; ms: number; node?: ConfNode; source: 'here' | 'inherited' | 'default' | 'unset' };
  /** Set when nginx keeps idle connections to this upstream and reuses them (keepalive with HTTP/1.1). */
  keepAlive?: { upstream: ConfNode; keepaliveNode?: ConfNode; timeoutMs: number; timeoutNode?: ConfNode };
}

/** A listener of nginx itself (`listen` in a server block): a target may be another server block. */
export interface NginxListener {
  protocol: 'http';
  host?: string;
  port?: number;
  socket?: string;
  node: ConfNode;
}

const PASSES: Record<string, { protocol: AppProtocol; read: string }> = {
  proxy_pass: { protocol: 'http', read: 'proxy_read_timeout' },
  fastcgi_pass: { protocol: 'fastcgi', read: 'fastcgi_read_timeout' },
  uwsgi_pass: { protocol: 'uwsgi', read: 'uwsgi_read_timeout' },
};

export function nginxHops(tree: ConfTree, ctx: RuleContext): NginxHop[] {
  const upstreams = new Map<string, ConfNode>();
  for (const u of ctx.nodes('upstream')) if (u.children) upstreams.set((u.d.args[0]?.value ?? '').toLowerCase(), u);
  const hops: NginxHop[] = [];
  for (const [name, info] of Object.entries(PASSES)) {
    for (const pass of ctx.nodes(name)) {
      const value = pass.d.args[0]?.value ?? '';
      if (!value || value.includes('$')) continue; // variables are resolved per request: not a fixed path
      const t = parseProxyTarget(value, info.protocol === 'http' ? 'http' : info.protocol);
      if (!t) continue;
      const targets: NginxTarget[] = [];
      let group: ConfNode | undefined;
      if (t.unixSocket !== undefined) targets.push({ protocol: info.protocol, socket: t.unixSocket, node: pass, argIndex: 0 });
      else if (t.port === undefined && (group = upstreams.get(t.host.toLowerCase()))) {
        for (const s of group.children ?? []) {
          if (s.d.name !== 'server' || !s.d.args[0]) continue;
          if (s.d.args.some((a) => a.value === 'down' || a.value === 'backup')) continue;
          const st = parseProxyTarget(s.d.args[0].value, info.protocol);
          if (!st) continue;
          if (st.unixSocket !== undefined) targets.push({ protocol: info.protocol, socket: st.unixSocket, node: s, argIndex: 0, upstream: group });
          else targets.push({ protocol: info.protocol, host: st.host, port: st.port ?? (t.scheme === 'https' ? 443 : 80), node: s, argIndex: 0, upstream: group, tls: t.scheme === 'https' });
        }
      } else if (info.protocol === 'http' || t.port !== undefined) {
        const https = t.scheme === 'https';
        targets.push({ protocol: info.protocol, host: t.host, port: t.port ?? (https ? 443 : 80), node: pass, argIndex: 0, tls: https });
      }
      if (!targets.length) continue;
      const eff = ctx.effective(pass.parent, info.read);
      const ms = parseTime(eff.args[0] ?? '') ?? 60000;
      const hop: NginxHop = { tree, pass, protocol: info.protocol, targets, readTimeout: { name: info.read, ms, node: eff.nodes[0], source: eff.source } };
      if (group && info.protocol === 'http') hop.keepAlive = keepAliveOf(ctx, pass, group);
      hops.push(hop);
    }
  }
  return hops;
}

/** nginx reuses idle upstream connections only with a keepalive pool and HTTP/1.1 without `Connection: close`. */
function keepAliveOf(ctx: RuleContext, pass: ConfNode, group: ConfNode): NginxHop['keepAlive'] {
  const keepaliveNode = group.children?.find((c) => c.d.name === 'keepalive');
  const byDefault = http11ByDefault(ctx.version);
  if (!keepaliveNode && !byDefault) return undefined;
  const version = ctx.effective(pass.parent, 'proxy_http_version');
  if (version.args[0] !== '1.1') return undefined;
  const headers = ctx.effective(pass.parent, 'proxy_set_header');
  const conn = headers.nodes.find((h) => h.d.args[0]?.value.toLowerCase() === 'connection');
  const connValue = conn?.d.args[1]?.value;
  // Without a Connection line nginx sends `Connection: close` (before 1.29.7): every connection is closed.
  const reuses = connValue === undefined ? byDefault : connValue === '' || connValue.includes('$') || connValue.toLowerCase() === 'keep-alive';
  if (!reuses) return undefined;
  const timeout = ctx.effective(group, 'keepalive_timeout');
  return { upstream: group, keepaliveNode, timeoutMs: parseTime(timeout.args[0] ?? '') ?? 60000, timeoutNode: timeout.nodes[0] };
}

export function nginxListeners(ctx: RuleContext): NginxListener[] {
  const out: NginxListener[] = [];
  for (const l of ctx.nodes('listen')) {
    if (l.parent?.d.name !== 'server') continue;
    const v = l.d.args[0]?.value ?? '';
    if (v.startsWith('unix:')) out.push({ protocol: 'http', socket: v.slice(5), node: l });
    else {
      const t = parseProxyTarget(v);
      if (!t) continue;
      // `listen 8080`, `listen 127.0.0.1:8080`, `listen [::]:80`, `listen localhost` (port 80).
      if (/^\d+$/.test(v)) out.push({ protocol: 'http', port: +v, node: l });
      else out.push({ protocol: 'http', host: t.host === '*' ? undefined : t.host, port: t.port ?? 80, node: l });
    }
  }
  return out;
}

export interface Endpoint {
  host?: string;
  port?: number;
  socket?: string;
}

/** Does a listener accept what a target sends? Same socket path, or same port on an address it binds. */
export function listenerServes(listener: Endpoint, target: Endpoint): boolean {
  if (target.socket !== undefined || listener.socket !== undefined) return target.socket !== undefined && listener.socket !== undefined && normSocket(target.socket) === normSocket(listener.socket);
  if (listener.port !== target.port) return false;
  if (isWildcardHost(listener.host)) return true;
  const a = (listener.host ?? '').toLowerCase();
  const b = (target.host ?? '').toLowerCase();
  return a === b || (isLoopbackHost(a) && isLoopbackHost(b));
}

function normSocket(p: string): string {
  return p.replace(/\/+/g, '/').replace(/^\/var\/run\//, '/run/');
}

/** A target on this machine (loopback or a unix socket): one whose listener the workspace should describe. */
export function isLocalTarget(t: Endpoint): boolean {
  return t.socket !== undefined || isLoopbackHost(t.host);
}

export interface TopologyInput {
  trees: ConfTree[];
  apps: AppServerConfig[];
  nginxVersion?: string;
}

export function describeListener(l: AppListener | Endpoint): string {
  if (l.socket !== undefined) return `unix:${l.socket}`;
  return `${l.host && !isWildcardHost(l.host) ? (l.host.includes(':') ? `[${l.host}]` : l.host) : '*'}:${l.port}`;
}

/** A `server` line of an HAProxy backend, as an address the topology can match. */
export interface HaproxyTarget extends Endpoint {
  config: HaproxyConfig;
  backend: HaproxySection;
  line: HaproxyLine;
}

/** The servers of every HAProxy backend (or listen section), with their addresses. */
export function haproxyTargets(config: HaproxyConfig): HaproxyTarget[] {
  const out: HaproxyTarget[] = [];
  for (const backend of config.backends())
    for (const line of config.servers(backend)) {
      const a = line.words[2]?.value;
      if (!a || a.includes('$')) continue;
      const sock = /^(?:unix@)?(\/.+)$/.exec(a);
      if (sock) {
        out.push({ config, backend, line, socket: sock[1] });
        continue;
      }
      const host = serverHost(a);
      const m = /:(\d+)$/.exec(a);
      if (host === undefined || !m) continue; // no port: HAProxy uses the client's (not a fixed place)
      out.push({ config, backend, line, host, port: +m[1] });
    }
  return out;
}

/** The longest read timeout of the locations in one nginx `server {}` block (what a request there may wait). */
export function longestReadTimeout(hops: NginxHop[], server: ConfNode): NginxHop | undefined {
  let best: NginxHop | undefined;
  for (const h of hops) {
    let p: ConfNode | undefined = h.pass.parent;
    while (p && p !== server) p = p.parent;
    if (p === server && (!best || h.readTimeout.ms > best.readTimeout.ms)) best = h;
  }
  return best;
}
