// The entry point shared by the CLI and the editor: find the config files under some paths, tell nginx,
// HAProxy, Apache httpd and Caddy files apart, work out which nginx and Apache files are roots (not included
// by another), lint the roots with their includes and each HAProxy file and Caddyfile on its own, and return
// findings in one shape.
import * as path from 'path';
import { Finding, compareFindings, findingKey } from './finding';
import { FileHost, FileReadError } from './host';
import { SourceCache, buildTree, findRoots } from './configs/nginx/tree';

export { findRoots };
import { NginxLintOptions, isNginxFileName, lintNginxRoots, looksLikeNginx } from './configs/nginx/lint';
import { HaproxyLintOptions, isHaproxyFileName, lintHaproxyFile, looksLikeHaproxy } from './configs/haproxy/lint';
import { CaddyLintOptions, isCaddyFileName, isUnderCaddyFolder, lintCaddyFile, looksLikeCaddyfile } from './configs/caddy/lint';
import type { ConfTree } from './configs/nginx/tree';
import { ApacheLintOptions, isApacheFileName, lintApacheRoots, looksLikeApache } from './configs/apache/lint';
import { ApacheSourceCache, buildApacheTree, findApacheRoots } from './configs/apache/tree';
import { ApacheConfig } from './configs/apache/config';
import { appServerConfigs, isAppServerCandidate } from './configs/appServers';
import { readAppSide } from './topology/workspace';
import { lintTopology } from './topology/lint';
import { HaproxyConfig } from './configs/haproxy/config';
import { parseHaproxy } from './configs/haproxy/parser';
import { CaddyConfig } from './configs/caddy/config';
import { KubernetesLintOptions, isKubernetesCandidate, lintKubernetesFiles, looksLikeKubernetes } from './configs/kubernetes/lint';
import { parseCaddyfile } from './configs/caddy/parser';

/** The config formats the linter reads. */
export type ConfigKind = 'nginx' | 'haproxy' | 'apache' | 'caddy' | 'kubernetes';

export interface LintOptions extends NginxLintOptions, HaproxyLintOptions, ApacheLintOptions, KubernetesLintOptions, CaddyLintOptions {
  host: FileHost;
  /** Stops a long scan between files; checked often, never mid-file. */
  isCancelled?: () => boolean;
  onProgress?: (done: number, total: number, file: string) => void;
  /**
   * App-server configs (gunicorn, uWSGI, PHP-FPM, Node) to compare the nginx files with (the editor's
   * index passes its own); a folder scan finds those under the folder by itself.
   */
  appServerFiles?: string[];
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

/** Files under a folder that `accept` takes, skipping build, VCS and dependency folders. */
function walkFiles(host: FileHost, dir: string, accept: (file: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number) => {
    if (depth > 12 || out.length >= MAX_WALK_FILES) return;
    for (const name of host.readDir(d).sort()) {
      const p = path.join(d, name);
      if (host.isDirectory(p)) {
        if (!SKIP_DIRS.has(name) && !name.startsWith('.')) walk(p, depth + 1);
        continue;
      }
      if (accept(p)) out.push(p);
    }
  };
  walk(dir, 0);
  return out;
}

/** Config files under a folder, by name, or `*.conf` / `*.cfg` files whose content reads like nginx, HAProxy or Apache. */
export function discoverConfigFiles(host: FileHost, dir: string): string[] {
  return walkFiles(host, dir, (p) => isConfigCandidate(host, p));
}

/** App-server config candidates under `paths` (by name; their content decides when they are read). */
export function collectAppServerFiles(host: FileHost, paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) if (host.isDirectory(p)) out.push(...walkFiles(host, p, (f) => isAppServerCandidate(f) && !isConfigCandidate(host, f)));
  return out;
}

/**
 * What a file is, from its name and, for `*.conf` / `*.cfg` files with other names, the head of its
 * content; undefined when it is neither (the editor's index uses this too).
 */
export function configKindOf(file: string, head: () => string): ConfigKind | undefined {
  if (/\.ya?ml$/i.test(file)) return isKubernetesCandidate(file) && looksLikeKubernetes(head()) ? 'kubernetes' : undefined;
  if (isCaddyFileName(file)) return 'caddy';
  if (isHaproxyFileName(file)) return 'haproxy';
  if (isApacheFileName(file)) return 'apache';
  // nginx and Apache both keep sites in sites-available/, sites-enabled/ and conf.d/: the content decides.
  if (isSharedSitesFile(file) && readsLikeApache(head)) return 'apache';
  if (isNginxFileName(file)) return 'nginx';
  if (/\.cfg$/.test(file)) return looksLikeHaproxy(head()) ? 'haproxy' : undefined;
  if (!/\.(conf|conf\.template)$/.test(file)) return isUnderCaddyFolder(file) && looksLikeCaddyfile(head()) ? 'caddy' : undefined;
  const text = head();
  if (looksLikeNginx(text)) return 'nginx';
  if (looksLikeApache(text)) return 'apache';
  if (looksLikeHaproxy(text)) return 'haproxy';
  return isUnderCaddyFolder(file) && looksLikeCaddyfile(text) ? 'caddy' : undefined;
}

/** Content sniffing that never throws: an unreadable file (a FIFO, a dangling link) stays nginx's by name, as before. */
function readsLikeApache(head: () => string): boolean {
  try {
    return looksLikeApache(head());
  } catch {
    return false;
  }
}

/** sites-available/, sites-enabled/ and conf.d/: folders both nginx and Apache keep configs in. */
export function isSharedSitesFile(file: string): boolean {
  return /^(sites-(available|enabled)|conf\.d)$/.test(path.basename(path.dirname(file))) && !path.basename(file).startsWith('.');
}

/** The kind of a file on `host`; unreadable files that are not named like a config are nobody's. */
export function configKindOnHost(host: FileHost, file: string): ConfigKind | undefined {
  try {
    return configKindOf(file, () => host.readFile(file).slice(0, 65536));
  } catch {
    return undefined;
  }
}

/** An nginx, HAProxy or Apache config by name, or a `*.conf` / `*.cfg` file whose content reads like one. */
export function isConfigCandidate(host: FileHost, file: string): boolean {
  return configKindOnHost(host, file) !== undefined;
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
 * HAProxy files and app-server configs among `files`; everything else is read as nginx (a file given by
 * name is nginx unless it reads like HAProxy or an app server's config).
 */
function splitByKind(host: FileHost, files: string[]): { nginx: string[]; haproxy: string[]; apache: string[]; caddy: string[]; app: string[]; kubernetes: string[] } {
  const kubernetes: string[] = [];
  const nginx: string[] = [];
  const haproxy: string[] = [];
  const apache: string[] = [];
  const caddy: string[] = [];
  const app: string[] = [];
  for (const f of files) {
    const kind = configKindOnHost(host, f);
    if (kind === 'haproxy') haproxy.push(f);
    else if (kind === 'apache') apache.push(f);
    else if (kind === 'caddy') caddy.push(f);
    else if (kind === 'kubernetes') kubernetes.push(f);
    else if (kind === undefined && isAppServerFile(host, f)) app.push(f);
    else nginx.push(f);
  }
  return { nginx, haproxy, apache, caddy, app, kubernetes };
}

function isAppServerFile(host: FileHost, file: string): boolean {
  if (!isAppServerCandidate(file)) return false;
  try {
    return appServerConfigs(file, host.readFile(file)).length > 0;
  } catch {
    return false;
  }
}

/** Cross-layer findings of these trees against the app servers in `appFiles`, without ones already seen. */
function topologyFindings(trees: ConfTree[], appFiles: string[], options: LintOptions, seen: Set<string>, nginxFiles: string[], haproxyFiles: string[] = [], caddyFiles: string[] = [], apache: ApacheConfig[] = []): { findings: Finding[]; appFiles: string[] } {
  if (trees.length === 0 && caddyFiles.length === 0 && apache.length === 0) return { findings: [], appFiles: [] };
  if (appFiles.length === 0 && haproxyFiles.length === 0) return { findings: [], appFiles: [] };
  const side = readAppSide(options.host, [...new Set(appFiles)]);
  const haproxy: HaproxyConfig[] = [];
  for (const f of haproxyFiles) {
    try {
      const text = options.host.readFile(f);
      haproxy.push(new HaproxyConfig(parseHaproxy(f, text), text));
    } catch {
      /* reported by the HAProxy lint (haproxy/unreadable) */
    }
  }
  const caddy: CaddyConfig[] = [];
  for (const f of caddyFiles) {
    try {
      const text = options.host.readFile(f);
      caddy.push(new CaddyConfig(parseCaddyfile(f, text), text));
    } catch {
      /* reported by the Caddy lint (caddy/unreadable) */
    }
  }
  const findings: Finding[] = [];
  const workspaceNginx = [...new Set([...nginxFiles, ...trees.flatMap((t) => [...t.files.keys()])])];
  for (const f of lintTopology(trees, side.apps, side.texts, { nginxVersion: options.nginxVersion, disabledRules: options.disabledRules }, workspaceNginx, haproxy, caddy, apache)) {
    const key = findingKey(f);
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(f);
  }
  return { findings, appFiles: [...side.texts.keys()] };
}

/**
 * The one implementation behind lintPaths and lintPathsAsync: a generator that pauses (yields) between
 * root files, so the async caller can let the event loop breathe and the sync caller just runs it through.
 */
function* lintSteps(paths: string[], options: LintOptions): Generator<void, LintResult, void> {
  const cache = new SourceCache(options.host);
  const apacheCache = new ApacheSourceCache(options.host);
  const { nginx, haproxy, apache, caddy, app, kubernetes } = splitByKind(options.host, collectFiles(options.host, paths));
  yield;
  // HAProxy has no includes, and a Caddyfile is linted on its own (its imports are followed from it):
  // every HAProxy file and Caddyfile is a root of its own. Apache files, like nginx ones, are read inside
  // the file that includes them.
  const apacheRoots = findApacheRoots(apache, apacheCache);
  const roots = [...findRoots(nginx, cache), ...haproxy, ...apacheRoots, ...caddy];
  const isHaproxy = new Set(haproxy);
  const isApache = new Set(apacheRoots);
  const isCaddy = new Set(caddy);
  const findings: Finding[] = [];
  const files = new Set<string>();
  let cancelled = false;
  const seen = new Set<string>();
  const trees: ConfTree[] = [];
  for (let i = 0; i < roots.length; i++) {
    yield;
    if (options.isCancelled?.()) {
      cancelled = true;
      break;
    }
    options.onProgress?.(i, roots.length, roots[i]);
    if (isHaproxy.has(roots[i])) {
      files.add(roots[i]);
      for (const x of lintHaproxyFile(roots[i], options.host, options)) findings.push(x);
      continue;
    }
    if (isApache.has(roots[i])) {
      const r = lintApacheRoots([roots[i]], apacheCache, options, seen);
      for (const file of r.files) files.add(file);
      for (const x of r.findings) findings.push(x);
      continue;
    }
    if (isCaddy.has(roots[i])) {
      files.add(roots[i]);
      for (const x of lintCaddyFile(roots[i], options.host, options)) findings.push(x);
      continue;
    }
    const { findings: f, trees: built } = lintNginxRoots([roots[i]], cache, options, seen);
    for (const t of built) for (const file of t.files.keys()) files.add(file);
    trees.push(...built);
    for (const x of f) findings.push(x);
  }
  if (!cancelled && kubernetes.length) {
    // Kubernetes objects refer to each other across files: all manifests of the scan together.
    for (const f of lintKubernetesFiles(kubernetes, options.host, options)) {
      const key = findingKey(f);
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(f);
    }
    for (const f of kubernetes) files.add(f);
  }
  if (!cancelled) {
    // The chain as a whole: nginx against the app servers behind it.
    const appFiles = [...app, ...collectAppServerFiles(options.host, paths), ...(options.appServerFiles ?? [])];
    const apacheConfigs = apacheRoots.map((r) => buildApacheTree(r, apacheCache)).filter((t) => t.files.has(t.rootFile)).map((t) => new ApacheConfig(t));
    const topo = topologyFindings(trees, appFiles, options, seen, nginx, haproxy, caddy, apacheConfigs);
    for (const x of topo.findings) findings.push(x);
    for (const f of topo.appFiles) files.add(f);
    options.onProgress?.(roots.length, roots.length, '');
  }
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
 * Findings for one file as the editor shows it: an HAProxy file on its own; an nginx file inside every root
 * (among `candidates`) that includes it, so inherited settings count, or on its own when nothing includes it.
 */
export function lintOneFile(file: string, candidates: string[], options: LintOptions & { kind?: ConfigKind }): Finding[] {
  // `kind`: what the editor knows (the document's language), which beats the file name.
  const kind = options.kind ?? configKindOnHost(options.host, file);
  if (kind === 'haproxy') {
    // Its own rules, and the cross-layer ones against the nginx behind it (every nginx root of the workspace
    // is a candidate; the nearest ones in the folder tree are its stack).
    const own = lintHaproxyFile(file, options.host, options);
    const cache = new SourceCache(options.host);
    const nginxFiles = nginxCandidates(candidates).filter((c) => c !== file);
    const trees = findRoots(nginxFiles, cache).map((r) => buildTree(r, cache));
    const cross = topologyFindings(trees, options.appServerFiles ?? [], options, new Set(), nginxFiles, [file]).findings.filter((f) => f.file === file);
    return [...own, ...cross].sort(compareFindings);
  }
  if (kind === 'kubernetes') {
    // Read with every manifest of the workspace (a Service here, its pods in another file).
    const manifests = [...new Set([file, ...candidates.filter((c) => /\.ya?ml$/i.test(c))])];
    return lintKubernetesFiles(manifests, options.host, options).filter((f) => f.file === file).sort(compareFindings);
  }
  if (kind === 'apache') {
    const cache = new ApacheSourceCache(options.host);
    const roots = apacheRootsIncluding(file, candidates, cache);
    const own = lintApacheRoots(roots, cache, options).findings;
    // And the cross-layer findings against the app servers behind it.
    const configs = roots.map((r) => buildApacheTree(r, cache)).filter((t) => t.files.has(t.rootFile)).map((t) => new ApacheConfig(t));
    const cross = topologyFindings([], options.appServerFiles ?? [], options, new Set(), nginxCandidates(candidates), [], [], configs).findings;
    return [...own, ...cross].filter((f) => f.file === file).sort(compareFindings);
  }
  if (kind === 'caddy') {
    // Its own rules, and the cross-layer ones against the app servers behind it.
    const own = lintCaddyFile(file, options.host, options);
    const nginxFiles = nginxCandidates(candidates).filter((c) => c !== file);
    const cross = topologyFindings([], options.appServerFiles ?? [], options, new Set(), nginxFiles, [], [file]).findings.filter((f) => f.file === file);
    return [...own, ...cross].sort(compareFindings);
  }
  // An app server's config (gunicorn.conf.py …) is read for the cross-layer rules, never linted as nginx.
  if (kind === undefined && isAppServerFile(options.host, file)) return [];
  const cache = new SourceCache(options.host);
  const seen = new Set<string>();
  const { findings, trees } = lintNginxRoots(rootsIncluding(file, nginxCandidates(candidates), cache), cache, options, seen);
  findings.push(...topologyFindings(trees, options.appServerFiles ?? [], options, seen, nginxCandidates(candidates)).findings);
  return findings.filter((f) => f.file === file).sort(compareFindings);
}

/**
 * The outermost Apache roots among `candidates` whose Include tree reaches `file`, or `[file]`: an Apache
 * file is read inside the config that includes it, like an nginx snippet (diagnostics and hover).
 */
export function apacheRootsIncluding(file: string, candidates: string[], cache: ApacheSourceCache): string[] {
  const including = candidates.filter((c) => c !== file && /\.conf$/.test(c) && configKindOnHost(cache.host, c) === 'apache' && buildApacheTree(c, cache).files.has(file));
  const roots = including.filter((r) => !including.some((o) => o !== r && buildApacheTree(o, cache).files.has(r)));
  return roots.length ? roots : [file];
}

/**
 * The nginx files among candidates (by name; `.cfg` files are HAProxy's, Apache's by their names and
 * folders, Caddyfiles and other files under a `caddy` folder are Caddy's): what nginx-only features read.
 */
export function nginxCandidates(candidates: string[]): string[] {
  return candidates.filter((c) => !/\.ya?ml$/i.test(c) && !isHaproxyFileName(c) && !c.endsWith('.cfg') && !isApacheFileName(c) && !isCaddyFileName(c) && !(isUnderCaddyFolder(c) && !/\.conf$/.test(c)));
}

/**
 * The outermost roots among `candidates` whose include tree reaches `file`, or `[file]` when none does:
 * the contexts a file is read in (shared by the editor's diagnostics and hover).
 */
export function rootsIncluding(file: string, candidates: string[], cache: SourceCache): string[] {
  const roots: string[] = [];
  for (const c of nginxCandidates(candidates)) {
    if (c === file) continue;
    if (cache.get(c) instanceof FileReadError) continue;
    if (buildTree(c, cache).files.has(file)) roots.push(c);
  }
  // Only roots that are not themselves included by another including root: keeps the outermost context.
  const outer = roots.filter((r) => !roots.some((o) => o !== r && buildTree(o, cache).files.has(r)));
  return outer.length ? outer : [file];
}
