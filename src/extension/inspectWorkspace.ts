// "Inspect Workspace Configs": every nginx, HAProxy, Apache and Caddy config of every workspace folder, linted root by root with
// progress and cancel; the result feeds the Findings tree and the Problems panel.
import * as vscode from 'vscode';
import { NodeFileHost } from '../core/host';
import { Finding } from '../core/finding';
import { lintPathsAsync } from '../core/lint';
import { FindingsModel } from './findingsModel';
import { isConfigDocument, snapshotOpenDocuments } from './documents';
import { readSettings } from './settings';
import { ConfigIndex } from './workspaceIndex';

export interface InspectOptions {
  /** Re-runs after a settings change: progress in the status bar, no summary message. */
  quiet?: boolean;
}

export class WorkspaceInspector {
  private running: vscode.CancellationTokenSource | undefined;
  /** Set once an inspection finished, so settings changes know to re-run it. */
  hasRun = false;

  constructor(
    private readonly model: FindingsModel,
    private readonly index: ConfigIndex,
    private readonly log: vscode.LogOutputChannel,
    private readonly setSummary: (text: string | undefined) => void,
  ) {}

  async run(opts: InspectOptions = {}): Promise<void> {
    if (!vscode.workspace.workspaceFolders?.length) {
      void vscode.window.showInformationMessage('Gateway Doctor: open a folder with nginx, HAProxy, Apache or Caddy configs to inspect it.');
      return;
    }
    this.running?.cancel(); // a newer run replaces an older one
    const own = new vscode.CancellationTokenSource();
    this.running = own;
    try {
      await vscode.window.withProgress(
        { location: opts.quiet ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification, title: 'Gateway Doctor: inspecting configs', cancellable: !opts.quiet },
        (progress, token) => this.inspect(progress, token, own.token, opts),
      );
    } finally {
      if (this.running === own) this.running = undefined;
      own.dispose();
    }
  }

  private async inspect(
    progress: vscode.Progress<{ message?: string; increment?: number }>,
    userToken: vscode.CancellationToken,
    supersededToken: vscode.CancellationToken,
    opts: InspectOptions,
  ): Promise<void> {
    const cancelled = () => userToken.isCancellationRequested || supersededToken.isCancellationRequested;
    progress.report({ message: 'finding config files…' });
    const candidates = await this.index.rescan(userToken);
    if (cancelled()) return;
    await vscode.commands.executeCommand('setContext', 'gatewayDoctor.noConfigs', candidates.length === 0);
    if (candidates.length === 0) {
      this.log.info('inspect: no nginx, HAProxy, Apache, Caddy or Kubernetes config files in the workspace');
      this.model.replaceInspection([], [], new Map(), (f) => this.isOpen(f));
      this.setSummary(undefined);
      this.hasRun = true;
      await vscode.commands.executeCommand('setContext', 'gatewayDoctor.inspected', true);
      if (!opts.quiet) {
        void vscode.window.showInformationMessage(
          'Gateway Doctor found no nginx, HAProxy, Apache, Caddy or Kubernetes config files in this workspace (Kubernetes manifests: *.yaml with apiVersion and kind; nginx.conf, sites-enabled/*, conf.d/*.conf, *.nginx, haproxy.cfg, *.cfg under haproxy/, apache2.conf, httpd.conf, *.conf under apache2/ or httpd/, Caddyfile, *.caddyfile, or *.conf / *.cfg / files under caddy/ that read like nginx, HAProxy, Apache or a Caddyfile).',
        );
      }
      return;
    }

    // Settings are per folder (nginx version, disabled rules): lint each folder's files with its own.
    const byFolder = new Map<vscode.WorkspaceFolder | undefined, string[]>();
    for (const f of candidates) {
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(f));
      let l = byFolder.get(folder);
      if (!l) byFolder.set(folder, (l = []));
      l.push(f);
    }
    const snap = snapshotOpenDocuments(this.index);
    const findings: Finding[] = [];
    const covered = new Set<string>();
    let roots = 0;
    let partial = false;
    let doneFiles = 0;
    for (const [folder, files] of byFolder) {
      const settings = readSettings(folder?.uri);
      let last = 0;
      const result = await lintPathsAsync(files, {
        host: new NodeFileHost(snap.overlay, settings.maxFileBytes),
        nginxVersion: settings.nginxVersion,
        disabledRules: settings.disabledRules,
        // The folder's app servers, for the cross-layer findings (nginx against gunicorn, PHP-FPM …).
        appServerFiles: this.index.appList().filter((f) => vscode.workspace.getWorkspaceFolder(vscode.Uri.file(f)) === folder),
        isCancelled: cancelled,
        onProgress: (done, total, file) => {
          // Increments add up to 100 over all folders, weighted by their share of the files.
          const share = (files.length / candidates.length) * 100;
          const inc = total ? ((done - last) / total) * share : 0;
          last = done;
          progress.report({ increment: inc, message: file ? `${done + 1}/${total} ${vscode.workspace.asRelativePath(file)}` : undefined });
        },
      });
      findings.push(...result.findings);
      for (const f of result.files) covered.add(f);
      roots += result.roots.length;
      doneFiles += files.length;
      if (result.cancelled) {
        partial = true;
        break;
      }
    }
    if (supersededToken.isCancellationRequested) return;

    this.model.replaceInspection(covered, findings, snap.versions, (f) => this.isOpen(f));
    this.hasRun = true;
    await vscode.commands.executeCommand('setContext', 'gatewayDoctor.inspected', true);
    const summary = `${partial ? 'Cancelled: partial result. ' : ''}${findings.length} finding(s) in ${covered.size} file(s) read from ${roots} root config(s)`;
    this.setSummary(summary);
    this.log.info(`inspect: ${summary}${partial ? ` (${doneFiles} of ${candidates.length} candidates done)` : ''}`);
    if (opts.quiet) return;
    if (partial) void vscode.window.showWarningMessage(`Gateway Doctor: inspection cancelled; showing what was found in ${covered.size} file(s).`);
    else if (findings.length === 0) void vscode.window.showInformationMessage(`Gateway Doctor: no problems found in ${covered.size} config file(s).`);
    // Awaited: the command is done when the view shows the result (a palette opened next is not closed by a late focus).
    else await vscode.commands.executeCommand('gatewayDoctor.findings.focus');
  }

  private isOpen(file: string): boolean {
    return vscode.workspace.textDocuments.some((d) => d.uri.scheme === 'file' && d.uri.fsPath === file && isConfigDocument(d, this.index));
  }

  dispose(): void {
    this.running?.cancel();
  }
}
