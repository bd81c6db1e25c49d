// One expanded Apache config as the rules read it: the main server and its virtual hosts (server scopes),
// what each sets directly (through <IfModule>-style conditionals, which we cannot evaluate and so read as
// true), effective values (a virtual host inherits from the main server), ProxyPass lines with their
// parts, and the balancers that <Proxy balancer://…> sections and BalancerMember lines define.
import * as path from 'path';
import { LineIndex } from '../../text';
import type { ApacheWord } from './parser';
import { ApacheNode, ApacheTree } from './tree';

/** Conditionals that wrap directives without changing their scope. */
export const CONDITIONALS = new Set(['ifmodule', 'ifdefine', 'ifversion', 'iffile', 'ifdirective', 'ifsection']);
/** Per-directory / per-URL containers inside a server scope. */
export const PATH_CONTAINERS = new Set(['location', 'locationmatch', 'directory', 'directorymatch', 'files', 'filesmatch', 'proxy', 'proxymatch', 'if', 'elseif', 'else', 'limit', 'limitexcept']);

export interface ApacheScope {
  /** The <VirtualHost> container; undefined for the main server. */
  vhost?: ApacheNode;
  label: string;
  /** Directives that apply to the whole server (not inside a path container), in order. */
  direct: ApacheNode[];
  /** Every directive in the scope, path containers included, in order. */
  all: ApacheNode[];
}

export interface ProxyPassLine {
  node: ApacheNode;
  scope: ApacheScope;
  /** The <Location> / <LocationMatch> it sits in (then it has no path argument). */
  location?: ApacheNode;
  /** The path argument (undefined in the <Location> form). */
  path?: ApacheWord;
  /** The URL argument, or `!` for an exclusion. */
  url?: ApacheWord;
  /** `key=value` parameters after the URL. */
  params: Map<string, string>;
}

export interface Balancer {
  name: string;
  /** The <Proxy balancer://name> sections. */
  sections: ApacheNode[];
  /** Its BalancerMember lines (inside the section, or outside with the balancer URL first). */
  members: ApacheNode[];
}

export class ApacheConfig {
  /** Every directive key present (lower case), so the engine can skip rules that have nothing to look at. */
  readonly keys = new Set<string>();
  readonly main: ApacheScope;
  readonly vhosts: ApacheScope[] = [];
  private readonly lineIndexes = new Map<string, LineIndex>();

  constructor(readonly tree: ApacheTree) {
    this.main = { label: 'the main server', direct: [], all: [] };
    for (const [f, s] of tree.files) this.lineIndexes.set(f, s.lines);
    this.collect(tree.nodes, this.main, true);
  }

  private collect(nodes: ApacheNode[], scope: ApacheScope, direct: boolean): void {
    for (const n of nodes) {
      this.keys.add(n.d.key);
      if (n.d.key === 'macro') continue; // a macro body applies where it is `Use`d, not here
      if (n.d.key === 'virtualhost' && scope === this.main) {
        const name = n.children.filter((c) => c.d.key === 'servername').pop()?.d.args[0]?.value;
        const vhost: ApacheScope = { vhost: n, label: `<VirtualHost ${n.d.args.map((a) => a.value).join(' ')}>${name ? ` (${name})` : ''}`, direct: [], all: [] };
        this.vhosts.push(vhost);
        this.collect(n.children, vhost, true);
        continue;
      }
      scope.all.push(n);
      if (direct) scope.direct.push(n);
      if (n.d.children) this.collect(n.children, scope, direct && CONDITIONALS.has(n.d.key));
    }
  }

  get rootFile(): string {
    return this.tree.rootFile;
  }

  /**
   * Does the tree hold the whole server config? Yes when the root is apache2.conf / httpd.conf or sets the
   * ServerRoot, and every Include was followed. A vhost file read on its own may get a balancer or
   * `SSLProxyEngine on` from a main config we do not see, so rules that depend on those only warn.
   */
  get complete(): boolean {
    const main = /^(apache2?|httpd)\.conf$/.test(path.basename(this.tree.rootFile)) || this.keys.has('serverroot');
    return main && !this.tree.problems.some((p) => p.kind === 'include-not-found' || p.kind === 'include-unreadable') && !this.keys.has('use');
  }

  get scopes(): ApacheScope[] {
    return [this.main, ...this.vhosts];
  }

  lines(file: string): LineIndex {
    return this.lineIndexes.get(file)!;
  }

  /** The last directive with this key set for the whole server: the scope's own, else the main server's. */
  effective(scope: ApacheScope, key: string): ApacheNode | undefined {
    const own = last(scope.direct, key);
    if (own || scope === this.main) return own;
    return last(this.main.direct, key);
  }

  /** The path container a node sits in (nearest), if any. */
  pathContainer(node: ApacheNode): ApacheNode | undefined {
    for (let p = node.parent; p; p = p.parent) if (PATH_CONTAINERS.has(p.d.key)) return p;
    return undefined;
  }

  /** The ancestor of `node` (or the node) that sits directly in its server scope: where a server-wide line goes. */
  scopeLevel(node: ApacheNode): ApacheNode {
    let n = node;
    while (n.parent && n.parent.d.key !== 'virtualhost') n = n.parent;
    return n;
  }

  /** Every ProxyPass line of every scope, with its parts. */
  proxyPasses(): ProxyPassLine[] {
    const out: ProxyPassLine[] = [];
    for (const scope of this.scopes) {
      for (const node of scope.all) {
        if (node.d.key !== 'proxypass') continue;
        const container = this.pathContainer(node);
        const location = container && (container.d.key === 'location' || container.d.key === 'locationmatch') ? container : undefined;
        if (container && !location) continue; // httpd refuses ProxyPass in <Directory>/<Files>: not ours to read
        const args = node.d.args;
        const [path, url, rest] = location ? [undefined, args[0], args.slice(1)] : [args[0], args[1], args.slice(2)];
        const params = new Map<string, string>();
        for (const a of rest) {
          const eq = a.value.indexOf('=');
          if (eq > 0) params.set(a.value.slice(0, eq).toLowerCase(), a.value.slice(eq + 1));
        }
        out.push({ node, scope, location, path, url, params });
      }
    }
    return out;
  }

  /** Balancers by name (`balancer://name`, lower case as httpd compares them). */
  balancers(): Map<string, Balancer> {
    const out = new Map<string, Balancer>();
    const get = (name: string) => {
      let b = out.get(name);
      if (!b) out.set(name, (b = { name, sections: [], members: [] }));
      return b;
    };
    for (const scope of this.scopes) {
      for (const node of scope.all) {
        if (node.d.key === 'proxy') {
          const name = balancerName(node.d.args[0]?.value);
          if (name) get(name).sections.push(node);
        } else if (node.d.key === 'balancermember') {
          const p = this.pathContainer(node);
          const inSection = p?.d.key === 'proxy' ? balancerName(p.d.args[0]?.value) : undefined;
          const name = inSection ?? balancerName(node.d.args[0]?.value);
          if (name) get(name).members.push(node);
        }
      }
    }
    return out;
  }
}

function last(nodes: ApacheNode[], key: string): ApacheNode | undefined {
  for (let i = nodes.length - 1; i >= 0; i--) if (nodes[i].d.key === key) return nodes[i];
  return undefined;
}

/** `balancer://name/...` → `name` (lower case), else undefined. */
export function balancerName(url: string | undefined): string | undefined {
  const m = url ? /^balancer:\/\/([^/]+)/i.exec(url) : null;
  return m ? m[1].toLowerCase() : undefined;
}

/** The URL a ProxyPass really speaks to: `unix:/sock|http://host/` talks HTTP with that URL. */
export function backendUrl(url: string): string {
  const bar = url.indexOf('|');
  return /^unix:/i.test(url) && bar !== -1 ? url.slice(bar + 1) : url;
}

/** A time in seconds as httpd's ap_timeout_parameter_parse reads it (default unit s; ms, s, mi, hr). */
export function parseSeconds(value: string): number | undefined {
  const m = /^(\d+)(ms|s|mi|hr)?$/i.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  switch ((m[2] ?? 's').toLowerCase()) {
    case 'ms':
      return n / 1000;
    case 'mi':
      return n * 60;
    case 'hr':
      return n * 3600;
    default:
      return n;
  }
}
