// --config: which nginx server/location a URL lands in, where it is proxied, and the effective
// proxy_buffer_size there. The upstream is then probed directly and its response header size compared
// with that buffer, so "too big header" is predicted even without the error log.
import * as path from 'path';
import { buildTree, ConfNode, ConfTree, SourceCache, childrenNamed, contextOf, findRoots } from '../configs/nginx/tree';
import { nginxCandidates } from '../lint';
import { RuleContext } from '../configs/nginx/rule';
import { parseSize } from '../configs/nginx/directives';
import { parseProxyTarget } from '../configs/nginx/upstreamTarget';
import { pickLocation, pickServer } from '../configs/nginx/urlRoute';
import { treeVersion } from '../configs/nginx/lint';
import { http11ByDefault, formatVersion } from '../configs/nginx/version';
import { NodeFileHost } from '../host';
import type { CauseId, Finding } from '../finding';
import { lintTopology } from '../topology/lint';
import { readAppSide } from '../topology/workspace';
import type { KeepAliveInfo } from './types';
import { defaultPort, ResolveOverride } from './resolveOverride';
import { parseProbeUrl, probeOnce } from './probe';
import { measureKeepAlive } from './keepAlive';

export interface ConfigMapping {
  /** Human lines for the text report. */
  lines: string[];
  /** What the mapping found; `ruleId` when it is a cross-layer finding on the path of this URL. */
  notes: Array<{ cause: CauseId; text: string; ruleId?: string }>;
  errorLog?: string;
  /** With measureKeepAliveMs: the upstream's idle keep-alive timeout, measured directly. */
  upstreamKeepAlive?: KeepAliveInfo;
}

/** nginx's duration syntax (1h30m, 75s, 500ms, a bare number of seconds) → ms. */
export function parseNginxTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return +text * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000, w: 604800000, M: 2592000000, y: 31536000000 };
  let total = 0;
  const re = /(\d+)(ms|s|m|h|d|w|M|y)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(text))) {
    total += +m[1] * units[m[2]];
    at = re.lastIndex;
  }
  return at === text.length && at > 0 ? total : undefined;
}

const fmtMs = (ms: number) => (ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : `${ms} ms`);

function where(tree: ConfTree, n: ConfNode): string {
  const src = tree.files.get(n.d.file)!;
  return `${path.basename(n.d.file)}:${src.lines.positionAt(n.d.start).line + 1}`;
}

export async function mapUrlToConfig(
  rawUrl: string,
  files: string[],
  opts: { timeoutMs: number; resolve?: ResolveOverride[]; signal?: AbortSignal; measureKeepAliveMs?: number; nginxVersion?: string; appServerFiles?: string[] },
): Promise<ConfigMapping> {
  const url = parseProbeUrl(rawUrl);
  const cache = new SourceCache(new NodeFileHost());
  const out: ConfigMapping = { lines: [], notes: [] };
  const port = defaultPort(url);
  // Root configs first: a site file is read inside the nginx.conf that includes it (its error_log …).
  for (const file of findRoots(nginxCandidates(files), cache)) {
    const tree = buildTree(file, cache);
    const server = pickServer(tree, port, url.hostname);
    if (!server) continue;
    const ctx = new RuleContext(tree, undefined);
    out.lines.push(`server block at ${where(tree, server)} answers port ${port}`);
    const loc = pickLocation(server, url.pathname);
    const scope = loc ?? server;
    if (loc) out.lines.push(`location ${loc.d.args.map((a) => a.value).join(' ')} at ${where(tree, loc)}`);
    const log = ctx.effective(scope, 'error_log');
    if (log.nodes.length && log.args[0] && log.args[0] !== 'stderr' && !log.args[0].startsWith('syslog:')) {
      out.errorLog = path.isAbsolute(log.args[0]) ? log.args[0] : path.resolve(path.dirname(file), log.args[0]);
      out.lines.push(`error_log ${out.errorLog} (${where(tree, log.nodes[0])})`);
    }
    const pass = childrenNamed(scope.children, 'proxy_pass')[0];
    if (!pass) {
      out.lines.push('no proxy_pass in that block: nothing to compare upstream-side');
      break;
    }
    const target = parseProxyTarget(pass.d.args[0]?.value ?? '');
    // The cross-layer findings on this URL's path (the pass line, or its upstream's server lines): what the
    // app servers' own configs say about where they listen and how long they wait.
    const named = target && !target.hasVariable && target.port === undefined ? (tree.byName.get('upstream') ?? []).find((u) => u.d.args[0]?.value === target.host) : undefined;
    for (const f of crossLayerOnPath(tree, pass, named, files, opts)) {
      out.notes.push({ cause: f.cause, ruleId: f.ruleId, text: `${f.ruleId} (${path.basename(f.file)}:${f.range.start.line + 1}): ${f.message}` });
      out.lines.push(`cross-layer: ${f.ruleId} at ${path.basename(f.file)}:${f.range.start.line + 1}`);
    }
    if (!target || target.hasVariable || target.unixSocket) {
      out.lines.push(`proxy_pass ${pass.d.args[0]?.value} at ${where(tree, pass)}: not probed directly (variable or unix socket)`);
      break;
    }
    let host = target.host;
    let upPort = target.port;
    const group = (tree.byName.get('upstream') ?? []).find((u) => u.d.args[0]?.value === target.host);
    if (group) {
      const first = childrenNamed(group.children, 'server')[0]?.d.args[0]?.value;
      const t = first ? parseProxyTarget(first) : undefined;
      if (t) {
        host = t.host;
        upPort = t.port;
      }
    }
    upPort = upPort ?? (target.scheme === 'https' ? 443 : 80);
    const buf = ctx.effective(scope, 'proxy_buffer_size');
    const bufBytes = parseSize(buf.args[0]?.split('|')[0] ?? '4k') ?? 4096;
    const bufWhere = buf.nodes.length ? where(tree, buf.nodes[0]) : 'default';
    const upstreamUrl = `${target.scheme}://${host.includes(':') ? `[${host}]` : host}:${upPort}${target.uri ?? url.pathname}${target.uri ? '' : url.search}`;
    out.lines.push(`proxy_pass ${pass.d.args[0].value} (${where(tree, pass)}) → probing ${upstreamUrl} directly; proxy_buffer_size ${buf.args[0]} (${bufWhere})`);
    // Straight to the upstream, as nginx reaches it: never through the user's forward proxy.
    const direct = await probeOnce(parseProbeUrl(upstreamUrl), { timeoutMs: opts.timeoutMs, signal: opts.signal, resolve: opts.resolve, headers: { host: url.host }, proxy: null });
    if (direct.error) {
      out.lines.push(`upstream directly: ${direct.error.phase} ${direct.error.code}`);
      out.notes.push({ cause: 'upstream-down', text: `the upstream ${host}:${upPort} probed directly failed too: ${direct.error.message}` });
    } else if (direct.http) {
      out.lines.push(`upstream directly: ${direct.status}, response headers ${direct.http.headerBytes} B vs proxy_buffer_size ${bufBytes} B`);
      if (direct.http.headerBytes > bufBytes)
        out.notes.push({ cause: 'buffer-limits', text: `the upstream's response headers are ${direct.http.headerBytes} bytes, more than proxy_buffer_size ${buf.args[0]} (${bufWhere}) = ${bufBytes} bytes` });
    }
    if (opts.measureKeepAliveMs !== undefined && !opts.signal?.aborted) {
      const version = treeVersion(tree, opts.nginxVersion);
      const vctx = new RuleContext(tree, version);
      const ka = await measureKeepAlive(parseProbeUrl(upstreamUrl), { timeoutMs: opts.timeoutMs, signal: opts.signal, resolve: opts.resolve, headers: { host: url.host } }, opts.measureKeepAliveMs);
      out.upstreamKeepAlive = ka;
      compareKeepAlive(out, vctx, tree, scope, group, ka, version ? `nginx ${formatVersion(version)} (${version.source})` : 'nginx older than 1.29.7 assumed (no version given)', http11ByDefault(version));
    }
    break;
  }
  return out;
}

/** Does nginx reuse idle upstream connections here, for how long, and does the upstream close them
 * sooner? nginx before 1.29.7 reuses them only with `keepalive N` in the upstream block plus HTTP/1.1
 * and an emptied Connection header; from 1.29.7 those are the defaults. Upstream keepalive_timeout
 * defaults to 60s. */
function compareKeepAlive(out: ConfigMapping, ctx: RuleContext, tree: ConfTree, scope: ConfNode, group: ConfNode | undefined, ka: KeepAliveInfo, versionText: string, newDefaults: boolean): void {
  const kaNode = group ? childrenNamed(group.children, 'keepalive')[0] : undefined;
  const http = ctx.effective(scope, 'proxy_http_version');
  const conn = ctx.effective(scope, 'proxy_set_header').nodes.find((h) => h.d.args[0]?.value.toLowerCase() === 'connection');
  const connValue = conn?.d.args[1]?.value;
  const pooled = !!kaNode || (newDefaults && !!group);
  const http11 = http.args[0] === '1.1';
  const connOk = conn ? connValue === '' || (connValue ?? '').includes('$') || connValue?.toLowerCase() === 'keep-alive' : newDefaults;
  const measured =
    ka.idleTimeoutMs !== undefined
      ? `the upstream ${ka.target} closed an idle keep-alive connection after ${Math.round(ka.idleTimeoutMs)} ms`
      : ka.openAfterMs !== undefined
        ? `the upstream ${ka.target} kept an idle connection open for at least ${Math.round(ka.openAfterMs)} ms (stopped waiting)`
        : `the upstream's idle keep-alive timeout was not measured: ${ka.error ?? 'no answer'}`;
  out.lines.push(`upstream idle keep-alive: ${measured}`);
  if (!pooled || !http11 || !connOk) {
    const why = [
      !pooled && (group ? `no \`keepalive\` in upstream ${group.d.args[0]?.value} (${where(tree, group)})` : 'proxy_pass names no upstream group with `keepalive`'),
      !http11 && `proxy_http_version ${http.args[0]}${http.source === 'default' ? ' (default)' : ''}`,
      !connOk && `Connection header ${conn ? `"${connValue}" (${where(tree, conn)})` : '"close" (default)'}`,
    ].filter(Boolean);
    out.lines.push(`nginx does not reuse idle upstream connections here (${why.join('; ')}; ${versionText}), so the upstream's idle timeout cannot race it`);
    return;
  }
  const kt = group ? childrenNamed(group.children, 'keepalive_timeout')[0] : undefined;
  const nginxMs = parseNginxTime(kt?.d.args[0]?.value) ?? 60000;
  const ktText = kt ? `keepalive_timeout ${kt.d.args[0]?.value} (${where(tree, kt)})` : 'keepalive_timeout 60s (the upstream default)';
  out.lines.push(`nginx keeps idle upstream connections for up to ${fmtMs(nginxMs)}: ${kaNode ? `keepalive ${kaNode.d.args[0]?.value} (${where(tree, kaNode)})` : `keepalive by default (${versionText})`}, ${ktText}`);
  if (ka.idleTimeoutMs !== undefined && ka.idleTimeoutMs < nginxMs) {
    out.notes.push({
      cause: 'keepalive-race',
      text:
        `keep-alive race: ${measured}, but nginx reuses idle upstream connections for up to ${fmtMs(nginxMs)} (${ktText}); ` +
        'a request nginx sends on a connection the upstream is closing fails ("upstream prematurely closed connection" / "Connection reset by peer") and becomes a 502. ' +
        `Make the upstream's idle timeout longer than ${fmtMs(nginxMs)}, or set keepalive_timeout below ${Math.round(ka.idleTimeoutMs)} ms in the upstream block.`,
    });
  }
}

function crossLayerOnPath(tree: ConfTree, pass: ConfNode, group: ConfNode | undefined, files: string[], opts: { nginxVersion?: string; appServerFiles?: string[] }): Finding[] {
  const host = new NodeFileHost();
  const appFiles = [...new Set([...(opts.appServerFiles ?? []), ...files])];
  const side = readAppSide(host, appFiles);
  if (!side.apps.length) return [];
  const onPath = new Set<ConfNode>([pass, ...(group ? childrenNamed(group.children, 'server') : []), ...(group ? childrenNamed(group.children, 'keepalive') : [])]);
  const at = (f: Finding) => [...onPath].some((n) => n.d.file === f.file && tree.files.get(n.d.file)!.lines.positionAt(n.d.start).line === f.range.start.line);
  return lintTopology([tree], side.apps, side.texts, { nginxVersion: opts.nginxVersion }, nginxCandidates(files)).filter(at);
}
