// "Probe URL…": asks for a URL (recent ones offered first), probes it with progress and cancel, maps it
// to the workspace's nginx configs when they serve it (error log read during the probe), and shows the
// result: the report webview, a row in the Findings view, the text in an output channel, the verdict as
// a notification. Restricted mode never probes: a probe sends requests, which is more than reading configs.
import * as vscode from 'vscode';
import { CAUSE_TITLES } from '../core/finding';
import { ProbeOptions, ProbeUsageError, parseProbeUrl, probe } from '../core/probe/probe';
import { ConfigMapping, mapUrlToConfig } from '../core/probe/configMap';
import { CurlRequest, curlCommand } from '../core/probe/curl';
import { ResolveOverride, ResolveSyntaxError, parseOriginAddress } from '../core/probe/resolveOverride';
import { fmtAddr } from '../core/probe/phases';
import { routeUrl } from '../core/configs/nginx/urlRoute';
import { SourceCache } from '../core/configs/nginx/tree';
import { NodeFileHost } from '../core/host';
import { probeText } from '../core/report/probeText';
import { ProbeReportView, probeHtml } from '../core/report/probeHtml';
import type { ProbeReport } from '../core/probe/types';
import { ConfigIndex } from './workspaceIndex';
import { ProbeResult, ProbeResults, probeNodeOf } from './probeSection';
import { ReportMessage, ReportPanels } from './reportPanel';
import { readProbeSettings } from './settings';

const RECENT_KEY = 'gatewayDoctor.recentProbeUrls';
/** One report panel for probes: it shows the result last opened. */
export const PROBE_REPORT_KEY = 'probe';

export class UrlProber implements vscode.Disposable {
  private readonly output = vscode.window.createOutputChannel('Gateway Doctor: Probe');
  /** The result whose text the output channel holds. */
  private shownAsText: ProbeResult | undefined;

  constructor(
    private readonly state: vscode.Memento,
    private readonly index: ConfigIndex,
    private readonly log: vscode.LogOutputChannel,
    private readonly results: ProbeResults,
    private readonly reports: ReportPanels,
  ) {}

  dispose(): void {
    this.output.dispose();
  }

  /** Resolves with the report (also for tests through the command), undefined when cancelled or refused.
   * `resolve`: curl's --resolve for the URL (Probe Origin Directly…): the samples go to that address and the
   * same URL is also probed over DNS (the edge) for the comparison. */
  async run(given?: string, resolve?: ResolveOverride[]): Promise<ProbeReport | undefined> {
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
    const settings = readProbeSettings();
    const controller = new AbortController();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: resolve?.length ? `Probing ${url} at the origin ${originLabel(resolve)}, and over DNS` : `Probing ${url}`, cancellable: true },
      async (progress, token): Promise<ProbeResult | undefined> => {
        token.onCancellationRequested(() => controller.abort());
        progress.report({ message: 'mapping the URL to the workspace configs…' });
        let configLines: string[] = [];
        let errorLogs: string[] = [];
        let configNotes: ConfigMapping['notes'] = [];
        let upstreamKeepAlive: ConfigMapping['upstreamKeepAlive'];
        const measureKeepAliveMs = settings.measureKeepAliveMs || undefined;
        try {
          if (measureKeepAliveMs) progress.report({ message: 'mapping the URL to the workspace configs and measuring the upstream keep-alive…' });
          const mapping = await mapUrlToConfig(url, this.index.list(), { timeoutMs: settings.timeoutMs, signal: controller.signal, measureKeepAliveMs, appServerFiles: this.index.appList() });
          configLines = mapping.lines;
          configNotes = mapping.notes;
          upstreamKeepAlive = mapping.upstreamKeepAlive;
          if (mapping.errorLog) errorLogs = [mapping.errorLog];
        } catch (err) {
          this.log.info(`probe: no config mapping for ${url}: ${(err as Error).message}`);
        }
        const route = this.route(url);
        progress.report({ message: `${settings.samples} sample${settings.samples === 1 ? '' : 's'}${measureKeepAliveMs ? `, then up to ${Math.round(measureKeepAliveMs / 1000)} s measuring the idle keep-alive` : ''}…` });
        const options: ProbeOptions = {
          samples: settings.samples,
          timeoutMs: settings.timeoutMs,
          signal: controller.signal,
          errorLogs,
          configNotes,
          proxy: settings.proxy,
          noProxy: settings.noProxy,
          measureKeepAliveMs,
          upstreamKeepAlive,
          resolve,
        };
        try {
          const report: ProbeReportView = await probe(url, options);
          if (controller.signal.aborted) return undefined;
          const request: CurlRequest = { url, timeoutMs: settings.timeoutMs, proxy: settings.proxy, noProxy: settings.noProxy, resolve, followRedirects: report.samples.some((x) => x.redirects.some((d) => d.followed)) };
          const errorLog = errorLogs.length ? { files: errorLogs, lines: report.errorLog ?? [] } : undefined;
          return { url, report, finishedAt: new Date(), configLines, route, errorLog, request, resolve };
        } catch (err) {
          if (controller.signal.aborted) return undefined;
          const msg = err instanceof ProbeUsageError ? err.message : `probe failed: ${(err as Error).message}`;
          void vscode.window.showErrorMessage(`Gateway Doctor: ${msg}`);
          return undefined;
        }
      },
    );
    if (!result) return undefined;
    this.results.add(result);
    this.showText(result, false);
    this.openReport(result);
    const r = result.report;
    const v = r.verdict;
    const line = v.cause === 'none' ? `${r.url}: healthy (${r.status ?? 'no status'}).` : `${r.url}: ${CAUSE_TITLES[v.cause]} — ${v.summary}`;
    // Not awaited: the command finishes with its report while the notification stays up.
    void (v.cause === 'none' ? vscode.window.showInformationMessage(line, 'Probe Again') : vscode.window.showWarningMessage(line, 'Probe Again')).then((pick) => {
      if (pick === 'Probe Again') void this.run(url, resolve);
    });
    return r;
  }

  /** The server/location/upstream lines that serve the URL, when a workspace config does. */
  private route(url: string): ProbeResult['route'] {
    try {
      return routeUrl(parseProbeUrl(url).toString(), this.index.list(), new SourceCache(new NodeFileHost()));
    } catch (err) {
      this.log.info(`probe: could not locate ${url} in the configs: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Shows the result in the report panel (reused); returns its HTML. */
  openReport(result: ProbeResult): string {
    const r = result.report;
    const route = result.route?.places.map((p) => ({ ...p, display: vscode.workspace.asRelativePath(p.file) }));
    const body = probeHtml({ report: r, finishedAt: result.finishedAt.toLocaleString(), configLines: result.configLines, route, errorLog: result.errorLog });
    let host = r.url;
    try {
      host = new URL(r.url).host;
    } catch {
      /* shown as is */
    }
    this.reports.show(PROBE_REPORT_KEY, { title: `Probe: ${host}`, body, styles: ['probe-report.css'] }, (m) => this.onReportMessage(result, m));
    return this.reports.htmlOf(PROBE_REPORT_KEY) ?? '';
  }

  private async onReportMessage(result: ProbeResult, m: ReportMessage): Promise<void> {
    switch (m.command) {
      case 'again':
        await this.run(result.url, result.resolve);
        return;
      case 'copyCurl':
        await this.copyAsCurl(result);
        return;
      case 'showText':
        this.showText(result, true);
        return;
      case 'openConfig': {
        const place = result.route?.places[Number(m.arg)];
        if (!place) return;
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(place.file));
        const at = new vscode.Position(place.line, place.character);
        await vscode.window.showTextDocument(doc, { selection: new vscode.Range(at, at), viewColumn: vscode.ViewColumn.One });
        return;
      }
    }
  }

  /** The curl command (secrets replaced) on the clipboard; resolves with it. */
  async copyAsCurl(result: ProbeResult): Promise<string> {
    const cmd = curlCommand(result.request);
    await vscode.env.clipboard.writeText(cmd);
    void vscode.window.showInformationMessage('Gateway Doctor: copied the probe as a curl command (secrets replaced by <redacted>).');
    return cmd;
  }

  private showText(result: ProbeResult, reveal: boolean): void {
    if (this.shownAsText !== result) {
      this.output.clear();
      this.output.append(probeText(result.report, result.configLines));
      this.shownAsText = result;
    }
    if (reveal) this.output.show(true);
  }

  /** The result a command was invoked on: a tree node, a URL, or (palette) the newest. */
  resultFor(arg: unknown): ProbeResult | undefined {
    const node = probeNodeOf(arg);
    if (node) return this.results.get(node.result.url) ?? node.result;
    if (typeof arg === 'string') return this.results.get(arg);
    return this.results.newest();
  }

  /** Probe Again, Open Probe Report, Copy as curl, Clear Probe Results. */
  registerCommands(): vscode.Disposable {
    const noResult = () => void vscode.window.showInformationMessage('Gateway Doctor: no probe result yet. Run "Probe URL…" first.');
    return vscode.Disposable.from(
      vscode.commands.registerCommand('gatewayDoctor.probe.again', (arg?: unknown) => {
        const res = this.resultFor(arg);
        return res ? this.run(res.url, res.resolve) : noResult();
      }),
      vscode.commands.registerCommand('gatewayDoctor.probe.origin', (arg?: unknown, address?: string) => {
        const res = this.resultFor(arg);
        return res ? this.probeOrigin(res, typeof address === 'string' ? address : undefined) : noResult();
      }),
      vscode.commands.registerCommand('gatewayDoctor.probe.openReport', (arg?: unknown) => {
        const res = this.resultFor(arg);
        if (res) this.openReport(res);
        else noResult();
      }),
      vscode.commands.registerCommand('gatewayDoctor.probe.copyAsCurl', (arg?: unknown) => {
        const res = this.resultFor(arg);
        return res ? this.copyAsCurl(res) : noResult();
      }),
      vscode.commands.registerCommand('gatewayDoctor.probe.clear', () => this.results.clear()),
    );
  }

  /** Probe Origin Directly…: the same URL at the origin's address (asked, or given by a test), with
   * --resolve semantics: SNI, Host and certificate checks keep the URL's name; the edge is probed too. */
  async probeOrigin(result: ProbeResult, given?: string): Promise<ProbeReport | undefined> {
    let url: URL;
    try {
      url = parseProbeUrl(result.url);
    } catch (err) {
      void vscode.window.showErrorMessage(`Gateway Doctor: ${(err as Error).message}`);
      return undefined;
    }
    const check = (text: string): string | undefined => {
      try {
        parseOriginAddress(text, url);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    };
    const previous = result.resolve?.[0];
    const text =
      given ??
      (await vscode.window.showInputBox({
        title: 'Gateway Doctor: Probe Origin Directly',
        prompt: `The origin's address for ${url.host}. The probe connects there and keeps ${url.hostname} for SNI, the Host header and the certificate (curl --resolve), and also probes the URL over DNS to compare edge and origin.`,
        placeHolder: '203.0.113.7 or 203.0.113.7:8080',
        value: previous ? originLabel([previous]) : undefined,
        validateInput: check,
        ignoreFocusOut: true,
      }));
    if (text === undefined) return undefined;
    let override: ResolveOverride;
    try {
      override = parseOriginAddress(text, url);
    } catch (err) {
      if (!(err instanceof ResolveSyntaxError)) throw err;
      void vscode.window.showErrorMessage(`Gateway Doctor: ${err.message}`);
      return undefined;
    }
    return this.run(result.url, [override]);
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

/** "203.0.113.7" or "[2001:db8::7]:8080": the origin address of a resolve override as the user typed it. */
export function originLabel(resolve: ResolveOverride[]): string {
  const o = resolve[0];
  if (!o) return '';
  const a = o.addresses[0];
  return o.connectPort !== undefined ? fmtAddr(a, o.connectPort) : a;
}
