// Which documents are logs for us (by name, or by content for plain-text documents), and opening a log
// at a line: plain files through `vscode.open` (works past the size VS Code syncs to extensions), gzip-
// rotated ones as a read-only decompressed document of our own scheme.
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import * as vscode from 'vscode';
import { sniffFormat } from '../core/logs/formats';
import { isGzip } from '../core/logs/reader';
import { ioReason } from '../core/logs/editorAnalysis';
import { readSettings } from './settings';

/** Decompressed `.gz` logs, read-only; the path is the file's path on disk. */
export const GZIP_LOG_SCHEME = 'gateway-doctor-log';

const SNIFF_LINES = 50;

/** error.log, access.log, haproxy.log, *.log, rotated *.log.1, and Apache's error_log / access_log. */
export function isLogFileName(name: string): boolean {
  return /\.log(\.\d+)?$/i.test(name) || /(^|[._-])(error|access)_log(\.\d+)?$/i.test(name);
}

/**
 * True for documents whose lines we classify: files (and unsaved documents) named like logs, plain-text
 * or `log` documents whose first lines read as a known format, and our decompressed gzip logs. Output
 * panels (language `log` too) and other schemes never count.
 */
export function isLogDocument(doc: vscode.TextDocument): boolean {
  if (doc.isClosed) return false;
  const scheme = doc.uri.scheme;
  if (scheme === GZIP_LOG_SCHEME) return true;
  if (scheme !== 'file' && scheme !== 'untitled') return false;
  if (scheme === 'file' && isLogFileName(path.basename(doc.uri.fsPath))) return true;
  if (doc.languageId !== 'log' && doc.languageId !== 'plaintext') return false;
  const sample: string[] = [];
  for (let i = 0; i < Math.min(doc.lineCount, SNIFF_LINES); i++) sample.push(doc.lineAt(i).text);
  return sniffFormat(sample) !== undefined;
}

/** Opens `file` with line `line` (1-based) selected; gzip files open decompressed. */
export async function openLogLine(file: string, line: number): Promise<void> {
  const range = new vscode.Range(line - 1, 0, line - 1, 0);
  // An unsaved or untitled log was analysed as shown: open that document, not the file on disk.
  const shown = vscode.workspace.textDocuments.find((d) => (d.uri.scheme === 'untitled' ? d.uri.path === file : d.uri.scheme === 'file' && d.isDirty && d.uri.fsPath === file));
  if (shown) {
    await vscode.window.showTextDocument(shown, { selection: range, preview: true });
    return;
  }
  let gzip = false;
  try {
    gzip = isGzip(file);
  } catch (err) {
    void vscode.window.showErrorMessage(`Gateway Doctor cannot open ${path.basename(file)}: ${ioReason(err)}.`);
    return;
  }
  if (gzip) {
    const doc = await vscode.workspace.openTextDocument(gzipLogUri(file));
    await vscode.window.showTextDocument(doc, { selection: range, preview: true });
    return;
  }
  const options: vscode.TextDocumentShowOptions = { selection: range, preview: true };
  await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file), options);
}

export function gzipLogUri(file: string): vscode.Uri {
  return vscode.Uri.from({ scheme: GZIP_LOG_SCHEME, path: file });
}

/** Serves `gateway-doctor-log:` documents: the gzip file decompressed, up to gatewayDoctor.maxFileSizeMB. */
export class GzipLogProvider implements vscode.TextDocumentContentProvider {
  provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const file = uri.path;
    const max = readSettings().maxFileBytes;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const src = fs.createReadStream(file);
      const gunzip = zlib.createGunzip();
      const fail = (why: string) => {
        src.destroy();
        gunzip.destroy();
        reject(new Error(`${path.basename(file)}: ${why}`));
      };
      token.onCancellationRequested(() => fail('cancelled'));
      gunzip.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) return fail(`more than ${Math.round(max / 1048576)} MB decompressed (gatewayDoctor.maxFileSizeMB); the log report lists its lines`);
        chunks.push(c);
      });
      gunzip.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      gunzip.on('error', (err) => fail(ioReason(err)));
      src.on('error', (err) => fail(ioReason(err)));
      src.pipe(gunzip);
    });
  }
}
