// Hover on an nginx directive name, on an HAProxy proxy header / `timeout` line, or on an Apache `ProxyPass`:
// the core explains the values in effect there and where they come from; this renders links.
import * as vscode from 'vscode';
import { NodeFileHost } from '../core/host';
import { explainDirectiveAt, renderHoverMarkdown } from '../core/configs/nginx/hover';
import { explainHaproxyAt, renderHaproxyHover } from '../core/configs/haproxy/hover';
import { explainApacheAt, renderApacheHover } from '../core/configs/apache/hover';
import { toRange } from './convert';
import { isApacheDocument, isConfigDocument, isHaproxyDocument, isNginxDocument, snapshotOpenDocuments } from './documents';
import { UNKNOWN_VERSION_HINT, readSettings } from './settings';
import { ConfigIndex } from './workspaceIndex';

export class DirectiveHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly index: ConfigIndex,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (isConfigDocument(doc, this.index) && isHaproxyDocument(doc)) return this.haproxyHover(doc, position);
    if (isConfigDocument(doc, this.index) && isApacheDocument(doc)) return this.apacheHover(doc, position);
    if (!isNginxDocument(doc, this.index)) return undefined;
    const settings = readSettings(doc.uri);
    try {
      const snap = snapshotOpenDocuments(this.index);
      const e = explainDirectiveAt({
        file: doc.uri.fsPath,
        position: { line: position.line, character: position.character },
        candidates: this.index.list(),
        host: new NodeFileHost(snap.overlay, settings.maxFileBytes),
        nginxVersion: settings.nginxVersion,
      });
      if (!e) return undefined;
      const md = renderHoverMarkdown(e, { link: fileLink, unknownVersionHint: UNKNOWN_VERSION_HINT });
      return new vscode.Hover(new vscode.MarkdownString(md), toRange(e.range));
    } catch (err) {
      this.log.error(`hover failed: ${(err as Error)?.stack ?? err}`);
      return undefined;
    }
  }

  /** An Apache file is read inside the config that includes it (a vhost inherits from apache2.conf). */
  private apacheHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    try {
      const snap = snapshotOpenDocuments(this.index);
      const e = explainApacheAt({
        file: doc.uri.fsPath,
        position: { line: position.line, character: position.character },
        candidates: this.index.list(),
        host: new NodeFileHost(snap.overlay, readSettings(doc.uri).maxFileBytes),
      });
      if (!e) return undefined;
      return new vscode.Hover(new vscode.MarkdownString(renderApacheHover(e, { link: fileLink })), toRange(e.range));
    } catch (err) {
      this.log.error(`hover failed: ${(err as Error)?.stack ?? err}`);
      return undefined;
    }
  }

  /** HAProxy files have no includes: the open text alone is the context. */
  private haproxyHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    try {
      const e = explainHaproxyAt(doc.uri.fsPath, doc.getText(), { line: position.line, character: position.character });
      if (!e) return undefined;
      const md = renderHaproxyHover(e, { link: (line) => fileLink(doc.uri.fsPath, line) });
      return new vscode.Hover(new vscode.MarkdownString(md), toRange(e.range));
    } catch (err) {
      this.log.error(`hover failed: ${(err as Error)?.stack ?? err}`);
      return undefined;
    }
  }
}

/** `[conf.d/app.conf:12](file:///…#L12)`: a link that opens the file at that line. */
function fileLink(file: string, line: number): string {
  const label = `${vscode.workspace.asRelativePath(file)}:${line + 1}`.replace(/[\\[\]`*_]/g, '\\$&');
  const target = vscode.Uri.file(file).with({ fragment: `L${line + 1}` });
  return `[${label}](${target.toString()})`;
}
