// "Watch URL in Status Bar…": one URL probed on an interval (one sample, the probe's timeout), its state in
// the status bar — status, total time, and the cause when it fails — so a 502 that comes and goes is seen
// while editing the config that causes it. A click runs the full Probe URL… on it. One probe at a time
// (a slow one is never overlapped), stopped on Stop, on restricted mode and on dispose; the watched URL is
// kept per workspace and resumed when the workspace is trusted.
import * as vscode from 'vscode';
import { CAUSE_TITLES } from '../core/finding';
import { parseProbeUrl, probe } from '../core/probe/probe';
import { redactUrl } from '../core/probe/redact';
import type { ProbeReport } from '../core/probe/types';
import { readProbeSettings } from './settings';

const STATE_KEY = 'gatewayDoctor.watchedUrl';
export const WATCH_START_COMMAND = 'gatewayDoctor.watch.start';
export const WATCH_STOP_COMMAND = 'gatewayDoctor.watch.stop';

export interface WatchState {
  url: string;
  /** Probes finished since the watch started. */
  checks: number;
  /** Failing checks in a row (0 when the last one was healthy). */
  failingInARow: number;
  last?: { at: Date; status: number | null; cause: ProbeReport['verdict']['cause']; summary: string; totalMs: number; error?: string };
}

export class UrlWatch implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('gatewayDoctor.watch', vscode.StatusBarAlignment.Left, 50);
  private timer: NodeJS.Timeout | undefined;
  private running: AbortController | undefined;
  private state: WatchState | undefined;
  private readonly changed = new vscode.EventEmitter<WatchState | undefined>();
  /** Fires after every check and when the watch starts or stops (tests wait on it). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly workspaceState: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.item.name = 'Gateway Doctor: URL watch';
    const saved = workspaceState.get<string>(STATE_KEY);
    if (saved && vscode.workspace.isTrusted) void this.start(saved, undefined, { quiet: true });
    else if (saved) this.trustSub = vscode.workspace.onDidGrantWorkspaceTrust(() => void this.start(saved, undefined, { quiet: true }));
  }

  private trustSub: vscode.Disposable | undefined;

  current(): WatchState | undefined {
    return this.state;
  }

  /** Starts watching `given` (asked for when missing), replacing any watch. `intervalMs` overrides the setting (tests). */
  async start(given?: string, intervalMs?: number, opts: { quiet?: boolean } = {}): Promise<WatchState | undefined> {
    if (!vscode.workspace.isTrusted) {
      if (!opts.quiet) void vscode.window.showWarningMessage('Gateway Doctor does not probe URLs in restricted mode. Trust this workspace to watch a URL.');
      return undefined;
    }
    const url =
      given ??
      (await vscode.window.showInputBox({
        title: 'Gateway Doctor: Watch URL in Status Bar',
        prompt: 'URL to probe on an interval (http or https); its state shows in the status bar',
        placeHolder: 'https://example.com/health',
        value: this.state?.url,
        ignoreFocusOut: true,
        validateInput: (v) => {
          try {
            parseProbeUrl(v);
            return undefined;
          } catch (err) {
            return (err as Error).message;
          }
        },
      }));
    if (!url) return undefined;
    try {
      parseProbeUrl(url);
    } catch (err) {
      void vscode.window.showErrorMessage(`Gateway Doctor: ${(err as Error).message}`);
      return undefined;
    }
    this.stopTimer();
    this.state = { url, checks: 0, failingInARow: 0 };
    await this.workspaceState.update(STATE_KEY, url);
    await vscode.commands.executeCommand('setContext', 'gatewayDoctor.watching', true);
    this.render();
    this.item.show();
    const every = intervalMs ?? Math.max(5, vscode.workspace.getConfiguration('gatewayDoctor').get<number>('watch.intervalSeconds', 30)) * 1000;
    this.log.info(`watch: ${redactUrl(url)} every ${every / 1000} s`);
    const tick = () => void this.check();
    tick();
    this.timer = setInterval(tick, every);
    this.changed.fire(this.state);
    return this.state;
  }

  async stop(): Promise<void> {
    this.stopTimer();
    this.state = undefined;
    this.item.hide();
    await this.workspaceState.update(STATE_KEY, undefined);
    await vscode.commands.executeCommand('setContext', 'gatewayDoctor.watching', false);
    this.changed.fire(undefined);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.running?.abort();
    this.running = undefined;
  }

  private async check(): Promise<void> {
    const state = this.state;
    if (!state || this.running) return; // one probe at a time: a slow check is not overlapped
    const controller = new AbortController();
    this.running = controller;
    const settings = readProbeSettings();
    try {
      const r = await probe(state.url, { samples: 1, timeoutMs: settings.timeoutMs, signal: controller.signal, proxy: settings.proxy, noProxy: settings.noProxy });
      if (controller.signal.aborted || this.state !== state) return;
      const failing = r.verdict.cause !== 'none';
      const wasHealthy = state.failingInARow === 0 && state.checks > 0;
      state.checks++;
      state.failingInARow = failing ? state.failingInARow + 1 : 0;
      const s = r.samples[0];
      state.last = { at: new Date(), status: r.status, cause: r.verdict.cause, summary: r.verdict.summary, totalMs: r.phases.totalMs, error: s?.error ? `${s.error.phase}: ${s.error.code}` : undefined };
      this.render();
      if (failing && (wasHealthy || state.checks === 1)) this.announce(state);
    } catch (err) {
      if (!controller.signal.aborted) this.log.warn(`watch: probe failed: ${(err as Error).message}`);
    } finally {
      if (this.running === controller) this.running = undefined;
      if (this.state === state) this.changed.fire(state);
    }
  }

  /** One notification when the URL starts failing (not on every failing check). */
  private announce(state: WatchState): void {
    const last = state.last!;
    void vscode.window.showWarningMessage(`Gateway Doctor: ${redactUrl(state.url)} is failing: ${last.status ?? last.error ?? 'no response'} — ${CAUSE_TITLES[last.cause]}.`, 'Probe Now', 'Stop Watching').then((pick) => {
      if (pick === 'Probe Now') void vscode.commands.executeCommand('gatewayDoctor.probeUrl', state.url);
      if (pick === 'Stop Watching') void this.stop();
    });
  }

  private render(): void {
    const state = this.state;
    if (!state) return;
    const host = safeHost(state.url);
    const last = state.last;
    if (!last) {
      this.item.text = `$(sync~spin) ${host}`;
      this.item.backgroundColor = undefined;
    } else if (last.cause === 'none') {
      this.item.text = `$(pass) ${host} ${last.status ?? ''} ${fmt(last.totalMs)}`;
      this.item.backgroundColor = undefined;
    } else {
      this.item.text = `$(error) ${host} ${last.status ?? last.error ?? 'no response'}`;
      this.item.backgroundColor = new vscode.ThemeColor(state.failingInARow > 1 ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
    }
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**Gateway Doctor watch**\n\n`);
    md.appendText(redactUrl(state.url));
    if (last) {
      md.appendMarkdown(`\n\n${last.cause === 'none' ? 'Healthy' : `**${CAUSE_TITLES[last.cause]}**`} · ${last.status ?? 'no response'} · ${fmt(last.totalMs)} · ${last.at.toLocaleTimeString()}\n\n`);
      md.appendText(last.summary);
      md.appendMarkdown(`\n\n${state.checks} check(s)${state.failingInARow ? `, failing ${state.failingInARow} in a row` : ''}. Click for a full probe.`);
    }
    this.item.tooltip = md;
    this.item.command = { command: 'gatewayDoctor.probeUrl', title: 'Probe Now', arguments: [state.url] };
  }

  dispose(): void {
    this.trustSub?.dispose();
    this.stopTimer();
    this.item.dispose();
    this.changed.dispose();
  }
}

function fmt(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
}

function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return u.host + (u.pathname !== '/' ? u.pathname : '');
  } catch {
    return url;
  }
}
