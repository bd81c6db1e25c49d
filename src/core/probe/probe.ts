// Orchestrates a probe: N samples of DNS → connect → TLS → HTTP, same-origin redirects followed (others
// listed), the error log read around it, then the hop and the verdict. Each sample is bounded by the
// timeout; cancelling the signal destroys whatever socket is open at the time.
import { performance } from 'perf_hooks';
import type { ErrorLogLine, Phases, ProbeError, ProbeReport, Sample } from './types';
import { Budget, PhaseError, connectOne, dnsPhase, fmtAddr, httpPhase, tlsPhase } from './phases';
import { ResolveOverride, defaultPort, overrideFor } from './resolveOverride';
import { runSamples, summarize, isFailure } from './sample';
import { explainHop } from './fingerprint';
import { decideVerdict } from './verdict';
import { markLog, readSince } from './errorLogTail';
import { redactInText, redactUrl } from './redact';
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
}

export const DEFAULTS = {
  samples: 1,
  timeoutMs: 10000,
  maxHeaderBytes: 64 * 1024,
  maxBodyBytes: 4 * 1024 * 1024,
  maxRedirects: 5,
};

const SNIPPET_BYTES = 16 * 1024;

export class ProbeUsageError extends Error {}

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

/** One request (plus same-origin redirects), phase by phase. Never throws: failures are in `error`. */
export async function probeOnce(url: URL, opts: ProbeOptions, first = true): Promise<Sample> {
  const start = performance.now();
  const budget = new Budget(opts.timeoutMs ?? DEFAULTS.timeoutMs, opts.signal);
  const sample: Sample = { url: redactUrl(url.toString()), phases: zeroPhases(), connects: [], redirects: [] };
  const seen = new Set<string>();
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      seen.add(current.toString());
      const host = current.hostname.replace(/^\[|\]$/g, '');
      const port = defaultPort(current);
      // DNS (or the --resolve override, which skips it like curl does)
      let t = performance.now();
      const override = overrideFor(current, opts.resolve ?? []);
      let dns;
      try {
        dns = override
          ? { host, addresses: override.addresses.map((a) => ({ address: a, family: a.includes(':') ? 6 : 4 })), cnames: [], source: 'resolve' as const }
          : await dnsPhase(host, budget, { cnames: first && hop === 0 && opts.cnames });
      } finally {
        sample.phases.dnsMs += performance.now() - t;
      }
      sample.dns = dns;

      // TCP: addresses in order until one accepts; every attempt is recorded.
      t = performance.now();
      let connected: Awaited<ReturnType<typeof connectOne>> | undefined;
      let lastErr: unknown;
      for (const a of dns.addresses) {
        try {
          connected = await connectOne(a.address, port, budget);
          connected.attempt.ms = r3(connected.attempt.ms);
          sample.connects.push(connected.attempt);
          break;
        } catch (err) {
          lastErr = err;
          sample.connects.push({ address: a.address, port, ms: r3(performance.now() - t), ok: false, error: (err as PhaseError).code });
          if (err instanceof PhaseError && (err.phase === 'timeout' || err.phase === 'cancelled')) break;
        }
      }
      sample.phases.connectMs += performance.now() - t;
      if (!connected) throw lastErr ?? new PhaseError('connect', 'ENOADDR', `no address to connect to for ${host}`);

      let socket = connected.socket;
      if (current.protocol === 'https:') {
        t = performance.now();
        try {
          const r = await tlsPhase(socket, host, budget, true);
          sample.tls = r.info;
          socket = r.socket;
        } catch (err) {
          sample.phases.tlsMs += performance.now() - t;
          sample.tls = { chain: [], problems: [], error: (err as Error).message, servername: host };
          if (err instanceof PhaseError && err.phase === 'tls') sample.tls.sniComparison = await compareWithoutSni(connected.attempt.address, port, host, budget);
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
          maxHeaderBytes: opts.maxHeaderBytes ?? DEFAULTS.maxHeaderBytes,
          maxBodyBytes: opts.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
          snippetBytes: SNIPPET_BYTES,
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

/** After a failed handshake: the same handshake with SNI toggled tells "needs SNI" apart from the rest. */
async function compareWithoutSni(address: string, port: number, host: string, budget: Budget): Promise<NonNullable<Sample['tls']>['sniComparison']> {
  if (budget.remaining() <= 0 || budget.signal?.aborted) return undefined;
  try {
    const c = await connectOne(address, port, budget);
    try {
      const r = await tlsPhase(c.socket, host, budget, false);
      r.socket.destroy();
      return { servername: undefined, ok: true };
    } catch (err) {
      return { servername: undefined, ok: false, error: (err as PhaseError).code };
    }
  } catch (err) {
    return { servername: undefined, ok: false, error: `connect: ${(err as PhaseError).code}` };
  }
}

export async function probe(rawUrl: string, opts: ProbeOptions = {}): Promise<ProbeReport> {
  const url = parseProbeUrl(rawUrl);
  const count = Math.max(1, Math.floor(opts.samples ?? DEFAULTS.samples));
  const marks = (opts.errorLogs ?? []).map(markLog);
  const samples = await runSamples(count, opts.concurrency ?? 1, (i) => probeOnce(url, opts, i === 0), opts.signal);
  const errorLog: ErrorLogLine[] | undefined = marks.length ? marks.flatMap(readSince) : undefined;
  const percentiles = summarize(samples);
  const shown = samples.find(isFailure) ?? samples[0];
  const hop = explainHop(shown?.http ? { status: shown.http.status, headers: shown.http.headers, body: shown.http.bodySnippet } : undefined);
  const verdict = decideVerdict({ samples, percentiles, hop, errorLog, configNotes: opts.configNotes });
  return {
    url: redactUrl(url.toString()),
    status: shown?.status ?? null,
    phases: shown?.phases ?? zeroPhases(),
    samples,
    percentiles,
    hop,
    verdict,
  };
}

export { fmtAddr };
