// Aggregates classified log lines: counts by cause, upstream and minute over every line, and keeps the
// first findings of each cause (all are counted, a bounded number is stored) so a multi-GB log gives a
// summary of fixed size.
import { CauseId, Severity } from '../finding';
import { LOG_FORMATS, mixedFormat, sniffFormat, formatById } from './formats';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { lineStartAfter, readFirstLines, readLineRanges, ReadOptions, ReadStats } from './reader';
import { flat, LogEvent, LogFormat, LogFormatId } from './types';

export interface LogFinding {
  file: string;
  /** 1-based. */
  line: number;
  cause: CauseId;
  severity: Severity;
  message: string;
  code?: string;
  upstream?: string;
  time?: string;
}

export interface LogFileSummary {
  file: string;
  format: LogFormatId;
  lines: number;
  bytes: number;
  gzip: boolean;
  truncatedLines: number;
}

export type CauseCounts = Partial<Record<CauseId, number>>;

export interface LogAnalysis {
  /** Classified lines, all of them (not only the stored findings). */
  events: number;
  byCause: CauseCounts;
  bySeverity: Record<Severity, number>;
  findings: LogFinding[];
  /** Upstream as written in the log → counts by cause. */
  byUpstream: Record<string, CauseCounts>;
  /** `YYYY-MM-DDTHH:MM` (log's local time) → counts by cause. */
  perMinute: Record<string, CauseCounts>;
  files: LogFileSummary[];
}

export interface AnalyzeOptions extends ReadOptions {
  /** Skip sniffing and use this format for every file. */
  format?: LogFormatId;
  /** Stored findings per cause (all are counted). Default 200. */
  maxFindingsPerCause?: number;
  /** Distinct upstreams / minutes kept before the rest is counted under `(other)`. */
  maxUpstreams?: number;
  maxMinutes?: number;
  /** Called when a file starts (progress over several files, error messages naming the file). */
  onFile?: (file: string) => void;
  /**
   * Split a large plain (not gzip) file in two at a line start and classify the second half on a worker
   * thread (default true, when the machine has 2+ cores). The result is the same as reading it in one go.
   */
  parallel?: boolean;
  /** Smallest file that is split (default 48 MiB). */
  parallelMinBytes?: number;
}

const SNIFF_LINES = 50;
const OTHER = '(other)';

/** Accumulates events; usable on its own for text that is already in memory (an open editor). */
export class LogAggregator {
  readonly result: LogAnalysis = {
    events: 0,
    byCause: {},
    bySeverity: { error: 0, warning: 0, info: 0 },
    findings: [],
    byUpstream: {},
    perMinute: {},
    files: [],
  };
  private stored = new Map<CauseId, number>();
  private upstreams = new Map<string, CauseCounts>();
  private minutes = new Map<string, CauseCounts>();
  private readonly maxPerCause: number;
  private readonly maxUpstreams: number;
  private readonly maxMinutes: number;
  // Logs are in time order and name few upstreams: the previous key usually matches.
  private lastMinute = '';
  private lastMinuteCounts: CauseCounts = {};
  private lastTime = '';
  private lastUpstream = '';
  private lastUpstreamCounts: CauseCounts = {};

  constructor(options: Pick<AnalyzeOptions, 'maxFindingsPerCause' | 'maxUpstreams' | 'maxMinutes'> = {}) {
    this.maxPerCause = options.maxFindingsPerCause ?? 200;
    this.maxUpstreams = options.maxUpstreams ?? 1000;
    this.maxMinutes = options.maxMinutes ?? 100_000;
  }

  add(file: string, line: number, ev: LogEvent): void {
    const r = this.result;
    r.events++;
    r.byCause[ev.cause] = (r.byCause[ev.cause] ?? 0) + 1;
    r.bySeverity[ev.severity]++;
    const n = this.stored.get(ev.cause) ?? 0;
    if (n < this.maxPerCause) {
      this.stored.set(ev.cause, n + 1);
      const f: LogFinding = { file, line, cause: ev.cause, severity: ev.severity, message: flat(ev.message) };
      if (ev.code) f.code = flat(ev.code);
      if (ev.upstream) f.upstream = flat(ev.upstream);
      if (ev.time) f.time = flat(ev.time);
      r.findings.push(f);
    }
    const u = ev.upstream;
    if (u) {
      if (u !== this.lastUpstream) {
        this.lastUpstream = u;
        this.lastUpstreamCounts = this.countsFor(this.upstreams, u, this.maxUpstreams);
      }
      this.lastUpstreamCounts[ev.cause] = (this.lastUpstreamCounts[ev.cause] ?? 0) + 1;
    }
    const t = ev.time;
    if (t && t.length >= 16) {
      // Classifiers hand back the same time string for lines of the same second: skip the compare then.
      if (t !== this.lastTime && (this.lastMinute === '' || !t.startsWith(this.lastMinute))) {
        this.lastMinute = t.slice(0, 16);
        this.lastMinuteCounts = this.countsFor(this.minutes, this.lastMinute, this.maxMinutes);
      }
      this.lastTime = t;
      this.lastMinuteCounts[ev.cause] = (this.lastMinuteCounts[ev.cause] ?? 0) + 1;
    }
  }

  finish(): LogAnalysis {
    this.result.byUpstream = Object.fromEntries(this.upstreams);
    this.result.perMinute = Object.fromEntries([...this.minutes].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    return this.result;
  }

  /** True once a new upstream or minute had to go under `(other)`. */
  capped = false;

  private countsFor(map: Map<string, CauseCounts>, key: string, max: number): CauseCounts {
    let counts = map.get(key);
    if (!counts) {
      if (map.size >= max) {
        key = OTHER;
        this.capped = true;
      }
      counts = map.get(key);
      if (!counts) {
        counts = {};
        map.set(flat(key), counts);
      }
    }
    return counts;
  }

  /** What a worker that aggregated one part of a file hands back (plain data, structured-clone safe). */
  partState(): AggregatorPart {
    const r = this.result;
    return { events: r.events, byCause: r.byCause, bySeverity: r.bySeverity, findings: r.findings, upstreams: [...this.upstreams], minutes: [...this.minutes], capped: this.capped };
  }

  /**
   * Adds the events of the part of a file that follows everything added so far, as if its lines had been
   * added here one by one: `lineOffset` lines came before it. Exact when neither side was capped.
   */
  mergePart(p: AggregatorPart, lineOffset: number): void {
    const r = this.result;
    r.events += p.events;
    for (const [cause, n] of Object.entries(p.byCause) as [CauseId, number][]) r.byCause[cause] = (r.byCause[cause] ?? 0) + n;
    for (const sev of ['error', 'warning', 'info'] as const) r.bySeverity[sev] += p.bySeverity[sev];
    for (const f of p.findings) {
      const n = this.stored.get(f.cause) ?? 0;
      if (n >= this.maxPerCause) continue;
      this.stored.set(f.cause, n + 1);
      r.findings.push({ ...f, line: f.line + lineOffset });
    }
    const mergeMap = (map: Map<string, CauseCounts>, entries: [string, CauseCounts][], max: number) => {
      for (const [k, c] of entries) {
        const into = this.countsFor(map, k, max);
        for (const [cause, n] of Object.entries(c) as [CauseId, number][]) into[cause] = (into[cause] ?? 0) + n;
      }
    };
    mergeMap(this.upstreams, p.upstreams, this.maxUpstreams);
    mergeMap(this.minutes, p.minutes, this.maxMinutes);
    if (p.capped) this.capped = true;
    // The part's keys are new objects: the last-key caches must not point into the old ones.
    this.lastUpstream = '';
    this.lastMinute = '';
    this.lastTime = '';
  }
}

export interface AggregatorPart {
  events: number;
  byCause: CauseCounts;
  bySeverity: Record<Severity, number>;
  findings: LogFinding[];
  upstreams: [string, CauseCounts][];
  minutes: [string, CauseCounts][];
  capped: boolean;
}

function safeClassify(format: LogFormat, line: string): LogEvent | undefined {
  try {
    return format.classify(line);
  } catch {
    // A classifier bug must never stop a multi-GB scan; the line simply stays unclassified.
    return undefined;
  }
}

function safeClassifyAt(format: LogFormat, text: string, start: number, end: number): LogEvent | undefined {
  try {
    return format.classifyAt ? format.classifyAt(text, start, end) : format.classify(start === 0 && end === text.length ? text : text.slice(start, end));
  } catch {
    return undefined;
  }
}

/** Classifies text already in memory (an open document). The format is sniffed unless given. */
export function analyzeText(text: string, file: string, options: AnalyzeOptions = {}): LogAnalysis {
  const agg = new LogAggregator(options);
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const format = (options.format && formatById(options.format)) || sniffFormat(lines.slice(0, SNIFF_LINES)) || mixedFormat;
  lines.forEach((l, i) => {
    const ev = safeClassify(format, l);
    if (ev) agg.add(file, i + 1, ev);
  });
  agg.result.files.push({ file, format: format.id, lines: lines.length, bytes: Buffer.byteLength(text), gzip: false, truncatedLines: 0 });
  return agg.finish();
}

/** Streams each file in turn; progress reports bytes over all files. */
export async function analyzeFiles(files: readonly string[], options: AnalyzeOptions = {}): Promise<LogAnalysis> {
  const agg = new LogAggregator(options);
  for (const file of files) {
    options.onFile?.(file);
    if (await analyzeInParts(file, agg, options)) continue;
    let format: LogFormat | undefined = options.format ? formatById(options.format) : undefined;
    const pending: string[] = [];
    const handle = (text: string, start: number, end: number, n: number) => {
      const ev = safeClassifyAt(format!, text, start, end);
      if (ev) agg.add(file, n, ev);
    };
    const stats = await readLineRanges(
      file,
      (text, start, end, n) => {
        if (format) return handle(text, start, end, n);
        pending.push(text.slice(start, end));
        if (pending.length < SNIFF_LINES) return;
        format = sniffFormat(pending) ?? mixedFormat;
        pending.forEach((l, i) => handle(l, 0, l.length, n - pending.length + 1 + i));
        pending.length = 0;
      },
      options,
    );
    if (!format) {
      format = sniffFormat(pending) ?? mixedFormat;
      pending.forEach((l, i) => handle(l, 0, l.length, stats.lines - pending.length + 1 + i));
    }
    agg.result.files.push({ file, format: format.id, lines: stats.lines, bytes: stats.bytes, gzip: stats.gzip, truncatedLines: stats.truncatedLines });
  }
  return agg.finish();
}

// ---- One file in two parts: the first here, the second on a worker thread (logsWorker.ts). ----

/** What the worker gets: a part of a file (from a line start to the end) and the settings it needs. */
export interface PartJob {
  file: string;
  start: number;
  end?: number;
  format: LogFormatId;
  maxLineLength?: number;
  chunkSize?: number;
  maxFindingsPerCause?: number;
  maxUpstreams?: number;
  maxMinutes?: number;
}

export interface PartResult {
  part: AggregatorPart;
  stats: ReadStats;
}

/** Classifies one part of a plain file into `agg`; line numbers count from the part's first line. */
export function scanPart(job: PartJob, agg: LogAggregator, options: ReadOptions = {}): Promise<ReadStats> {
  const format = formatById(job.format) ?? mixedFormat;
  const file = job.file;
  return readLineRanges(
    file,
    (text, start, end, n) => {
      const ev = safeClassifyAt(format, text, start, end);
      if (ev) agg.add(file, n, ev);
    },
    { ...options, maxLineLength: job.maxLineLength, chunkSize: job.chunkSize },
    { start: job.start, end: job.end },
  );
}

const WORKER_FILE = path.join(__dirname, 'logsWorker.js');

/**
 * Analyses a large plain file in two halves at once (the caller's thread and one worker) and merges them
 * as if read in one go. Returns false, having done nothing, when the file does not qualify.
 */
async function analyzeInParts(file: string, agg: LogAggregator, options: AnalyzeOptions): Promise<boolean> {
  if (options.parallel === false || agg.capped) return false;
  if ((os.availableParallelism?.() ?? os.cpus().length) < 2 || !fs.existsSync(WORKER_FILE)) return false;
  const total = fs.statSync(file).size;
  if (total < (options.parallelMinBytes ?? 48 << 20) || total < 2) return false;
  options.signal?.throwIfAborted();
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(2);
  const gzip = fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  fs.closeSync(fd);
  if (gzip) return false;
  const split = lineStartAfter(file, Math.floor(total / 2), 16 << 20);
  if (split <= 0 || split >= total) return false;
  let format: LogFormat | undefined = options.format ? formatById(options.format) : undefined;
  if (!format) {
    const first = readFirstLines(file, SNIFF_LINES, split, options.maxLineLength);
    if (first.length < SNIFF_LINES) return false;
    format = sniffFormat(first) ?? mixedFormat;
  }
  const job = (start: number, end?: number): PartJob => ({
    file,
    start,
    end,
    format: format!.id,
    maxLineLength: options.maxLineLength,
    chunkSize: options.chunkSize,
    maxFindingsPerCause: options.maxFindingsPerCause,
    maxUpstreams: options.maxUpstreams,
    maxMinutes: options.maxMinutes,
  });

  let workerBytes = 0;
  let ownBytes = 0;
  const progress = () => options.onProgress?.(Math.min(total, ownBytes + workerBytes), total);
  const worker = new Worker(WORKER_FILE, { workerData: job(split) });
  const second = new Promise<PartResult>((resolve, reject) => {
    worker.on('message', (m: { progress?: number; result?: PartResult; error?: { message: string; code?: string; name?: string } }) => {
      if (m.progress !== undefined) {
        workerBytes = m.progress;
        progress();
      } else if (m.result) resolve(m.result);
      else if (m.error) reject(Object.assign(new Error(m.error.message), { code: m.error.code, name: m.error.name ?? 'Error' }));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`log worker stopped (exit code ${code})`)));
  });
  second.catch(() => undefined);
  const onAbort = () => void worker.terminate();
  options.signal?.addEventListener('abort', onAbort);
  try {
    const firstAgg = new LogAggregator(options);
    const firstStats = await scanPart(job(0, split), firstAgg, {
      ...options,
      onProgress: (read) => {
        ownBytes = read;
        progress();
      },
    });
    const aborted = new Promise<never>((_, reject) => {
      const fail = () => reject(options.signal!.reason ?? new DOMException('This operation was aborted', 'AbortError'));
      if (options.signal?.aborted) fail();
      options.signal?.addEventListener('abort', fail);
    });
    aborted.catch(() => undefined);
    const rest = await (options.signal ? Promise.race([second, aborted]) : second);
    options.signal?.throwIfAborted();
    if (firstAgg.capped || rest.part.capped) return false; // more upstreams/minutes than kept: read it in one go
    agg.mergePart(firstAgg.partState(), 0);
    agg.mergePart(rest.part, firstStats.lines);
    agg.result.files.push({
      file,
      format: format.id,
      lines: firstStats.lines + rest.stats.lines,
      bytes: total,
      gzip: false,
      truncatedLines: firstStats.truncatedLines + rest.stats.truncatedLines,
    });
    return true;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    void worker.terminate();
  }
}

export { LOG_FORMATS };
