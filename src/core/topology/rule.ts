// Cross-layer rules: data plus one `check`, called once over the whole workspace (every nginx tree and
// every app-server config). A finding names both ends: the nginx line and, as related information, the
// app server's setting.
import type { CauseId, Finding, Fix, Range, Related, Severity, TextEdit } from '../finding';
import type { AppServerConfig } from '../configs/appServers';
import { RuleContext } from '../configs/nginx/rule';
import type { ConfNode, ConfTree } from '../configs/nginx/tree';
import * as path from 'path';
import { LineIndex } from '../text';
import { HaproxyTarget, NginxHop, NginxListener, haproxyTargets, nginxHops, nginxListeners } from './chain';
import { HaproxyConfig } from '../configs/haproxy/config';
import { HaproxyRuleContext } from '../configs/haproxy/rule';
import type { HaproxyLine } from '../configs/haproxy/parser';
import { CaddyConfig, ReverseProxy } from '../configs/caddy/config';
import { CaddyRuleContext } from '../configs/caddy/rule';
import { parseDuration } from '../configs/caddy/parser';
import { ApacheConfig, ProxyPassLine, backendUrl, parseSeconds } from '../configs/apache/config';
import { ApacheRuleContext } from '../configs/apache/rule';
import { parseProxyTarget } from '../configs/nginx/upstreamTarget';

export interface TopologyRule {
  id: string;
  cause: CauseId;
  severity: Severity;
  title: string;
  check(ctx: TopologyContext): void;
}

export interface TreeView {
  tree: ConfTree;
  ctx: RuleContext;
  hops: NginxHop[];
  listeners: NginxListener[];
  /** The app servers that belong with this tree's stack (see pairApps). */
  apps: AppServerConfig[];
}

/** An HAProxy file in front: its servers, the edit builders of its own rules, and what it sits nearest to. */
export interface HaproxyView {
  config: HaproxyConfig;
  edit: HaproxyRuleContext;
  targets: HaproxyTarget[];
  /** The nginx trees nearest to it in the folder tree (its stack), by index into `views`. */
  near: TreeView[];
}

/** A `reverse_proxy` of a Caddyfile, with its upstreams as addresses and its transport's keep-alive. */
export interface CaddyProxy {
  rp: ReverseProxy;
  targets: Array<{ host?: string; port?: number; token: ReverseProxy['upstreams'][number]['token'] }>;
  /** How long the http transport keeps idle connections (`keepalive`, 2m by default); 0 for `off`. */
  keepAliveMs: number;
  /** The `keepalive` option that sets it, when one does. */
  keepAliveOption?: ReverseProxy['options'][number];
  transport?: ReturnType<CaddyConfig['transport']>;
}

export interface CaddyView {
  config: CaddyConfig;
  edit: CaddyRuleContext;
  proxies: CaddyProxy[];
  /** The app servers nearest to this Caddyfile in the folder tree (its stack). */
  apps: AppServerConfig[];
}

export const CADDY_KEEPALIVE_DEFAULT_MS = 120000;

/** A ProxyPass of an Apache config: where it sends requests, and how long httpd waits for the backend. */
export interface ApacheHop {
  pass: ProxyPassLine;
  host?: string;
  port?: number;
  socket?: string;
  /** The `timeout=` parameter, else ProxyTimeout, else Timeout, else 60 s (httpd's default). */
  timeoutMs: number;
  timeoutFrom: string;
  /** httpd speaks TLS to it (`https://`): a TLS endpoint, not one of the plain app listeners read here. */
  tls?: boolean;
}

export interface ApacheView {
  config: ApacheConfig;
  edit: ApacheRuleContext;
  hops: ApacheHop[];
  apps: AppServerConfig[];
}

export class TopologyContext {
  readonly findings: Finding[] = [];
  rule!: TopologyRule;
  readonly views: TreeView[];
  readonly haproxy: HaproxyView[];
  readonly caddy: CaddyView[];
  readonly apache: ApacheView[];

  constructor(
    trees: Array<{ tree: ConfTree; ctx: RuleContext }>,
    readonly apps: AppServerConfig[],
    /** The text of app-server files, for edits that insert a line. */
    private readonly texts: ReadonlyMap<string, string>,
    /** Every nginx file of the workspace (not only these trees'), to pair app servers with their stack. */
    nginxFiles: string[] = [],
    haproxy: HaproxyConfig[] = [],
    caddy: CaddyConfig[] = [],
    apache: ApacheConfig[] = [],
  ) {
    const files = nginxFiles.length ? nginxFiles : trees.flatMap(({ tree }) => [...tree.files.keys()]);
    // An app server belongs with the front layer (nginx or Caddy file) nearest to it in the folder tree.
    const fronts = [...files, ...caddy.map((c) => c.file), ...apache.flatMap((a) => [...a.tree.files.keys()])];
    const nearest = new Map(apps.map((a) => [a, nearestFiles(a.file, fronts)]));
    this.views = trees.map(({ tree, ctx }) => ({
      tree,
      ctx,
      hops: nginxHops(tree, ctx),
      listeners: nginxListeners(ctx),
      apps: apps.filter((a) => nearest.get(a)!.some((f) => tree.files.has(f))),
    }));
    this.apache = apache.map((config) => ({ config, edit: new ApacheRuleContext(config), hops: apacheHops(config), apps: apps.filter((a) => nearest.get(a)!.some((f) => config.tree.files.has(f))) }));
    this.caddy = caddy.map((config) => ({ config, edit: new CaddyRuleContext(config), proxies: caddyProxies(config), apps: apps.filter((a) => nearest.get(a)!.includes(config.file)) }));
    this.haproxy = haproxy.map((config) => {
      const near = nearestFiles(config.file, files);
      return { config, edit: new HaproxyRuleContext(config), targets: haproxyTargets(config), near: this.views.filter((v) => near.some((f) => v.tree.files.has(f))) };
    });
  }

  reportHaproxy(config: HaproxyConfig, line: HaproxyLine, message: string, related: Related[], fixes: Fix[] = [], wordIndex?: number): void {
    const w = wordIndex !== undefined ? line.words[wordIndex] : undefined;
    this.findings.push({ ruleId: this.rule.id, cause: this.rule.cause, severity: this.rule.severity, message, file: config.file, range: config.lines.range(w ? w.start : line.start, w ? w.end : line.end), related, fixes });
  }

  relatedHaproxy(config: HaproxyConfig, line: HaproxyLine, message: string): Related {
    return { file: config.file, range: config.lines.range(line.start, line.end), message };
  }

  /** Every listener nginx itself has, over all trees (a target may be another server block). */
  get nginxListeners(): NginxListener[] {
    return this.views.flatMap((v) => v.listeners);
  }

  reportAt(view: TreeView, node: ConfNode, message: string, related: Related[], fixes: Fix[] = [], argIndex?: number): void {
    const src = view.ctx.source(node);
    const d = node.d;
    const start = argIndex !== undefined && d.args[argIndex] ? d.args[argIndex].start : d.start;
    const end = argIndex !== undefined && d.args[argIndex] ? d.args[argIndex].end : d.args.length ? d.args[d.args.length - 1].end : d.nameEnd;
    this.findings.push({ ruleId: this.rule.id, cause: this.rule.cause, severity: this.rule.severity, message, file: src.file, range: src.lines.range(start, end), related, fixes });
  }

  related(view: TreeView, node: ConfNode, message: string): Related {
    const src = view.ctx.source(node);
    return { file: src.file, range: src.lines.range(node.d.start, node.d.args.length ? node.d.args[node.d.args.length - 1].end : node.d.nameEnd), message };
  }

  /** An edit appending lines at the end of an app-server file (a setting it does not have yet). */
  appendToFile(file: string, lines: string[]): TextEdit | undefined {
    const text = this.texts.get(file);
    if (text === undefined) return undefined;
    const idx = new LineIndex(text);
    const eol = idx.eol;
    const last = idx.lineCount - 1;
    const at = { line: last, character: idx.lineText(last).length };
    const lead = idx.lineText(last).length > 0 ? eol : '';
    return { file, range: { start: at, end: at }, newText: lead + lines.join(eol) + (lead ? '' : eol) };
  }

  replaceRange(file: string, range: Range, newText: string): TextEdit {
    return { file, range, newText };
  }
}

/**
 * The nginx files nearest to an app server's config in the folder tree (the longest shared folder path):
 * a workspace with two stacks side by side (`shop/` and `blog/`, each with its nginx and its gunicorn)
 * pairs each app with its own nginx, while `deploy/nginx/` and `app/` in one repository pair with each
 * other for want of anything nearer.
 */
export function nearestFiles(appFile: string, nginxFiles: string[]): string[] {
  const parts = (p: string) => path.dirname(p).split(/[\\/]+/);
  const mine = parts(appFile);
  const shared = (f: string) => {
    const o = parts(f);
    let i = 0;
    while (i < mine.length && i < o.length && mine[i] === o[i]) i++;
    return i;
  };
  let best = -1;
  let out: string[] = [];
  for (const f of nginxFiles) {
    const n = shared(f);
    if (n > best) {
      best = n;
      out = [f];
    } else if (n === best) out.push(f);
  }
  return out;
}

export function seconds(ms: number): string {
  if (!Number.isFinite(ms)) return 'never';
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function caddyProxies(config: CaddyConfig): CaddyProxy[] {
  const out: CaddyProxy[] = [];
  for (const rp of config.reverseProxies()) {
    if (rp.dynamic || rp.incomplete) continue;
    const transport = config.transport(rp);
    if (transport.name !== 'http' || transport.incomplete) continue;
    const option = transport.options.filter((o) => o.name === 'keepalive').pop();
    const value = option?.args[0]?.text;
    const keepAliveMs = value === undefined ? CADDY_KEEPALIVE_DEFAULT_MS : value === 'off' ? 0 : (parseDuration(value) ?? CADDY_KEEPALIVE_DEFAULT_MS);
    const targets = rp.upstreams
      .filter((u) => !u.opaque && u.host)
      .map((u) => ({ host: u.host, port: u.port !== undefined ? Number(u.port) : u.scheme === 'https' ? 443 : 80, token: u.token }));
    out.push({ rp, targets, keepAliveMs, keepAliveOption: option, transport });
  }
  return out;
}

function apacheHops(config: ApacheConfig): ApacheHop[] {
  const out: ApacheHop[] = [];
  for (const pass of config.proxyPasses()) {
    const url = pass.url?.value;
    if (!url || url === '!' || url.includes('$') || /^balancer:/i.test(url)) continue;
    const own = pass.params.get('timeout');
    const proxyTimeout = config.effective(pass.scope, 'proxytimeout')?.d.args[0]?.value;
    const timeout = config.effective(pass.scope, 'timeout')?.d.args[0]?.value;
    const [raw, from] = own !== undefined ? [own, 'timeout= on this ProxyPass'] : proxyTimeout !== undefined ? [proxyTimeout, 'ProxyTimeout'] : timeout !== undefined ? [timeout, 'Timeout'] : ['60', 'Timeout, the default'];
    const timeoutMs = Math.round((parseSeconds(raw) ?? 60) * 1000);
    const sock = /^unix:([^|]+)\|/i.exec(url);
    if (sock) {
      out.push({ pass, socket: sock[1], timeoutMs, timeoutFrom: from });
      continue;
    }
    const t = parseProxyTarget(backendUrl(url));
    if (!t || !/^https?$/.test(t.scheme)) continue;
    out.push({ pass, host: t.host, port: t.port ?? (t.scheme === 'https' ? 443 : 80), timeoutMs, timeoutFrom: from, tls: t.scheme === 'https' });
  }
  return out;
}
