// The entry point shared by the CLI and the editor: find the config files under some paths, work out
// which are roots (not included by another), lint the roots with their includes, and return findings.
import * as path from 'path';
import { Finding, compareFindings } from './finding';
import { FileHost, FileReadError } from './host';
import { SourceCache, buildTree } from './configs/nginx/tree';
import { NginxLintOptions, isNginxFileName, lintNginxRoots, looksLikeNginx } from './configs/nginx/lint';

export interface LintOptions extends NginxLintOptions {
  host: FileHost;
  /** Stops a long scan between files; checked often, never mid-file. */
  isCancelled?: () => boolean;
  onProgress?: (done: number, total: number, file: string) => void;
}

export interface LintResult {
  findings: Finding[];
  /** Every file that was read for the result, roots and includes. */
  files: string[];
  roots: string[];
  cancelled: boolean;
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'out', '.vscode-test', '.e2e', '__pycache__', '.venv', 'venv']);
const MAX_WALK_FILES = 20000;

/** Config files under a folder, by name, or `*.conf` files whose content reads like nginx. */
export function discoverConfigFiles(host: FileHost, dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number) => {
    if (depth > 12 || out.length >= MAX_WALK_FILES) return;
    for (const name of host.readDir(d).sort()) {
      const p = path.join(d, name);
      if (host.isDirectory(p)) {
        if (!SKIP_DIRS.has(name) && !name.startsWith('.')) walk(p, depth + 1);
        continue;
      }
      if (isNginxFileName(p)) out.push(p);
      else if (/\.(conf|conf\.template)$/.test(name)) {
        try {
          if (looksLikeNginx(host.readFile(p).slice(0, 65536))) out.push(p);
        } catch {
          // unreadable files that are not named like nginx configs are not ours to report
        }
      }
    }
  };
  walk(dir, 0);
  return out;
}

/** Files under `paths` (folders scanned, files taken as given). */
export function collectFiles(host: FileHost, paths: string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    if (host.isDirectory(p)) files.push(...discoverConfigFiles(host, p));
    else files.push(p);
  }
  return [...new Set(files)];
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

export function lintPaths(paths: string[], options: LintOptions): LintResult {
  const cache = new SourceCache(options.host);
  const candidates = collectFiles(options.host, paths);
  const roots = findRoots(candidates, cache);
  const findings: Finding[] = [];
  const files = new Set<string>();
  let cancelled = false;
  const seen = new Set<string>();
  for (let i = 0; i < roots.length; i++) {
    if (options.isCancelled?.()) {
      cancelled = true;
      break;
    }
    options.onProgress?.(i, roots.length, roots[i]);
    const { findings: f, trees } = lintNginxRoots([roots[i]], cache, options);
    for (const t of trees) for (const file of t.files.keys()) files.add(file);
    for (const x of f) {
      const key = `${x.ruleId}\0${x.file}\0${x.range.start.line}:${x.range.start.character}\0${x.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        findings.push(x);
      }
    }
  }
  options.onProgress?.(roots.length, roots.length, '');
  findings.sort(compareFindings);
  return { findings, files: [...files], roots, cancelled };
}

/**
 * Findings for one file as the editor shows it: linted inside every root (among `candidates`) that
 * includes it, so inherited settings count; linted on its own when nothing includes it.
 */
export function lintOneFile(file: string, candidates: string[], options: LintOptions): Finding[] {
  const cache = new SourceCache(options.host);
  const roots: string[] = [];
  for (const c of candidates) {
    if (c === file) continue;
    if (cache.get(c) instanceof FileReadError) continue;
    if (buildTree(c, cache).files.has(file)) roots.push(c);
  }
  // Only roots that are not themselves included by another including root: keeps the outermost context.
  const outer = roots.filter((r) => !roots.some((o) => o !== r && buildTree(o, cache).files.has(r)));
  const { findings } = lintNginxRoots(outer.length ? outer : [file], cache, options);
  return findings.filter((f) => f.file === file).sort(compareFindings);
}
