// N samples of one probe: run with bounded concurrency, summarised as p50/p95/p99 per phase, the error
// rate, and whether failures are intermittent (some samples fail, others do not).
import type { Percentiles, PhasePercentiles, Phases, Sample } from './types';

/** Nearest-rank percentile of an ascending list (0 for an empty one). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function phasePercentiles(values: number[]): PhasePercentiles {
  const s = [...values].sort((a, b) => a - b);
  return { p50: round(percentile(s, 50)), p95: round(percentile(s, 95)), p99: round(percentile(s, 99)) };
}

export function isFailure(s: Sample): boolean {
  return !!s.error || (s.status !== undefined && s.status >= 500);
}

export function summarize(samples: Sample[]): Percentiles {
  // Timings of failed samples would mix "how long until it failed" into the latency picture.
  const ok = samples.filter((s) => !s.error);
  const pick = (k: keyof Phases) => phasePercentiles(ok.map((s) => s.phases[k]));
  const failed = samples.filter(isFailure).length;
  const statuses: Record<string, number> = {};
  for (const s of samples) {
    const key = s.error ? s.error.code : String(s.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  return {
    count: samples.length,
    errorRate: samples.length ? round(failed / samples.length) : 0,
    intermittent: failed > 0 && failed < samples.length,
    statuses,
    dnsMs: pick('dnsMs'),
    connectMs: pick('connectMs'),
    tlsMs: pick('tlsMs'),
    ttfbMs: pick('ttfbMs'),
    totalMs: pick('totalMs'),
  };
}

/** Runs `one` `count` times, at most `concurrency` at once, stopping early when the signal aborts. */
export async function runSamples(count: number, concurrency: number, one: (i: number) => Promise<Sample>, signal?: AbortSignal): Promise<Sample[]> {
  const out: Sample[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count && !signal?.aborted) {
      const i = next++;
      out[i] = await one(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return out.filter(Boolean);
}
