// Aggregates classified log lines: counts by cause, upstream and minute over every line, and keeps the
// first findings of each cause (all are counted, a bounded number is stored) so a multi-GB log gives a
// summary of fixed size.
import { CauseId, Severity } from '../finding';
import { LOG_FORMATS, mixedFormat, sniffFormat, formatById } from './formats';
import { readLineRanges, ReadOptions } from './reader';
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
        this.lastUpstreamCounts = countsFor(this.upstreams, u, this.maxUpstreams);
      }
      this.lastUpstreamCounts[ev.cause] = (this.lastUpstreamCounts[ev.cause] ?? 0) + 1;
    }
    const t = ev.time;
    if (t && t.length >= 16) {
      // Classifiers hand back the same time string for lines of the same second: skip the compare then.
      if (t !== this.lastTime && (this.lastMinute === '' || !t.startsWith(this.lastMinute))) {
        this.lastMinute = t.slice(0, 16);
        this.lastMinuteCounts = countsFor(this.minutes, this.lastMinute, this.maxMinutes);
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
}

function countsFor(map: Map<string, CauseCounts>, key: string, max: number): CauseCounts {
  let counts = map.get(key);
  if (!counts) {
    if (map.size >= max) key = OTHER;
    counts = map.get(key);
    if (!counts) {
      counts = {};
      map.set(flat(key), counts);
    }
  }
  return counts;
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

export { LOG_FORMATS };
