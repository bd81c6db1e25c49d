// The nginx, HAProxy, Apache and Caddy config files of the workspace, kept current by a file watcher. Diagnostics and hover use it
// as the candidate roots (a snippet is linted inside the files that include it); Inspect rescans it.
import * as fs from 'fs';
import * as vscode from 'vscode';
import { ConfigKind, configKindOf, isSharedSitesFile } from '../core/lint';
import { isUnderCaddyFolder } from '../core/configs/caddy/lint';
import { appServerConfigs, isAppServerCandidate } from '../core/configs/appServers';

/** Names worth a look: by name, or `*.conf` / `*.cfg` / files under `caddy/` whose content is sniffed. */
const SEARCH_GLOB =
  '{**/*.conf,**/*.conf.template,**/*.nginx,**/*.nginxconf,**/sites-available/*,**/sites-enabled/*,**/snippets/*,**/nginx/*,**/*.cfg,**/[Cc]addyfile,**/[Cc]addyfile.*,**/*.[Cc]addyfile,**/*.caddy,**/caddy/**,**/*.yaml,**/*.yml}';
/** The same folders the core's folder walk skips. */
export const EXCLUDE_GLOB = '{**/node_modules/**,**/.git/**,**/.hg/**,**/.svn/**,**/dist/**,**/out/**,**/.vscode-test/**,**/.e2e/**,**/__pycache__/**,**/.venv/**,**/venv/**}';
/** App servers the cross-layer rules compare nginx with (gunicorn, uWSGI, PHP-FPM pools, Node servers). */
const APP_GLOB = '{**/*gunicorn*.py,**/*.ini,**/*.conf,**/server.js,**/server.ts,**/server.mjs,**/app.js,**/app.ts,**/app.mjs,**/index.js,**/index.ts,**/main.js,**/main.ts,**/bin/www,**/Procfile,**/Dockerfile,**/Dockerfile.*,**/*.dockerfile,**/docker-compose*.yml,**/docker-compose*.yaml,**/compose*.yml,**/compose*.yaml}';
const MAX_FILES = 20000;
const SNIFF_BYTES = 65536;

export class ConfigIndex implements vscode.Disposable {
  private files = new Set<string>();
  /** What each file is (from its name or content), for the features that read one kind only. */
  private kinds = new Map<string, ConfigKind>();
  /** App-server configs: not linted themselves, but the nginx files' cross-layer findings read them. */
  private apps = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires (coalesced) when files are added, removed, or change on disk. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private fireTimer: NodeJS.Timeout | undefined;
  /** Settles once the first scan is done; lints wait for it so snippets get their includers. */
  ready: Promise<void>;

  constructor(private readonly log: vscode.LogOutputChannel) {
    const watcher = vscode.workspace.createFileSystemWatcher(SEARCH_GLOB);
    const appWatcher = vscode.workspace.createFileSystemWatcher(APP_GLOB);
    this.disposables.push(
      watcher,
      appWatcher,
      appWatcher.onDidCreate((uri) => void this.considerApp(uri.fsPath)),
      appWatcher.onDidChange((uri) => void this.considerApp(uri.fsPath, true)),
      appWatcher.onDidDelete((uri) => this.forgetApp(uri.fsPath)),
      watcher.onDidCreate((uri) => void this.consider(uri.fsPath)),
      watcher.onDidChange((uri) => void this.consider(uri.fsPath, true)),
      watcher.onDidDelete((uri) => this.forget(uri.fsPath)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rescan()),
    );
    this.ready = this.rescan().then(
      () => undefined,
      (err) => this.log.error(`scanning the workspace for config files failed: ${err}`),
    );
  }

  has(file: string): boolean {
    return this.files.has(file);
  }

  kindOf(file: string): ConfigKind | undefined {
    return this.kinds.get(file);
  }

  list(): string[] {
    return [...this.files];
  }

  /** The app-server config files of the workspace (gunicorn, uWSGI, PHP-FPM, Node). */
  appList(): string[] {
    return [...this.apps];
  }

  hasApp(file: string): boolean {
    return this.apps.has(file);
  }

  /** Finds every candidate again (Inspect runs it, with its cancel token). */
  async rescan(token?: vscode.CancellationToken): Promise<string[]> {
    const uris = await vscode.workspace.findFiles(SEARCH_GLOB, EXCLUDE_GLOB, MAX_FILES, token);
    const found: string[] = [];
    const kinds = new Map<string, ConfigKind>();
    for (const uri of uris) {
      if (token?.isCancellationRequested) break;
      const kind = uri.scheme === 'file' ? await candidateKind(uri.fsPath) : undefined;
      if (kind) {
        found.push(uri.fsPath);
        kinds.set(uri.fsPath, kind);
      }
    }
    found.sort();
    const apps: string[] = [];
    if (!token?.isCancellationRequested) {
      for (const uri of await vscode.workspace.findFiles(APP_GLOB, EXCLUDE_GLOB, MAX_FILES, token)) {
        if (token?.isCancellationRequested) break;
        if (uri.scheme === 'file' && !found.includes(uri.fsPath) && (await isAppServer(uri.fsPath))) apps.push(uri.fsPath);
      }
    }
    if (!token?.isCancellationRequested) {
      this.files = new Set(found);
      this.kinds = kinds;
      this.apps = new Set(apps.sort());
      this.log.info(`found ${found.length} nginx/HAProxy/Apache/Caddy config file(s) and ${apps.length} app-server config(s) in the workspace${uris.length >= MAX_FILES ? ` (stopped at ${MAX_FILES} names)` : ''}`);
      this.fireSoon();
    }
    return found;
  }

  private async consider(file: string, contentChanged = false): Promise<void> {
    const was = this.files.has(file);
    const kind = await candidateKind(file);
    const is = kind !== undefined;
    if (kind) {
      this.files.add(file);
      this.kinds.set(file, kind);
    } else {
      this.files.delete(file);
      this.kinds.delete(file);
    }
    if (was !== is || (is && contentChanged)) this.fireSoon();
  }

  private async considerApp(file: string, contentChanged = false): Promise<void> {
    if (this.files.has(file)) return;
    const was = this.apps.has(file);
    const is = await isAppServer(file);
    if (is) this.apps.add(file);
    else this.apps.delete(file);
    if (was !== is || (is && contentChanged)) this.fireSoon();
  }

  private forgetApp(file: string): void {
    const prefix = file.endsWith('/') || file.endsWith('\\') ? file : file + (file.includes('\\') ? '\\' : '/');
    let any = this.apps.delete(file);
    for (const f of [...this.apps]) if (f.startsWith(prefix)) any = this.apps.delete(f) || any;
    if (any) this.fireSoon();
  }

  private forget(file: string): void {
    // A deleted folder arrives as one event: drop everything under it too.
    const prefix = file.endsWith('/') || file.endsWith('\\') ? file : file + (file.includes('\\') ? '\\' : '/');
    let any = this.files.delete(file);
    this.kinds.delete(file);
    for (const f of [...this.files]) if (f.startsWith(prefix)) (any = this.files.delete(f) || any), this.kinds.delete(f);
    if (any) this.fireSoon();
  }

  private fireSoon(): void {
    if (this.fireTimer) clearTimeout(this.fireTimer);
    this.fireTimer = setTimeout(() => this.changed.fire(), 100);
  }

  dispose(): void {
    if (this.fireTimer) clearTimeout(this.fireTimer);
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * The core's rule (by name, or `*.conf` / `*.cfg` / a file under `caddy/` that reads like nginx, HAProxy,
 * Apache or a Caddyfile), with only the head of the file read. sites-enabled/ and conf.d/ are shared by
 * nginx and Apache: there the content decides too.
 */
async function candidateKind(file: string): Promise<ConfigKind | undefined> {
  const byName = configKindOf(file, () => '');
  if (!isSharedSitesFile(file) && (byName || (!/\.(conf|conf\.template|cfg|ya?ml)$/i.test(file) && !isUnderCaddyFolder(file)))) return byName;
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(file, 'r');
    const st = await handle.stat();
    if (!st.isFile()) return undefined;
    const buf = Buffer.alloc(Math.min(SNIFF_BYTES, st.size));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead).toString('utf8');
    return configKindOf(file, () => head);
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/** An app-server config by name and content (a file of at most 1 MB: app sources can be big). */
async function isAppServer(file: string): Promise<boolean> {
  if (!isAppServerCandidate(file)) return false;
  try {
    const st = await fs.promises.stat(file);
    if (!st.isFile() || st.size > 1 << 20) return false;
    return appServerConfigs(file, await fs.promises.readFile(file, 'utf8')).length > 0;
  } catch {
    return false;
  }
}
