// The effective configuration of one Apache root file: every `Include` / `IncludeOptional` expanded in
// place (globs and folders, relative to the ServerRoot as httpd resolves them, mapped into the workspace),
// cycles and unreadable includes reported, missing ones noted. Nodes keep the file they come from.
import * as path from 'path';
import { FileHost, FileReadError, expandGlob, hasGlob } from '../../host';
import { LineIndex } from '../../text';
import { ApacheDirective, ApacheProblem, ParsedApache, parseApache } from './parser';

export interface ApacheNode {
  d: ApacheDirective;
  parent?: ApacheNode;
  children: ApacheNode[];
}

export interface ApacheSource {
  file: string;
  text: string;
  lines: LineIndex;
  parsed: ParsedApache;
}

export type ApacheTreeProblemKind = 'parse' | 'unreadable' | 'include-cycle' | 'include-not-found' | 'include-unreadable';

export interface ApacheTreeProblem extends ApacheProblem {
  file: string;
  kind: ApacheTreeProblemKind;
}

export interface ApacheTree {
  rootFile: string;
  nodes: ApacheNode[];
  files: Map<string, ApacheSource>;
  problems: ApacheTreeProblem[];
}

const MAX_INCLUDE_DEPTH = 16;
/** More directives than this from repeated includes is a loop in disguise, not a config. */
const MAX_NODES = 500000;

export class ApacheSourceCache {
  private readonly parsed = new Map<string, ApacheSource | FileReadError>();
  readonly trees = new Map<string, ApacheTree>();
  constructor(readonly host: FileHost) {}

  get(file: string): ApacheSource | FileReadError {
    let s = this.parsed.get(file);
    if (!s) {
      try {
        const text = this.host.readFile(file);
        s = { file, text, lines: new LineIndex(text), parsed: parseApache(file, text) };
      } catch (err) {
        s = err instanceof FileReadError ? err : new FileReadError(`${file} could not be read: ${String(err)}`, 'EIO');
      }
      this.parsed.set(file, s);
    }
    return s;
  }
}

export function buildApacheTree(rootFile: string, cache: ApacheSourceCache): ApacheTree {
  let tree = cache.trees.get(rootFile);
  if (!tree) cache.trees.set(rootFile, (tree = expand(rootFile, cache)));
  return tree;
}

function expand(rootFile: string, cache: ApacheSourceCache): ApacheTree {
  const tree: ApacheTree = { rootFile, nodes: [], files: new Map(), problems: [] };
  const root = cache.get(rootFile);
  if (root instanceof FileReadError) {
    tree.problems.push({ file: rootFile, start: 0, end: 0, message: root.message, severity: 'error', kind: 'unreadable' });
    return tree;
  }
  const serverRoots = serverRootDirs(rootFile, root.parsed.directives, cache.host);
  const addFile = (s: ApacheSource) => {
    if (tree.files.has(s.file)) return;
    tree.files.set(s.file, s);
    for (const p of s.parsed.problems) tree.problems.push({ file: s.file, ...p, kind: s.parsed.binary ? 'unreadable' : 'parse' });
  };
  let count = 0;
  let overBudget = false;
  const walk = (list: ApacheDirective[], parent: ApacheNode | undefined, stack: string[], out: ApacheNode[]) => {
    for (const d of list) {
      if (++count > MAX_NODES) {
        if (!overBudget) {
          overBudget = true;
          tree.problems.push({ file: d.file, start: d.start, end: d.end, message: `includes expand to more than ${MAX_NODES} directives (the same files included over and over?); the rest is not inspected`, severity: 'error', kind: 'include-cycle' });
        }
        return;
      }
      const node: ApacheNode = { d, parent, children: [] };
      out.push(node);
      if (d.children) walk(d.children, node, stack, node.children);
      if ((d.key !== 'include' && d.key !== 'includeoptional') || d.args.length === 0) continue;
      const optional = d.key === 'includeoptional';
      const arg = d.args[0];
      const targets = resolveInclude(arg.value, d.file, serverRoots, cache.host);
      if (targets.length === 0 && !optional && !arg.value.includes('${')) {
        tree.problems.push({
          file: d.file,
          start: arg.start,
          end: arg.end,
          message: `Include target '${arg.value}' was not found in the workspace (httpd fails to start when it is missing on the server too; IncludeOptional does not); its settings are not inspected`,
          severity: 'info',
          kind: 'include-not-found',
        });
      }
      for (const target of targets) {
        if (stack.includes(target)) {
          tree.problems.push({
            file: d.file,
            start: d.start,
            end: d.end,
            message: `include cycle: ${path.basename(target)} is already being included (${[...stack, target].map((f) => path.basename(f)).join(' → ')}); httpd refuses a config that includes itself`,
            severity: 'error',
            kind: 'include-cycle',
          });
          continue;
        }
        if (stack.length >= MAX_INCLUDE_DEPTH) {
          tree.problems.push({ file: d.file, start: d.start, end: d.end, message: `includes nested deeper than ${MAX_INCLUDE_DEPTH} levels; not followed`, severity: 'error', kind: 'include-cycle' });
          continue;
        }
        const s = cache.get(target);
        if (s instanceof FileReadError) {
          tree.problems.push({ file: d.file, start: arg.start, end: arg.end, message: `included file ${s.message}; its settings are not inspected`, severity: 'warning', kind: 'include-unreadable' });
          continue;
        }
        addFile(s);
        // Included directives count as written where the Include is: siblings of it.
        walk(s.parsed.directives, parent, [...stack, target], out);
      }
    }
  };
  addFile(root);
  walk(root.parsed.directives, undefined, [rootFile], tree.nodes);
  return tree;
}

/**
 * Folders a relative Include is resolved against, best first. httpd uses the ServerRoot; in a workspace copy
 * of /etc/apache2 that is the folder named like the ServerRoot's last segment at or above the root file
 * (Debian: apache2.conf sits in it; RHEL: httpd.conf sits in conf/ below it), else the root file's folder.
 */
function serverRootDirs(rootFile: string, top: ApacheDirective[], host: FileHost): string[] {
  const out: string[] = [];
  const rootDir = path.dirname(rootFile);
  const sr = top.filter((d) => d.key === 'serverroot').pop()?.args[0]?.value;
  if (sr && !sr.includes('${')) {
    // The real ServerRoot only when the root file lives under it: never read a server's /etc for a workspace copy.
    if (path.isAbsolute(sr) && (rootDir === sr || rootDir.startsWith(sr.endsWith(path.sep) ? sr : sr + path.sep)) && host.isDirectory(sr)) out.push(sr);
    const base = path.basename(sr);
    let dir = rootDir;
    for (let k = 0; k < 3 && base; k++) {
      if (path.basename(dir) === base) {
        out.push(dir);
        break;
      }
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  out.push(rootDir);
  if (path.basename(rootDir) === 'conf') out.push(path.dirname(rootDir));
  return [...new Set(out)];
}

function resolveInclude(raw: string, fromFile: string, serverRoots: string[], host: FileHost): string[] {
  if (raw.includes('${')) return []; // Define'd or environment variables: only the server knows them
  const candidates: string[] = [];
  if (path.isAbsolute(raw)) {
    // A workspace copy of /etc/apache2: the path re-rooted under each server root, longest suffix first,
    // and only then the path as written (as the nginx includes do).
    const segs = raw.split('/').filter(Boolean);
    for (const dir of serverRoots) for (let k = 1; k < segs.length; k++) candidates.push(path.join(dir, ...segs.slice(k)));
    candidates.push(raw);
  } else {
    for (const dir of serverRoots) candidates.push(path.join(dir, raw));
    candidates.push(path.join(path.dirname(fromFile), raw));
  }
  for (const c of [...new Set(candidates)]) {
    if (!hasGlob(c) && host.isDirectory(c)) {
      // `Include conf.d/` reads every file in the folder, in order.
      const files = host
        .readDir(c)
        .sort()
        .map((n) => path.join(c, n))
        .filter((f) => !host.isDirectory(f));
      if (files.length) return files;
      continue;
    }
    const matches = expandGlob(host, c);
    if (matches.length > 0) return matches;
  }
  return [];
}

/** The roots among `files`: those no other file's include tree reaches. */
export function findApacheRoots(files: string[], cache: ApacheSourceCache): string[] {
  const included = new Set<string>();
  for (const f of files) {
    if (included.has(f)) continue;
    for (const g of buildApacheTree(f, cache).files.keys()) if (g !== f) included.add(g);
  }
  // Debian enables a site by linking sites-available/X from sites-enabled/X: the enabled path is the one read
  // (inside apache2.conf), so the original is not linted again on its own (once out of context, twice in all).
  const enabled = (f: string) => {
    const m = /^(sites|conf|mods)-available$/.exec(path.basename(path.dirname(f)));
    return !!m && included.has(path.join(path.dirname(path.dirname(f)), `${m[1]}-enabled`, path.basename(f)));
  };
  const roots = files.filter((f) => !included.has(f) && !enabled(f));
  // Files that include each other in a ring, with no outside root, still get linted: the first one leads.
  const reached = new Set<string>();
  for (const r of roots) for (const g of buildApacheTree(r, cache).files.keys()) reached.add(g);
  for (const f of files) {
    if (reached.has(f) || enabled(f)) continue;
    roots.push(f);
    for (const g of buildApacheTree(f, cache).files.keys()) reached.add(g);
  }
  return roots;
}
