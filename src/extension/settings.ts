// The extension's settings, read in one place with their defaults (package.json documents them).
import * as vscode from 'vscode';
import { DEFAULT_MAX_FILE_BYTES } from '../core/host';

export const SECTION = 'gatewayDoctor';

export type GroupBy = 'cause' | 'file';

export interface Settings {
  /** '' or undefined: no version known, so defaults are those before nginx 1.29.7. */
  nginxVersion?: string;
  lintEnabled: boolean;
  debounceMs: number;
  disabledRules: ReadonlySet<string>;
  maxFileBytes: number;
  groupBy: GroupBy;
}

/** Settings for a document or workspace folder (resource-scoped ones differ per folder). */
export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const version = c.get<string>('nginx.version', '').trim();
  const mb = c.get<number>('maxFileSizeMB', DEFAULT_MAX_FILE_BYTES / 1048576);
  return {
    nginxVersion: version || undefined,
    lintEnabled: c.get<boolean>('lint.enable', true),
    debounceMs: Math.max(0, c.get<number>('lint.debounceMs', 300)),
    disabledRules: new Set(c.get<string[]>('rules.disabled', [])),
    maxFileBytes: Math.max(1, mb) * 1048576,
    groupBy: c.get<string>('findings.groupBy', 'cause') === 'file' ? 'file' : 'cause',
  };
}

export const UNKNOWN_VERSION_HINT = 'Set `gatewayDoctor.nginx.version` to the version you run.';

export interface ProbeSettings {
  samples: number;
  timeoutMs: number;
  /** undefined: the environment's proxy; null: none; a string: VS Code's `http.proxy`. */
  proxy: string | null | undefined;
  /** VS Code's `http.noProxy`, comma-separated (undefined when empty). */
  noProxy?: string;
  measureKeepAliveMs: number;
}

/** Probe settings, with VS Code's own `http.proxy` / `http.noProxy` when `probe.useProxy` is on. */
export function readProbeSettings(): ProbeSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const http = vscode.workspace.getConfiguration('http');
  const useProxy = c.get<boolean>('probe.useProxy', true);
  const proxySetting = (http.get<string>('proxy') ?? '').trim();
  const noProxy = (http.get<string[]>('noProxy') ?? []).map((h) => h.trim()).filter(Boolean);
  const bounded = (v: number | undefined, min: number, max: number, dflt: number) => (typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.floor(v))) : dflt);
  return {
    samples: bounded(c.get<number>('probe.samples'), 1, 1000, 5),
    timeoutMs: bounded(c.get<number>('probe.timeoutMs'), 100, 600000, 10000),
    proxy: !useProxy ? null : proxySetting || undefined,
    noProxy: useProxy && noProxy.length ? noProxy.join(',') : undefined,
    measureKeepAliveMs: bounded(c.get<number>('probe.measureKeepAliveMs'), 0, 600000, 0),
  };
}
