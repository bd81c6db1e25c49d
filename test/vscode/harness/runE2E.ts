// End-to-end run in a real VS Code (code-server + headless Chromium). Builds nothing: `npm test` /
// `npm run test:e2e` ran esbuild and tsc before. Steps: a temp extensions dir (the extension unpacked +
// the test-runner extension), a copy of the fixture workspace, code-server in its own process group,
// Chromium on the workbench (that starts the extension host, where the runner runs the mocha suite and
// writes its result file), then the browser-only checks. code-server and Chromium are always stopped.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { REPO_ROOT, RunningCodeServer, installRunnerExtension, installUnpackedExtension, startCodeServer, writeUserSettings } from './codeServer';
import { Workbench, openWorkbench } from './browser';
import { bounded } from './processes';
import { uiChecks } from './uiChecks';
import type { SuiteResult } from '../suite/index';

export interface E2EResult {
  passed: number;
  failed: number;
  pending: number;
}

const SUITE_TIMEOUT_MS = 5 * 60_000;
const UI_CHECK_TIMEOUT_MS = 60_000;

export const FIXTURE_WORKSPACE = path.join(REPO_ROOT, 'test', 'vscode', 'workspace');

/** The fixture workspace, copied so the tests may edit it. */
export function copyWorkspace(dest: string, from = FIXTURE_WORKSPACE): string {
  fs.cpSync(from, dest, { recursive: true });
  return dest;
}

/** Resolves with the parsed file once it exists (renamed into place whole by the runner). */
function waitForJsonFile<T>(file: string, timeoutMs: number, abort: Promise<never>): Promise<T> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let watcher: fs.FSWatcher | undefined;
  const appeared = new Promise<T>((resolve, reject) => {
    const check = () => {
      if (!fs.existsSync(file)) return false;
      try {
        resolve(JSON.parse(fs.readFileSync(file, 'utf8')) as T);
      } catch (err) {
        reject(err);
      }
      return true;
    };
    watcher = fs.watch(dir, (_event, name) => {
      if (!name || name === base) check();
    });
    check();
  });
  return bounded(Promise.race([appeared, abort]), timeoutMs, `the in-editor suite's result (${file})`).finally(() => watcher?.close());
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l ? `  ${l}` : l))
    .join('\n');
}

async function runUiChecks(page: Page, workDir: string): Promise<E2EResult> {
  const r: E2EResult = { passed: 0, failed: 0, pending: 0 };
  console.log('\n  in the browser');
  for (const check of uiChecks({ imagesDir: screenshotsDir() })) {
    const started = Date.now();
    try {
      await bounded(check.run(page), UI_CHECK_TIMEOUT_MS, check.title);
      r.passed++;
      console.log(`    ✔ ${check.title} (${Date.now() - started} ms)`);
    } catch (err) {
      r.failed++;
      const shot = path.join(workDir, `failed-${r.failed}.png`);
      await page.screenshot({ path: shot }).catch(() => undefined);
      console.log(`    ✘ ${check.title}\n${indent(indent(String((err as Error)?.message ?? err)))}\n      screenshot: ${shot}`);
    }
  }
  return r;
}

export async function runE2E(): Promise<E2EResult> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-e2e-'));
  const extensionsDir = path.join(workDir, 'extensions');
  const userDataDir = path.join(workDir, 'user-data');
  const resultsFile = path.join(workDir, 'results', 'suite.json');
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  const workspace = copyWorkspace(path.join(workDir, 'workspace'));
  installUnpackedExtension(extensionsDir);
  installRunnerExtension(extensionsDir);
  writeUserSettings(userDataDir);

  let server: RunningCodeServer | undefined;
  let workbench: Workbench | undefined;
  const total: E2EResult = { passed: 0, failed: 0, pending: 0 };
  const started = Date.now();
  try {
    server = await startCodeServer({
      workspace,
      extensionsDir,
      userDataDir,
      // GD_E2E_GREP runs only the in-editor tests whose title matches (debugging one test).
      env: { GD_E2E_RESULTS: resultsFile, ...(process.env.GD_E2E_GREP ? { GD_E2E_GREP: process.env.GD_E2E_GREP } : {}) },
      logFile: path.join(workDir, 'code-server.log'),
    });
    console.log(`  code-server ${server.url} (work dir ${workDir})`);
    workbench = await openWorkbench(server.workbenchUrl);

    // The suite stops waiting early if code-server dies.
    const serverDied = new Promise<never>((_, reject) => server!.process.child.once('exit', () => reject(new Error('code-server exited during the suite'))));
    serverDied.catch(() => undefined);
    let suite: SuiteResult;
    try {
      suite = await waitForJsonFile<SuiteResult>(resultsFile, SUITE_TIMEOUT_MS, serverDied);
    } catch (err) {
      suite = { passed: 0, failed: 1, pending: 0, failures: [{ title: 'in-editor suite', message: String((err as Error).message) }], output: '' };
      console.log(`  in-editor suite did not report: ${(err as Error).message}`);
    }
    if (suite.output) console.log(indent(suite.output));
    else for (const f of suite.failures) console.log(`  ✘ ${f.title}: ${f.message}${f.stack ? `\n${indent(f.stack)}` : ''}`);
    total.passed += suite.passed;
    total.failed += suite.failed;
    total.pending += suite.pending;

    const ui = await runUiChecks(workbench.page, workDir);
    total.passed += ui.passed;
    total.failed += ui.failed;
  } catch (err) {
    total.failed++;
    console.log(`  e2e harness failed: ${(err as Error)?.stack ?? err}`);
  } finally {
    await workbench?.close();
    await server?.stop();
  }
  console.log(`  e2e took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (total.failed === 0) fs.rmSync(workDir, { recursive: true, force: true });
  else console.log(`  kept for inspection: ${workDir} (code-server.log, user-data/logs, failed-*.png)`);
  return total;
}

/**
 * Screenshots land in test-results/ (ignored); GD_UPDATE_SCREENSHOTS=1 writes the README's copies in
 * docs/images instead, so a test run never dirties tracked files by accident.
 */
function screenshotsDir(): string {
  return process.env.GD_UPDATE_SCREENSHOTS === '1' ? path.join(REPO_ROOT, 'docs', 'images') : path.join(REPO_ROOT, 'test-results', 'screenshots');
}
