// `gateway-doctor probe URL …`: options → core probe → text (httpstat-style picture first) or JSON.
// Exit code 0 when the verdict is `none`, 1 when a failure cause was found; usage errors throw.
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULTS, ProbeUsageError, parseProbeUrl, probe } from '../core/probe/probe';
import { ResolveSyntaxError, parseResolve } from '../core/probe/resolveOverride';
import { probeText } from '../core/report/probeText';
import type { ProbeReport } from '../core/probe/types';
import { isSecretHeader, REDACTED } from '../core/probe/redact';
import { parseProxyUrl } from '../core/probe/proxy';

export interface ProbeArgs {
  positional: string[];
  flags: Map<string, string[]>;
  switches: Set<string>;
}

type UsageErrorCtor = new (message: string) => Error;

function intFlag(args: ProbeArgs, name: string, min: number, max: number, Usage: UsageErrorCtor): number | undefined {
  const l = args.flags.get(name);
  if (!l) return undefined;
  const v = l[l.length - 1];
  if (!/^\d+$/.test(v) || +v < min || +v > max) throw new Usage(`${name} must be a whole number from ${min} to ${max}`);
  return +v;
}

export async function runProbe(args: ProbeArgs, cwd: string, write: (s: string) => void, Usage: UsageErrorCtor, signal?: AbortSignal): Promise<number> {
  const fmt = args.flags.get('--format')?.slice(-1)[0] ?? 'text';
  if (fmt !== 'text' && fmt !== 'json') throw new Usage('--format must be one of text, json');
  if (args.positional.length !== 1) throw new Usage('probe needs exactly one URL');
  try {
    parseProbeUrl(args.positional[0]);
  } catch (err) {
    throw new Usage((err as Error).message);
  }
  const samples = intFlag(args, '--samples', 1, 100000, Usage) ?? DEFAULTS.samples;
  const timeoutMs = intFlag(args, '--timeout', 1, 3600000, Usage) ?? DEFAULTS.timeoutMs;
  let resolve;
  try {
    resolve = (args.flags.get('--resolve') ?? []).map(parseResolve);
  } catch (err) {
    if (err instanceof ResolveSyntaxError) throw new Usage(err.message);
    throw err;
  }
  const headers: Record<string, string> = {};
  for (const h of args.flags.get('--header') ?? []) {
    const c = h.indexOf(':');
    if (c <= 0) throw new Usage(`--header '${isSecretHeader(h.split(':')[0]) ? REDACTED : h}' must look like 'Name: value'`);
    headers[h.slice(0, c).trim().toLowerCase()] = h.slice(c + 1).trim();
  }
  const errorLogs = (args.flags.get('--error-log') ?? []).map((p) => path.resolve(cwd, p));
  for (const p of errorLogs) {
    try {
      fs.accessSync(p, fs.constants.R_OK);
    } catch {
      throw new Usage(`--error-log ${path.relative(cwd, p) || p}: not readable`);
    }
  }
  const proxyFlag = args.flags.get('--proxy')?.slice(-1)[0];
  if (proxyFlag !== undefined && args.switches.has('--no-proxy')) throw new Usage('--proxy and --no-proxy exclude each other');
  // undefined: from the environment (HTTPS_PROXY …, NO_PROXY); null: never.
  const proxy = args.switches.has('--no-proxy') ? null : proxyFlag;
  if (typeof proxy === 'string') {
    try {
      parseProxyUrl(proxy, '--proxy');
    } catch (err) {
      throw new Usage((err as Error).message);
    }
  }
  const measureKeepAliveMs = intFlag(args, '--keepalive', 1, 3600000, Usage);
  const configs = (args.flags.get('--config') ?? []).map((p) => path.resolve(cwd, p));
  for (const p of configs) if (!fs.existsSync(p)) throw new Usage(`--config ${path.relative(cwd, p) || p}: no such file`);

  // Ctrl-C cancels the probe (sockets closed) instead of killing the process mid-report.
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  if (signal) signal.addEventListener('abort', onSigint, { once: true });
  else process.once('SIGINT', onSigint);
  signal = ac.signal;

  // A folder is scanned like `lint` does, so `--config ./nginx` works as well as `--config nginx.conf`
  // (the URL is mapped to nginx server blocks: HAProxy files found there are left out).
  // Loaded only with --config: the config parser and the lint rules are not needed for a plain probe.
  const lint = configs.length ? (require('../core/lint') as typeof import('../core/lint')) : undefined;
  const host = lint ? new (require('../core/host') as typeof import('../core/host')).NodeFileHost() : undefined;
  const configFiles = lint ? lint.collectFiles(host!, configs) : [];
  // The app servers' configs in those folders, for the cross-layer findings on the URL's path.
  const appServerFiles = lint ? lint.collectAppServerFiles(host!, configs) : [];
  const mapping = configFiles.length ? await (require('../core/probe/configMap') as typeof import('../core/probe/configMap')).mapUrlToConfig(args.positional[0], configFiles, { timeoutMs, resolve, signal, measureKeepAliveMs, appServerFiles }) : undefined;
  if (mapping?.errorLog && errorLogs.length === 0 && fs.existsSync(mapping.errorLog)) errorLogs.push(mapping.errorLog);

  let report: ProbeReport;
  try {
    report = await probe(args.positional[0], {
      samples,
      timeoutMs,
      resolve,
      headers,
      errorLogs,
      signal,
      configNotes: mapping?.notes,
      cnames: true,
      proxy,
      measureKeepAliveMs,
      upstreamKeepAlive: mapping?.upstreamKeepAlive,
      compareEdge: !args.switches.has('--no-compare'),
    });
  } catch (err) {
    if (err instanceof ProbeUsageError) throw new Usage(err.message);
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (fmt === 'json') write(JSON.stringify(report, null, 2) + '\n');
  else write(probeText(report, mapping?.lines ?? []));
  return report.verdict.cause === 'none' ? 0 : 1;
}
