// "Probe URL…": asks for a URL (recent ones offered first), probes it with progress and cancel, maps it
// to the workspace's nginx configs when they serve it (error log read during the probe), and shows the
// verdict. Restricted mode never probes: a probe sends requests, which is more than reading configs.
import * as vscode from 'vscode';
import { CAUSE_TITLES } from '../core/finding';
import { ProbeUsageError, parseProbeUrl, probe } from '../core/probe/probe';
import { ConfigMapping, mapUrlToConfig } from '../core/probe/configMap';
import { probeText } from '../core/report/probeText';
import type { ProbeReport } from '../core/probe/types';
import { ConfigIndex } from './workspaceIndex';

const RECENT_KEY = 'gatewayDoctor.recentProbeUrls';
const SAMPLES = 5;
const TIMEOUT_MS = 10000;

export class UrlProber implements vscode.Disposable {
  private readonly output = vscode.window.createOutputChannel('Gateway Doctor: Probe');

  constructor(
    private readonly state: vscode.Memento,
    private readonly index: ConfigIndex,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  dispose(): void {
    this.output.dispose();
  }

  /** Resolves with the report (also for tests through the command), undefined when cancelled or refused. */
  async run(given?: string): Promise<ProbeReport | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Gateway Doctor does not probe URLs in restricted mode. Trust this workspace to probe; configs are still inspected.');
      return undefined;
    }
    const url = given ?? (await this.askUrl());
    if (!url) return undefined;
    try {
      parseProbeUrl(url);
    } catch (err) {
      void vscode.window.showErrorMessage(`Gateway Doctor: ${(err as Error).message}`);
      return undefined;
    }
    await this.remember(url);
    const controller = new AbortController();
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Probing ${url}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        progress.report({ message: 'mapping the URL to the workspace configs…' });
        let configLines: string[] = [];
        let errorLogs: string[] = [];
        let configNotes: ConfigMapping['notes'] = [];
        try {
          const mapping = await mapUrlToConfig(url, this.index.list(), { timeoutMs: TIMEOUT_MS, signal: controller.signal });
          configLines = mapping.lines;
          configNotes = mapping.notes;
          if (mapping.errorLog) errorLogs = [mapping.errorLog];
        } catch (err) {
          this.log.info(`probe: no config mapping for ${url}: ${(err as Error).message}`);
        }
        progress.report({ message: `${SAMPLES} samples…` });
        try {
          const r = await probe(url, { samples: SAMPLES, timeoutMs: TIMEOUT_MS, signal: controller.signal, errorLogs, configNotes });
          return { r, configLines };
        } catch (err) {
          if (controller.signal.aborted) return undefined;
          const msg = err instanceof ProbeUsageError ? err.message : `probe failed: ${(err as Error).message}`;
          void vscode.window.showErrorMessage(`Gateway Doctor: ${msg}`);
          return undefined;
        }
      },
    );
    if (!report) return undefined;
    const { r, configLines } = report;
    this.output.clear();
    this.output.append(probeText(r, configLines));
    this.output.show(true);
    const v = r.verdict;
    const line = v.cause === 'none' ? `${url}: healthy (${r.status ?? 'no status'}).` : `${url}: ${CAUSE_TITLES[v.cause]} — ${v.summary}`;
    // Not awaited: the command finishes with its report while the notification stays up.
    void (v.cause === 'none' ? vscode.window.showInformationMessage(line, 'Probe Again') : vscode.window.showWarningMessage(line, 'Probe Again')).then((pick) => {
      if (pick === 'Probe Again') void this.run(url);
    });
    return r;
  }

  private async askUrl(): Promise<string | undefined> {
    const recent = this.state.get<string[]>(RECENT_KEY, []);
    if (recent.length === 0) {
      return vscode.window.showInputBox({ title: 'Gateway Doctor: Probe URL', prompt: 'URL to probe (http or https)', placeHolder: 'https://example.com/health', ignoreFocusOut: true });
    }
    const quick = vscode.window.createQuickPick();
    quick.title = 'Gateway Doctor: Probe URL';
    quick.placeholder = 'Type a URL, or pick a recent one';
    quick.items = recent.map((u) => ({ label: u, description: 'recent' }));
    return new Promise<string | undefined>((resolve) => {
      quick.onDidChangeValue((v) => {
        quick.items = [...(v ? [{ label: v, description: 'probe this URL' }] : []), ...recent.filter((u) => u !== v).map((u) => ({ label: u, description: 'recent' }))];
      });
      quick.onDidAccept(() => {
        resolve(quick.selectedItems[0]?.label ?? (quick.value || undefined));
        quick.hide();
      });
      quick.onDidHide(() => {
        resolve(undefined);
        quick.dispose();
      });
      quick.show();
    });
  }

  private async remember(url: string): Promise<void> {
    const recent = [url, ...this.state.get<string[]>(RECENT_KEY, []).filter((u) => u !== url)].slice(0, 10);
    await this.state.update(RECENT_KEY, recent);
  }
}
