// `gateway-doctor probe URL …`: options → core probe → text (httpstat-style picture first) or JSON.
// Exit code 0 when the verdict is `none`, 1 when a failure cause was found; usage errors throw.
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULTS, ProbeUsageError, parseProbeUrl, probe } from '../core/probe/probe';
import { ResolveSyntaxError, parseResolve } from '../core/probe/resolveOverride';
import { mapUrlToConfig } from '../core/probe/configMap';
import type { ProbeReport, Phases } from '../core/probe/types';
import { isSecretHeader, REDACTED } from '../core/probe/redact';

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
  const configs = (args.flags.get('--config') ?? []).map((p) => path.resolve(cwd, p));
  for (const p of configs) if (!fs.existsSync(p)) throw new Usage(`--config ${path.relative(cwd, p) || p}: no such file`);

  // Ctrl-C cancels the probe (sockets closed) instead of killing the process mid-report.
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  if (signal) signal.addEventListener('abort', onSigint, { once: true });
  else process.once('SIGINT', onSigint);
  signal = ac.signal;

  const mapping = configs.length ? await mapUrlToConfig(args.positional[0], configs, { timeoutMs, resolve, signal }) : undefined;
  if (mapping?.errorLog && errorLogs.length === 0 && fs.existsSync(mapping.errorLog)) errorLogs.push(mapping.errorLog);

  let report: ProbeReport;
  try {
    report = await probe(args.positional[0], { samples, timeoutMs, resolve, headers, errorLogs, signal, configNotes: mapping?.notes, cnames: true });
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

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + ' ms';

/** httpstat's idea in one line: each phase a segment whose width is its share of the total. */
export function timeBar(p: Phases, width = 48, answered = true): string {
  const transfer = answered ? Math.max(0, p.totalMs - p.dnsMs - p.connectMs - p.tlsMs - p.ttfbMs) : 0;
  const parts: Array<[string, number]> = [
    ['D', p.dnsMs],
    ['C', p.connectMs],
    ['T', p.tlsMs],
    ['S', p.ttfbMs],
    ['X', transfer],
  ];
  const total = parts.reduce((a, [, v]) => a + v, 0) || 1;
  let bar = '';
  for (const [ch, v] of parts) if (v > 0) bar += ch.repeat(Math.max(1, Math.round((v / total) * width)));
  return `[${bar}]`;
}

export function probeText(r: ProbeReport, configLines: string[]): string {
  const out: string[] = [];
  const p = r.phases;
  const first = r.samples.find((s) => s.error || (s.status ?? 0) >= 500) ?? r.samples[0];
  const transfer = first?.http ? Math.max(0, p.totalMs - p.dnsMs - p.connectMs - p.tlsMs - p.ttfbMs) : 0;
  out.push(`${r.url}  →  ${r.status ?? first?.error?.code ?? 'no response'}${r.hop.generatedBy !== 'no-response' ? `  (generated by ${r.hop.generatedBy})` : ''}`);
  out.push(`${timeBar(p, 48, !!first?.http)}  D=DNS C=TCP T=TLS S=server X=transfer`);
  out.push(`DNS ${ms(p.dnsMs)} | TCP ${ms(p.connectMs)} | TLS ${p.tlsMs ? ms(p.tlsMs) : '—'} | server ${ms(p.ttfbMs)} | transfer ${ms(transfer)} | total ${ms(p.totalMs)}`);
  if (first?.dns) out.push(`  dns: ${first.dns.host} → ${first.dns.addresses.map((a) => a.address).join(', ') || '—'}${first.dns.cnames.length ? ` (CNAME ${first.dns.cnames.join(' → ')})` : ''} [${first.dns.source}]`);
  for (const c of first?.connects ?? []) out.push(`  tcp: ${c.address}:${c.port} ${c.ok ? 'connected' : `failed ${c.error}`} in ${ms(c.ms)}`);
  if (first?.tls) {
    const t = first.tls;
    if (t.version) out.push(`  tls: ${t.version} ${t.cipher ?? ''} ALPN ${t.alpn || 'none'} SNI ${t.servername ?? 'none'}; expires ${t.validTo ?? '?'} (${t.daysLeft ?? '?'} days); name ${t.nameMatches ? 'matches' : 'does not match'}`);
    for (const c of t.chain) out.push(`       ${c}`);
    for (const pr of t.problems) out.push(`       problem: ${pr}`);
    if (t.error) out.push(`  tls: ${t.error}`);
  }
  if (first?.http) out.push(`  http: ${first.http.status}, headers ${first.http.headerBytes} B, body ${first.http.bodyBytes} B${first.http.bodyTruncated ? ' (cut at the cap)' : ''}`);
  for (const rd of first?.redirects ?? []) out.push(`  redirect ${rd.status}: ${rd.from} → ${rd.location}${rd.note ? ` (${rd.note})` : ''}`);
  if (first?.error) out.push(`  error: ${first.error.phase}: ${first.error.message}`);
  if (r.percentiles.count > 1) {
    const q = r.percentiles;
    out.push(`${q.count} samples, error rate ${(q.errorRate * 100).toFixed(1)}%${q.intermittent ? ' (intermittent)' : ''}; outcomes ${Object.entries(q.statuses).map(([k, n]) => `${k}×${n}`).join(' ')}`);
    out.push('            p50        p95        p99');
    for (const k of ['dnsMs', 'connectMs', 'tlsMs', 'ttfbMs', 'totalMs'] as const) out.push(`  ${k.replace('Ms', '').padEnd(8)}${ms(q[k].p50).padStart(9)}  ${ms(q[k].p95).padStart(9)}  ${ms(q[k].p99).padStart(9)}`);
  }
  for (const l of configLines) out.push(`  config: ${l}`);
  out.push(`hop: ${r.hop.generatedBy}`);
  for (const e of r.hop.evidence) out.push(`  - ${e}`);
  const v = r.verdict;
  out.push(`verdict: ${v.cause} (${v.confidence}) — ${v.summary}`);
  for (const e of v.evidence) out.push(`  - ${e}`);
  if (v.nextSteps.length) out.push('next steps:');
  for (const n of v.nextSteps) out.push(`  * ${n}`);
  return out.join('\n') + '\n';
}
