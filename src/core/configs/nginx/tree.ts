// The effective configuration of one root file: every `include` expanded in place (globs, relative and
// re-rooted absolute paths), cycles reported instead of followed, and each node knowing its parent block.
import * as path from 'path';
import { FileHost, FileReadError, expandGlob, hasGlob } from '../../host';
import { LineIndex } from '../../text';
import { NginxDirective, ParsedNginx, parseNginx } from './parser';

export type NginxContext = 'main' | 'events' | 'http' | 'server' | 'location' | 'upstream' | 'stream' | 'other';

export interface ConfNode {
  d: NginxDirective;
  parent?: ConfNode;
  /** Expanded children (includes replaced by their contents); undefined for simple directives. */
  children?: ConfNode[];
  /** The include directive that brought this node in, if any. */
  via?: ConfNode;
}

export interface SourceFile {
  file: string;
  text: string;
  lines: LineIndex;
  parsed: ParsedNginx;
}

export interface TreeProblem {
  file: string;
  start: number;
  end: number;
  message: string;
  severity: 'error' | 'warning' | 'info';
  kind: 'parse' | 'include-cycle' | 'include-missing' | 'include-unreadable' | 'unreadable';
}

export interface ConfTree {
  rootFile: string;
  /** Context the root file's top level is in: 'main' for nginx.conf, 'http' for conf.d files, … */
  rootContext: NginxContext;
  nodes: ConfNode[];
  /** Every node by directive name, in source order of the expansion. */
  byName: Map<string, ConfNode[]>;
  files: Map<string, SourceFile>;
  problems: TreeProblem[];
}

/** Include files well known to live only on the server (package defaults): missing ones are expected. */
const SYSTEM_INCLUDES = /(^|\/)(mime\.types|fastcgi_params|fastcgi\.conf|uwsgi_params|scgi_params|proxy_params|koi-utf|koi-win|win-utf)$|modules-enabled|(^|\/)snippets\//;

const MAX_INCLUDE_DEPTH = 32;
/**
 * Includes repeated in a diamond (a includes b twice, b includes c twice, …) grow exponentially: cap the
 * directives brought in by files expanded again (a 10-line snippet in 5,000 locations stays below this).
 */
const MAX_REPEATED_NODES = 200_000;

/** Parsed files shared by the trees of one lint run (a file included by many roots is parsed once). */
export class SourceCache {
  private readonly parsed = new Map<string, SourceFile | FileReadError>();
  /** Include resolutions (root folder, including folder, argument) → files: a snippet used in thousands of locations costs one lookup. */
  readonly includes = new Map<string, string[]>();
  /** Trees by root file: finding roots, linting and lintOneFile ask for the same tree several times. */
  readonly trees = new Map<string, ConfTree>();
  constructor(readonly host: FileHost) {}

  get(file: string): SourceFile | FileReadError {
    let s = this.parsed.get(file);
    if (!s) {
      try {
        const text = this.host.readFile(file);
        s = { file, text, lines: new LineIndex(text), parsed: parseNginx(file, text) };
      } catch (err) {
        s = err instanceof FileReadError ? err : new FileReadError(`${file} could not be read: ${String(err)}`, 'EIO');
      }
      this.parsed.set(file, s);
    }
    return s;
  }
}

/** Which context a file's top level belongs to, from what it contains (a snippet has no `http`). */
export function guessRootContext(directives: NginxDirective[]): NginxContext {
  const names = new Set(directives.map((d) => d.name));
  if (names.has('http') || names.has('events') || names.has('stream') || names.has('worker_processes') || names.has('user')) return 'main';
  if (names.has('server') || names.has('upstream') || names.has('map') || names.has('log_format') || names.has('proxy_cache_path')) {
    // `server` with `listen`/`server_name` siblings would be an upstream's server line: stays http.
    return 'http';
  }
  if (names.has('location') || names.has('listen') || names.has('server_name')) return 'server';
  if (names.size > 0) return 'location';
  return 'http';
}

export function contextOf(node: ConfNode | undefined, rootContext: NginxContext): NginxContext {
  if (!node) return rootContext;
  switch (node.d.name) {
    case 'http':
      return 'http';
    case 'events':
      return 'events';
    case 'stream':
      return 'stream';
    case 'server':
      return node.parent && contextOf(node.parent, rootContext) === 'upstream' ? 'other' : 'server';
    case 'location':
    case 'if':
    case 'limit_except':
      return 'location';
    case 'upstream':
      return 'upstream';
    default:
      return 'other';
  }
}

/** The expanded tree of one root file, built once per cache (a tree is never changed after it is built). */
export function buildTree(rootFile: string, cache: SourceCache): ConfTree {
  let tree = cache.trees.get(rootFile);
  if (!tree) cache.trees.set(rootFile, (tree = expandTree(rootFile, cache)));
  return tree;
}

function expandTree(rootFile: string, cache: SourceCache): ConfTree {
  const tree: ConfTree = {
    rootFile,
    rootContext: 'http',
    nodes: [],
    byName: new Map(),
    files: new Map(),
    problems: [],
  };
  const root = cache.get(rootFile);
  if (root instanceof FileReadError) {
    tree.problems.push({ file: rootFile, start: 0, end: 0, message: root.message, severity: 'error', kind: 'unreadable' });
    return tree;
  }
  tree.rootContext = guessRootContext(root.parsed.directives);
  const rootDir = path.dirname(rootFile);

  const addFile = (s: SourceFile) => {
    if (tree.files.has(s.file)) return;
    tree.files.set(s.file, s);
    for (const p of s.parsed.problems) tree.problems.push({ file: s.file, ...p, kind: s.parsed.binary ? 'unreadable' : 'parse' });
  };

  let repeated = 0;
  let overBudget = false;
  const expand = (list: NginxDirective[], parent: ConfNode | undefined, via: ConfNode | undefined, stack: string[], out: ConfNode[]) => {
    for (const d of list) {
      const node: ConfNode = { d, parent, via };
      out.push(node);
      let named = tree.byName.get(d.name);
      if (!named) tree.byName.set(d.name, (named = []));
      named.push(node);
      if (d.block && !d.opaque) {
        node.children = [];
        expand(d.block, node, undefined, stack, node.children);
      }
      if (d.name === 'include' && d.args.length > 0) {
        for (const target of resolveInclude(d, rootDir, cache, tree)) {
          if (stack.includes(target)) {
            tree.problems.push({
              file: d.file,
              start: d.start,
              end: d.end,
              message: `include cycle: ${path.basename(target)} is already being included (${[...stack, target].map((f) => path.basename(f)).join(' → ')}); not followed again`,
              severity: 'error',
              kind: 'include-cycle',
            });
            continue;
          }
          if (stack.length >= MAX_INCLUDE_DEPTH) {
            tree.problems.push({ file: d.file, start: d.start, end: d.end, message: `includes nested deeper than ${MAX_INCLUDE_DEPTH} levels; not followed`, severity: 'error', kind: 'include-cycle' });
            continue;
          }
          if (repeated > MAX_REPEATED_NODES) {
            if (!overBudget) {
              overBudget = true;
              tree.problems.push({ file: d.file, start: d.start, end: d.end, message: `includes expand to more than ${MAX_REPEATED_NODES} repeated directives (the same files included over and over?); further includes are not followed`, severity: 'error', kind: 'include-cycle' });
            }
            continue;
          }
          const s = cache.get(target);
          if (s instanceof FileReadError) {
            tree.problems.push({ file: d.file, start: d.args[0].start, end: d.args[0].end, message: `included file ${s.message}; its settings are not inspected`, severity: 'warning', kind: 'include-unreadable' });
            continue;
          }
          if (tree.files.has(target)) repeated += directiveCount(s);
          addFile(s);
          // Included directives sit in the block that holds the include, reached through `via`.
          expand(s.parsed.directives, parent, node, [...stack, target], out);
        }
      }
    }
  };

  addFile(root);
  expand(root.parsed.directives, undefined, undefined, [rootFile], tree.nodes);
  return tree;
}

const counts = new WeakMap<SourceFile, number>();

/** Directives in a file at every depth (its own, not its includes), computed once per parse. */
function directiveCount(s: SourceFile): number {
  let n = counts.get(s);
  if (n === undefined) {
    n = 0;
    const walk = (list: NginxDirective[]) => {
      n! += list.length;
      for (const d of list) if (d.block) walk(d.block);
    };
    walk(s.parsed.directives);
    counts.set(s, n);
  }
  return n;
}

/** Resolves an include's argument the way nginx would on the server, mapped into the workspace. */
function resolveInclude(d: NginxDirective, rootDir: string, cache: SourceCache, tree: ConfTree): string[] {
  const arg = d.args[0];
  const raw = arg.value;
  if (raw.includes('$')) return []; // variables are not expanded by nginx's include either
  const key = `${rootDir}\0${path.dirname(d.file)}\0${raw}`;
  let found = cache.includes.get(key);
  if (!found) cache.includes.set(key, (found = findIncluded(d, raw, rootDir, cache.host)));
  if (found.length === 0 && !hasGlob(raw) && !SYSTEM_INCLUDES.test(raw)) {
    tree.problems.push({
      file: d.file,
      start: arg.start,
      end: arg.end,
      message: `include target '${raw}' was not found (looked in ${path.relative(process.cwd(), rootDir) || '.'}); its settings are not inspected`,
      severity: 'info',
      kind: 'include-missing',
    });
  }
  return found;
}

function findIncluded(d: NginxDirective, raw: string, rootDir: string, host: FileHost): string[] {
  const candidates: string[] = [];
  if (path.isAbsolute(raw)) {
    // A workspace copy of /etc/nginx: try the path re-rooted under the root file's folder first.
    const segs = raw.split('/').filter(Boolean);
    for (let k = 0; k < segs.length; k++) candidates.push(path.join(rootDir, ...segs.slice(k)));
    candidates.push(raw);
  } else {
    candidates.push(path.join(rootDir, raw));
    const here = path.join(path.dirname(d.file), raw);
    if (here !== candidates[0]) candidates.push(here);
  }
  for (const c of candidates) {
    const matches = expandGlob(host, c);
    if (matches.length > 0) return matches;
  }
  return [];
}

/** The expanded children of the block that contains `node` (or the root list). */
export function siblingsOf(tree: ConfTree, node: ConfNode): ConfNode[] {
  return node.parent?.children ?? tree.nodes;
}

export function childNamed(list: ConfNode[] | undefined, name: string): ConfNode | undefined {
  if (!list) return undefined;
  for (const c of list) if (c.d.name === name) return c;
  return undefined;
}

export function childrenNamed(list: ConfNode[] | undefined, name: string): ConfNode[] {
  return list ? list.filter((c) => c.d.name === name) : [];
}

/** Enclosing nodes, innermost first. */
export function ancestors(node: ConfNode): ConfNode[] {
  const out: ConfNode[] = [];
  for (let p = node.parent; p; p = p.parent) out.push(p);
  return out;
}

export function enclosing(node: ConfNode, name: string): ConfNode | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.d.name === name) return p;
  return undefined;
}

/** Roots: candidates not included by another candidate. Files only reached in a cycle become roots too. */
export function findRoots(candidates: string[], cache: SourceCache): string[] {
  const includedBy = new Map<string, string[]>();
  for (const c of candidates) {
    const tree = buildTree(c, cache);
    for (const f of tree.files.keys()) {
      if (f === c) continue;
      let l = includedBy.get(f);
      if (!l) includedBy.set(f, (l = []));
      l.push(c);
    }
  }
  const roots = candidates.filter((c) => !includedBy.has(c));
  const covered = new Set<string>(roots);
  for (const r of roots) for (const f of buildTree(r, cache).files.keys()) covered.add(f);
  for (const c of candidates) {
    if (!covered.has(c)) {
      roots.push(c);
      for (const f of buildTree(c, cache).files.keys()) covered.add(f);
    }
  }
  return roots;
}
