// Test-only extension for code-server: when the server was started with GD_E2E_RESULTS (its extension
// host inherits the server's environment), run the in-editor suite once and write the result there.
// The harness waits for that file; a browser reload must not run the suite a second time.
import * as fs from 'fs';
import type { SuiteResult } from '../suite/index';

export function activate(): void {
  const resultsFile = process.env.GD_E2E_RESULTS;
  if (resultsFile) void runOnce(resultsFile); // not awaited: activation should not last as long as the suite
}

async function runOnce(resultsFile: string): Promise<void> {
  const claim = `${resultsFile}.started`;
  try {
    fs.writeFileSync(claim, String(process.pid), { flag: 'wx' });
  } catch {
    return; // another window (or a reload) already runs the suite
  }
  let result: SuiteResult;
  try {
    const { runSuite } = require('../suite/index') as typeof import('../suite/index');
    result = await runSuite();
  } catch (err) {
    const e = err as Error;
    result = { passed: 0, failed: 1, pending: 0, failures: [{ title: 'loading the e2e suite', message: e.message, stack: e.stack }], output: '' };
  }
  // Write then rename, so the harness never reads half a file.
  fs.writeFileSync(`${resultsFile}.tmp`, JSON.stringify(result, null, 2));
  fs.renameSync(`${resultsFile}.tmp`, resultsFile);
}

export function deactivate(): void {}
