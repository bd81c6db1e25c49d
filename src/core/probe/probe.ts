// Orchestrates a probe: N samples of DNS → connect → TLS → HTTP, same-origin redirects followed (others
// listed), through the forward proxy that applies (environment or option), the error log read around
// it, optionally the server's idle keep-alive timeout, then the hop and the verdict. Each sample is
// bounded by the timeout; cancelling the signal destroys whatever socket is open at the time.
import { performance } from 'perf_hooks';
import type { ErrorLogLine, KeepAliveInfo, Phases, ProbeError, ProbeReport, Sample } from './types';
import { Budget, PhaseError, fmtAddr, httpPhase, ipFamily, tlsPhase } from './phases';
import type { ResolveOverride } from './resolveOverride';
import { overrideFor } from './resolveOverride';
import { compareEdge } from './edgeCompare';
import { runSamples, summarize, isFailure } from './sample';
import { explainHop } from './fingerprint';
import { decideVerdict } from './verdict';
import { markLog, readSince } from './errorLogTail';
import { redactHeaders, redactInText, redactUrl } from './redact';
import { ProxyChoice, chooseProxy, proxyGeneratedHop } from './proxy';
import { openRoute } from './route';
import { measureKeepAlive } from './keepAlive';
import { ProbeUsageError } from './errors';
import type { CauseId } from '../finding';

export interface ProbeOptions {
  samples?: number;
  /** Samples in flight at once (default 1: sequential, so samples do not queue behind each other). */
  concurrency?: number;
  /** Per request, all phases included. */
  timeoutMs?: number;
  resolve?: ResolveOverride[];
  headers?: Record<string, string>;
  errorLogs?: string[];
  signal?: AbortSignal;
  maxHeaderBytes?: number;
  maxBodyBytes?: number;
  maxRedirects?: number;
  /** Ask the resolver for the CNAME chain (first sample only). */
  cnames?: boolean;
  /** Extra evidence computed by the caller (the config mapping). */
  configNotes?: Array<{ cause: CauseId; text: string }>;
  /** Forward proxy. undefined: from the environment (HTTPS_PROXY / https_proxy for https URLs,
   * HTTP_PROXY / http_proxy for http, ALL_PROXY as fallback), honouring NO_PROXY / no_proxy;
   * null: never a proxy; a string: this proxy URL (the editor passes VS Code's http.proxy). */
  proxy?: string | null;
  /** Extra bypass list in NO_PROXY syntax (the editor passes http.noProxy joined by commas). */
  noProxy?: string;
  /** After the samples: wait up to this many ms for the server to close an idle keep-alive connection. */
  measureKeepAliveMs?: number;
  /** The upstream's idle keep-alive timeout measured by the caller's config mapping; copied into the report. */
  upstreamKeepAlive?: KeepAliveInfo;
  /** Where proxy variables are read from (default process.env); for tests and embedders. */
  env?: NodeJS.ProcessEnv;
  /** With a resolve override for the URL, also probe it the normal way (the edge) and compare
   * (default true; min(samples, 3) samples, same timeout and signal). */
  compareEdge?: boolean;
}

export const DEFAULTS = {
  samples: 1,
  timeoutMs: 10000,
  maxHeaderBytes: 64 * 1024,
  maxBodyBytes: 4 * 1024 * 1024,
  maxRedirects: 5,
};

const SNIPPET_BYTES = 16 * 1024;

export { ProbeUsageError };

export function parseProbeUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new ProbeUsageError(`'${redactInText(raw)}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ProbeUsageError(`only http:// and https:// URLs can be probed (got ${url.protocol})`);
  return url;
}

const r3 = (ms: number) => Math.round(ms * 1000) / 1000;

function zeroPhases(): Phases {
  return { dnsMs: 0, connectMs: 0, tlsMs: 0, ttfbMs: 0, totalMs: 0 };
}

function asProbeError(err: unknown): ProbeError {
  if (err instanceof PhaseError) return { phase: err.phase, code: err.code, message: redactInText(err.message) };
  return { phase: 'http', code: (err as NodeJS.ErrnoException)?.code ?? 'ERROR', message: redactInText(String((err as Error)?.message ?? err)) };
}

/** One request (plus same-origin redirects), phase by phase. Never throws: failures are in `error`.
 * `proxy`: the proxy choice for `url` (probe() makes it once); when omitted it is made here. */
export async function probeOnce(url: URL, opts: ProbeOptions, first = true, proxy: ProxyChoice | undefined | null = null): Promise<Sample> {
  const start = performance.now();
  const budget = new Budget(opts.timeoutMs ?? DEFAULTS.timeoutMs, opts.signal);
  const sample: Sample = { url: redactUrl(url.toString()), phases: zeroPhases(), connects: [], redirects: [] };
  const seen = new Set<string>();
  let current = url;
  const maxHeaderBytes = opts.maxHeaderBytes ?? DEFAULTS.maxHeaderBytes;
  try {
    const via = proxy === null ? chooseProxy(url, opts, opts.env) : proxy;
    for (let hop = 0; ; hop++) {
      seen.add(current.toString());
      const host = current.hostname.replace(/^\[|\]$/g, '');
      const route = await openRoute(current, via, budget, sample, { resolve: opts.resolve, maxHeaderBytes, cnames: first && hop === 0 && opts.cnames });
      if (route.tunnelRefused) {
        // The proxy's own answer to CONNECT is the response this sample got.
        const r = route.tunnelRefused;
        sample.http = {
          status: r.status,
          statusText: r.statusText,
          headers: redactHeaders(r.headers),
          headerBytes: r.headerBytes,
          bodyBytes: r.bodyBytes,
          bodyTruncated: !r.complete,
          bodySnippet: redactInText(r.body.toString('utf8')),
        };
        sample.status = r.status;
        break;
      }

      let socket = route.socket;
      if (current.protocol === 'https:') {
        const t = performance.now();
        try {
          const r = await tlsPhase(socket, host, budget, true);
          sample.tls = r.info;
          socket = r.socket;
        } catch (err) {
          sample.phases.tlsMs += performance.now() - t;
          sample.tls = { chain: [], problems: [], error: (err as Error).message, servername: ipFamily(host) ? undefined : host };
          if (err instanceof PhaseError && err.phase === 'tls') sample.tls.sniComparison = await compareSni(current, via, host, budget, opts);
          throw err;
        }
        sample.phases.tlsMs += performance.now() - t;
        if (sample.tls.problems.length) {
          // Like curl: no request goes to a server whose certificate does not check out.
          socket.destroy();
          throw new PhaseError('tls', sample.tls.problems[0].startsWith('name mismatch') ? 'ERR_TLS_CERT_ALTNAME_INVALID' : sample.tls.problems[0], `certificate not accepted: ${sample.tls.problems.join('; ')}`);
        }
      }

      const res = await httpPhase(
        socket,
        {
          url: current,
          method: 'GET',
          headers: opts.headers ?? {},
          maxHeaderBytes,
          maxBodyBytes: opts.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
          snippetBytes: SNIPPET_BYTES,
          absoluteForm: route.absoluteForm,
          proxyAuthorization: route.proxyAuthorization,
        },
        budget,
      );
      sample.phases.ttfbMs += res.ttfbMs;
      sample.http = res.info;
      sample.status = res.info.status;

      if (res.info.status < 300 || res.info.status >= 400 || !res.location) break;
      let next: URL;
      try {
        next = new URL(res.location, current);
      } catch {
        sample.redirects.push({ status: res.info.status, from: redactUrl(current.toString()), location: redactInText(res.location), followed: false, note: 'unparseable Location' });
        break;
      }
      const entry = { status: res.info.status, from: redactUrl(current.toString()), location: redactUrl(next.toString()), followed: false } as Sample['redirects'][number];
      sample.redirects.push(entry);
      if (next.origin !== current.origin) {
        entry.note = 'other origin: listed, not followed';
        break;
      }
      if (seen.has(next.toString())) {
        entry.note = `loop: ${redactUrl(next.toString())} was already visited`;
        break;
      }
      if (hop + 1 > (opts.maxRedirects ?? DEFAULTS.maxRedirects)) {
        entry.note = `too many redirects (more than ${opts.maxRedirects ?? DEFAULTS.maxRedirects})`;
        break;
      }
      entry.followed = true;
      current = next;
    }
  } catch (err) {
    sample.error = asProbeError(err);
  }
  sample.phases.totalMs = performance.now() - start;
  for (const k of Object.keys(sample.phases) as Array<keyof Phases>) sample.phases[k] = r3(sample.phases[k]);
  return sample;
}

/** After a failed handshake: the same handshake with SNI toggled tells "needs SNI" apart from the rest
 * (over the same route: through the proxy's tunnel when there is one). With a name in the URL the retry
 * sends no SNI; with an IP address in the URL (no SNI sent) it sends the name of the Host header, when
 * one was given, like a proxy with proxy_ssl_server_name on would. */
async function compareSni(url: URL, via: ProxyChoice | undefined, host: string, budget: Budget, opts: ProbeOptions): Promise<NonNullable<Sample['tls']>['sniComparison']> {
  if (budget.remaining() <= 0 || budget.signal?.aborted) return undefined;
  let name: string | undefined;
  if (ipFamily(host)) {
    const given = Object.entries(opts.headers ?? {}).find(([k]) => k.toLowerCase() === 'host')?.[1];
    name = given?.trim().replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    if (!name || ipFamily(name)) return undefined;
  }
  const scratch: Sample = { url: '', phases: zeroPhases(), connects: [], redirects: [] };
  try {
    const route = await openRoute(url, via, budget, scratch, { resolve: opts.resolve, maxHeaderBytes: opts.maxHeaderBytes ?? DEFAULTS.maxHeaderBytes });
    if (route.tunnelRefused) return { servername: name, ok: false, error: `proxy answered CONNECT with ${route.tunnelRefused.status}` };
    try {
      const r = await tlsPhase(route.socket, name ?? host, budget, name !== undefined);
      r.socket.destroy();
      return { servername: name, ok: true };
    } catch (err) {
      return { servername: name, ok: false, error: (err as PhaseError).code };
    }
  } catch (err) {
    return { servername: name, ok: false, error: `connect: ${(err as PhaseError).code}` };
  }
}

export async function probe(rawUrl: string, opts: ProbeOptions = {}): Promise<ProbeReport> {
  const url = parseProbeUrl(rawUrl);
  const proxy = chooseProxy(url, opts, opts.env);
  const count = Math.max(1, Math.floor(opts.samples ?? DEFAULTS.samples));
  const marks = (opts.errorLogs ?? []).map(markLog);
  const samples = await runSamples(count, opts.concurrency ?? 1, (i) => probeOnce(url, opts, i === 0, proxy), opts.signal);
  const errorLog: ErrorLogLine[] | undefined = marks.length ? marks.flatMap(readSince) : undefined;
  let keepAlive: KeepAliveInfo | undefined;
  if (opts.measureKeepAliveMs !== undefined && !opts.signal?.aborted) keepAlive = await measureKeepAlive(url, opts, opts.measureKeepAliveMs, proxy);
  // Edge vs origin: the samples above went to the --resolve address; the same URL over DNS goes to the edge.
  const override = overrideFor(url, opts.resolve ?? []);
  let edgeComparison: ProbeReport['edgeComparison'];
  if (override && opts.compareEdge !== false && !(proxy && !proxy.bypassed) && !opts.signal?.aborted && samples.length) {
    const edgeOpts: ProbeOptions = { ...opts, resolve: (opts.resolve ?? []).filter((o) => !overrideFor(url, [o])), errorLogs: undefined, cnames: false, measureKeepAliveMs: undefined };
    const edgeSamples = await runSamples(Math.min(count, 3), 1, () => probeOnce(url, edgeOpts, false, proxy), opts.signal);
    if (edgeSamples.length) edgeComparison = compareEdge(url, edgeSamples, samples, override);
  }
  const percentiles = summarize(samples);
  const shown = samples.find(isFailure) ?? samples[0];
  const response = shown?.http ? { status: shown.http.status, headers: shown.http.headers, body: shown.http.bodySnippet } : undefined;
  const byProxy = response && shown?.proxy ? proxyGeneratedHop(response, shown.proxy.url, shown.proxy.failedAt === 'tunnel' ? shown.proxy.target : undefined) : undefined;
  const hop = byProxy ?? explainHop(response);
  if (!byProxy && shown?.proxy) hop.evidence.push(`the request went through the forward proxy ${shown.proxy.url} (${shown.proxy.mode}); its response carried no marks of the proxy's own error pages`);
  const verdict = decideVerdict({ samples, percentiles, hop, errorLog, configNotes: opts.configNotes, proxy, keepAlive, upstreamKeepAlive: opts.upstreamKeepAlive, edgeComparison });
  const report: ProbeReport = {
    url: redactUrl(url.toString()),
    status: shown?.status ?? null,
    phases: shown?.phases ?? zeroPhases(),
    samples,
    percentiles,
    hop,
    verdict,
  };
  if (proxy) report.proxy = { url: proxy.display, source: proxy.source, bypassed: proxy.bypassed };
  if (keepAlive) report.keepAlive = keepAlive;
  if (opts.upstreamKeepAlive) report.upstreamKeepAlive = opts.upstreamKeepAlive;
  if (errorLog) report.errorLog = errorLog;
  if (edgeComparison) report.edgeComparison = edgeComparison;
  return report;
}

export { fmtAddr };
