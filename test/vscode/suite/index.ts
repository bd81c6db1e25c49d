// The in-editor suite: mocha over test/vscode/suite/*.test.js, run inside a VS Code extension host.
// `run()` is the @vscode/test-electron convention (rejects when a test fails); `runSuite()` also returns
// the counts and the reporter's text, for the code-server runner that cannot show its console.
import * as fs from 'fs';
import * as path from 'path';
import { format } from 'util';
import Mocha = require('mocha');

export interface SuiteResult {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; message: string; stack?: string }[];
  /** What mocha's spec reporter printed. */
  output: string;
}

export function runSuite(): Promise<SuiteResult> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 60000, ...(process.env.GD_E2E_GREP ? { grep: process.env.GD_E2E_GREP } : {}) });
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));

  // The spec reporter writes through Base.consoleLog; keep a copy (and still log it for test-electron).
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const originalLog = base.consoleLog;
  const lines: string[] = [];
  base.consoleLog = (...args: unknown[]) => {
    lines.push(format(...args));
    originalLog(...args);
  };
  const failures: SuiteResult['failures'] = [];
  return new Promise<SuiteResult>((resolve, reject) => {
    try {
      const runner = mocha.run(() => {
        base.consoleLog = originalLog;
        const s = runner.stats ?? ({} as Mocha.Stats);
        resolve({
          passed: s.passes ?? 0,
          failed: Math.max(s.failures ?? 0, failures.length),
          pending: s.pending ?? 0,
          failures,
          output: lines.join('\n'),
        });
      });
      runner.on('fail', (test, err: Error) => failures.push({ title: test.fullTitle(), message: String(err?.message ?? err), stack: err?.stack }));
    } catch (err) {
      base.consoleLog = originalLog;
      reject(err);
    }
  });
}

export async function run(): Promise<void> {
  const r = await runSuite();
  if (r.failed > 0) throw new Error(`${r.failed} of ${r.passed + r.failed} e2e tests failed`);
}
