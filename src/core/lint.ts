// The entry point shared by the CLI and the editor: find the config files under some paths, work out
// which are roots (not included by another), lint the roots with their includes, and return findings.
import * as path from 'path';
import { Finding, compareFindings } from './finding';
import { FileHost, FileReadError } from './host';
import { SourceCache, buildTree, findRoots } from './configs/nginx/tree';

export { findRoots };
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
      if (isConfigCandidate(host, p)) out.push(p);
    }
  };
  walk(dir, 0);
  return out;
}

/** An nginx config by name, or a `*.conf` file whose content reads like nginx (the editor's index uses it too). */
export function isConfigCandidate(host: FileHost, file: string): boolean {
  if (isNginxFileName(file)) return true;
  if (!/\.(conf|conf\.template)$/.test(file)) return false;
  try {
    return looksLikeNginx(host.readFile(file).slice(0, 65536));
  } catch {
    return false; // unreadable files that are not named like nginx configs are not ours to report
  }
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


/**
 * The one implementation behind lintPaths and lintPathsAsync: a generator that pauses (yields) between
 * root files, so the async caller can let the event loop breathe and the sync caller just runs it through.
 */
function* lintSteps(paths: string[], options: LintOptions): Generator<void, LintResult, void> {
  const cache = new SourceCache(options.host);
  const candidates = collectFiles(options.host, paths);
  yield;
  const roots = findRoots(candidates, cache);
  const findings: Finding[] = [];
  const files = new Set<string>();
  let cancelled = false;
  const seen = new Set<string>();
  for (let i = 0; i < roots.length; i++) {
    yield;
    if (options.isCancelled?.()) {
      cancelled = true;
      break;
    }
    options.onProgress?.(i, roots.length, roots[i]);
    const { findings: f, trees } = lintNginxRoots([roots[i]], cache, options, seen);
    for (const t of trees) for (const file of t.files.keys()) files.add(file);
    for (const x of f) findings.push(x);
  }
  if (!cancelled) options.onProgress?.(roots.length, roots.length, '');
  findings.sort(compareFindings);
  return { findings, files: [...files], roots, cancelled };
}

export function lintPaths(paths: string[], options: LintOptions): LintResult {
  const steps = lintSteps(paths, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** The same lint, handing the event loop back between root files (the editor stays responsive, cancel is seen). */
export async function lintPathsAsync(paths: string[], options: LintOptions): Promise<LintResult> {
  const steps = lintSteps(paths, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * Findings for one file as the editor shows it: linted inside every root (among `candidates`) that
 * includes it, so inherited settings count; linted on its own when nothing includes it.
 */
export function lintOneFile(file: string, candidates: string[], options: LintOptions): Finding[] {
  const cache = new SourceCache(options.host);
  const { findings } = lintNginxRoots(rootsIncluding(file, candidates, cache), cache, options);
  return findings.filter((f) => f.file === file).sort(compareFindings);
}

/**
 * The outermost roots among `candidates` whose include tree reaches `file`, or `[file]` when none does:
 * the contexts a file is read in (shared by the editor's diagnostics and hover).
 */
export function rootsIncluding(file: string, candidates: string[], cache: SourceCache): string[] {
  const roots: string[] = [];
  for (const c of candidates) {
    if (c === file) continue;
    if (cache.get(c) instanceof FileReadError) continue;
    if (buildTree(c, cache).files.has(file)) roots.push(c);
  }
  // Only roots that are not themselves included by another including root: keeps the outermost context.
  const outer = roots.filter((r) => !roots.some((o) => o !== r && buildTree(o, cache).files.has(r)));
  return outer.length ? outer : [file];
}
