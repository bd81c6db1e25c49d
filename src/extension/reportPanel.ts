// Report webviews (probe report, log summary): one panel per key, reused when shown again. The body is
// HTML made by the pure renderers in src/core/report (they escape every value they insert); this module
// adds the page around it: a strict Content-Security-Policy (no inline script or style, only the
// extension's own media files and a nonce'd script), VS Code's theme colours through its CSS variables,
// and a message channel for the page's buttons (`<button data-command="copyCurl" data-arg="…">`).
import * as crypto from 'crypto';
import * as vscode from 'vscode';

export interface ReportContent {
  /** Panel tab title. */
  title: string;
  /** Trusted HTML fragment from a core renderer (all dynamic text escaped there). */
  body: string;
  /** Extra style sheets under media/ (e.g. 'probe-report.css'), after the shared media/report.css. */
  styles?: string[];
}

/** What the page's script posts when a button with data-command is clicked. */
export interface ReportMessage {
  command: string;
  arg?: string;
}

export class ReportPanels implements vscode.Disposable {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; onMessage?: (m: ReportMessage) => unknown; html: string }>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** Shows the panel for `key` (created on first use, revealed and refreshed after). */
  show(key: string, content: ReportContent, onMessage?: (m: ReportMessage) => unknown, column = vscode.ViewColumn.Beside): vscode.WebviewPanel {
    let entry = this.panels.get(key);
    if (!entry) {
      const media = vscode.Uri.joinPath(this.extensionUri, 'media');
      const panel = vscode.window.createWebviewPanel(`gatewayDoctor.report`, content.title, { viewColumn: column, preserveFocus: true }, {
        enableScripts: true,
        localResourceRoots: [media],
        retainContextWhenHidden: false,
      });
      const created = { panel, onMessage, html: '' };
      entry = created;
      this.panels.set(key, created);
      panel.onDidDispose(() => {
        if (this.panels.get(key) === created) this.panels.delete(key);
      });
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (!isReportMessage(m)) return;
        void Promise.resolve(created.onMessage?.(m)).catch((err) => void vscode.window.showErrorMessage(`Gateway Doctor: ${(err as Error).message}`));
      });
    } else {
      entry.onMessage = onMessage;
      entry.panel.reveal(entry.panel.viewColumn ?? column, true);
    }
    entry.panel.title = content.title;
    entry.html = pageHtml(entry.panel.webview, this.extensionUri, content);
    entry.panel.webview.html = entry.html;
    return entry.panel;
  }

  /** The HTML last set for `key` (tests read it; undefined when the panel is closed). */
  htmlOf(key: string): string | undefined {
    return this.panels.get(key)?.html;
  }

  isOpen(key: string): boolean {
    return this.panels.has(key);
  }

  dispose(): void {
    for (const { panel } of this.panels.values()) panel.dispose();
    this.panels.clear();
  }
}

function isReportMessage(m: unknown): m is ReportMessage {
  return typeof m === 'object' && m !== null && typeof (m as ReportMessage).command === 'string' && ((m as ReportMessage).arg === undefined || typeof (m as ReportMessage).arg === 'string');
}

function pageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, content: ReportContent): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const media = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', name)).toString();
  const styles = ['report.css', ...(content.styles ?? [])].map((s) => `<link rel="stylesheet" href="${escapeAttr(media(s))}">`).join('\n');
  const csp = [`default-src 'none'`, `img-src ${webview.cspSource} data:`, `style-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`, `font-src ${webview.cspSource}`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
<title>${escapeText(content.title)}</title>
</head>
<body>
${content.body}
<script nonce="${nonce}" src="${escapeAttr(media('report.js'))}"></script>
</body>
</html>`;
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}
