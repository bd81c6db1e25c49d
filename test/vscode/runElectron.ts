// The same in-editor suite under @vscode/test-electron, for machines that can download VS Code
// (CI here uses code-server instead: see harness/runE2E.ts). After `node esbuild.js && tsc -p .`:
//   node out/test/vscode/runElectron.js
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

async function main(): Promise<void> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-electron-'));
  const workspace = path.join(workDir, 'workspace');
  fs.cpSync(path.join(REPO_ROOT, 'test', 'vscode', 'workspace'), workspace, { recursive: true });
  try {
    await runTests({
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(__dirname, 'suite', 'index'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(workDir, 'user-data')],
    });
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
