// The harness itself: the suite runs in a real extension host, with the fixture workspace open and the
// freshly built extension installed.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { EXTENSION_ID, workspaceUri } from './helpers';

describe('e2e host', () => {
  it('runs inside VS Code with the fixture workspace and the extension', async () => {
    assert.match(vscode.version, /^1\.\d+\./);
    const stat = await vscode.workspace.fs.stat(workspaceUri('nginx.conf'));
    assert.strictEqual(stat.type, vscode.FileType.File);
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    assert.strictEqual(ext.packageJSON.version, require('../../../../package.json').version, 'the freshly built version');
  });
});
