// Where in the workspace's nginx configs a URL is served: the server block, the location, the proxy_pass
// and the upstream group it names, the error_log in effect, each with its file and line so the editor
// can open it. Same choice as the probe's --config mapping (src/core/probe/configMap.ts), which only keeps
// human-readable lines; this keeps the positions.
import { buildTree, ConfNode, ConfTree, SourceCache, childrenNamed, contextOf, findRoots } from './tree';
import { nginxCandidates } from '../../lint';
import { RuleContext } from './rule';
import { parseProxyTarget } from './upstreamTarget';
import { defaultPort } from '../../probe/resolveOverride';

export interface RoutePlace {
  kind: 'server' | 'location' | 'proxy_pass' | 'upstream' | 'error_log';
  /** The directive as written, e.g. `location /api/` or `proxy_pass http://shop_app`. */
  text: string;
  file: string;
  /** 0-based. */
  line: number;
  character: number;
}

export interface UrlRoute {
  /** The root config file whose tree serves the URL. */
  root: string;
  places: RoutePlace[];
}

function place(tree: ConfTree, kind: RoutePlace['kind'], n: ConfNode): RoutePlace {
  const src = tree.files.get(n.d.file);
  const pos = src ? src.lines.positionAt(n.d.start) : { line: 0, character: 0 };
  const text = [n.d.name, ...n.d.args.map((a) => a.value)].join(' ');
  return { kind, text: text.length > 120 ? text.slice(0, 119) + '…' : text, file: n.d.file, line: pos.line, character: pos.character };
}

function listenPort(arg: string): number | undefined {
  const m = /(?:^|:)(\d+)$/.exec(arg.replace(/^\[[^\]]*\]/, ''));
  return m ? +m[1] : undefined;
}

function nameMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('~')) {
    try {
      return new RegExp(pattern.slice(1).replace(/\(\?P<(\w+)>/g, '(?<$1>'), 'i').test(host);
    } catch {
      return false;
    }
  }
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return host.endsWith(p.slice(1)) || host === p.slice(2);
  if (p.startsWith('.')) return host === p.slice(1) || host.endsWith(p);
  if (p.endsWith('.*')) return host.startsWith(p.slice(0, -1));
  return p === host;
}

/** nginx's server choice for a port: a server_name match, else the default_server, else the first. */
export function pickServer(tree: ConfTree, port: number, host: string): ConfNode | undefined {
  const servers = (tree.byName.get('server') ?? []).filter((n) => n.children && contextOf(n, tree.rootContext) === 'server');
  const onPort = servers.filter((s) => {
    const listens = childrenNamed(s.children, 'listen');
    if (listens.length === 0) return port === 80;
    return listens.some((l) => listenPort(l.d.args[0]?.value ?? '') === port);
  });
  return (
    onPort.find((s) => childrenNamed(s.children, 'server_name').some((n) => n.d.args.some((a) => nameMatches(a.value, host)))) ??
    onPort.find((s) => childrenNamed(s.children, 'listen').some((l) => l.d.args.some((a) => a.value === 'default_server' || a.value === 'default'))) ??
    onPort[0]
  );
}

/** nginx's location choice: exact, else longest prefix (final if ^~), else first regex, else that prefix. */
export function pickLocation(server: ConfNode, uri: string): ConfNode | undefined {
  const locs = childrenNamed(server.children, 'location');
  let best: ConfNode | undefined;
  let bestLen = -1;
  for (const l of locs) {
    const a = l.d.args.map((x) => x.value);
    if (a[0] === '=' && a[1] === uri) return l;
    const prefix = a.length === 1 ? a[0] : a[0] === '^~' ? a[1] : undefined;
    if (prefix !== undefined && !prefix.startsWith('@') && uri.startsWith(prefix) && prefix.length > bestLen) {
      best = l;
      bestLen = prefix.length;
    }
  }
  if (best && best.d.args[0].value === '^~') return best;
  for (const l of locs) {
    const a = l.d.args.map((x) => x.value);
    if (a[0] === '~' || a[0] === '~*') {
      try {
        if (new RegExp(a[1], a[0] === '~*' ? 'i' : '').test(uri)) return l;
      } catch {
        /* a PCRE-only pattern: skip it */
      }
    }
  }
  return best;
}

/** The first root file (in the order given) with a server block for the URL's port; undefined when none. */
export function routeUrl(rawUrl: string, roots: string[], cache: SourceCache): UrlRoute | undefined {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return undefined;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  // Root configs first: a site file is read inside the nginx.conf that includes it (its error_log …).
  for (const root of findRoots(nginxCandidates(roots), cache)) {
    const tree = buildTree(root, cache);
    const server = pickServer(tree, defaultPort(url), host);
    if (!server) continue;
    const places: RoutePlace[] = [place(tree, 'server', server)];
    const loc = pickLocation(server, url.pathname);
    const scope = loc ?? server;
    if (loc) places.push(place(tree, 'location', loc));
    const pass = childrenNamed(scope.children, 'proxy_pass')[0];
    if (pass) {
      places.push(place(tree, 'proxy_pass', pass));
      const target = parseProxyTarget(pass.d.args[0]?.value ?? '');
      const group = target && !target.hasVariable ? (tree.byName.get('upstream') ?? []).find((u) => u.d.args[0]?.value === target.host) : undefined;
      if (group) places.push(place(tree, 'upstream', group));
    }
    const log = new RuleContext(tree, undefined).effective(scope, 'error_log');
    if (log.nodes.length) places.push(place(tree, 'error_log', log.nodes[0]));
    return { root, places };
  }
  return undefined;
}
