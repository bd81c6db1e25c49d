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
import { lineMapper, readFinding, ScanJob, ScanPart, scanWasmBlocks, wasmMayLoad, WasmScanner, wasmModule } from './wasmScan';

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
   * Classify a large plain (not gzip) file in blocks cut at line starts, on this thread and one worker
   * thread at once (default true, when the machine has 2+ cores). The result is the same as one pass.
   */
  parallel?: boolean;
  /** Smallest file that is split (default 48 MiB). */
  parallelMinBytes?: number;
  /** Block size for the split (default size/16, between 4 and 16 MiB); for tests. */
  parallelBlockBytes?: number;
  /**
   * Scan plain nginx error.log files with the WebAssembly scanner when it is built (default true); the
   * result is the same as the JavaScript path's.
   */
  wasm?: boolean;
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
  // Per upstream and per minute, counts are kept as numbers by cause index (in `causes`) until finish():
  // a keyed increment on a small object per event cost more than the rest of add().
  private causes: CauseId[] = [];
  private stored: number[] = [];
  private upstreams = new Map<string, Tally>();
  private minutes = new Map<string, Tally>();
  private readonly maxPerCause: number;
  private readonly maxUpstreams: number;
  private readonly maxMinutes: number;
  // Logs are in time order and name few upstreams: the previous key usually matches.
  private lastMinute = '';
  private lastMinuteCounts = new Tally();
  private lastTime = '';
  private lastUpstream = '';
  private lastUpstreamCounts = new Tally();

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
    const ci = this.causeIndex(ev.cause);
    if (this.stored[ci] < this.maxPerCause) {
      this.stored[ci]++;
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
        this.lastUpstreamCounts = this.tallyFor(this.upstreams, u, this.maxUpstreams);
      }
      this.lastUpstreamCounts.add(ci, 1);
    }
    const t = ev.time;
    if (t && t.length >= 16) {
      // Classifiers hand back the same time string for lines of the same second: skip the compare then.
      if (t !== this.lastTime && (this.lastMinute === '' || !t.startsWith(this.lastMinute))) {
        this.lastMinute = t.slice(0, 16);
        this.lastMinuteCounts = this.tallyFor(this.minutes, this.lastMinute, this.maxMinutes);
      }
      this.lastTime = t;
      this.lastMinuteCounts.add(ci, 1);
    }
  }

  finish(): LogAnalysis {
    this.result.byUpstream = Object.fromEntries(this.entries(this.upstreams));
    this.result.perMinute = Object.fromEntries(this.entries(this.minutes).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    return this.result;
  }

  /** True once a new upstream or minute had to go under `(other)`. */
  capped = false;

  private causeIndex(cause: CauseId): number {
    const causes = this.causes;
    for (let i = 0; i < causes.length; i++) if (causes[i] === cause) return i;
    causes.push(cause);
    this.stored.push(0);
    return causes.length - 1;
  }

  private entries(map: Map<string, Tally>): [string, CauseCounts][] {
    const out: [string, CauseCounts][] = [];
    for (const [k, t] of map) {
      const c: CauseCounts = {};
      for (const ci of t.order) c[this.causes[ci]] = t.n[ci];
      out.push([k, c]);
    }
    return out;
  }

  private tallyFor(map: Map<string, Tally>, key: string, max: number): Tally {
    let counts = map.get(key);
    if (!counts) {
      if (map.size >= max) {
        key = OTHER;
        this.capped = true;
      }
      counts = map.get(key);
      if (!counts) {
        counts = new Tally();
        map.set(flat(key), counts);
      }
    }
    return counts;
  }

  /** How many more findings of a cause would be stored now; `need(cause, n)` sets it (for a dry run). */
  findingsRoom(): (cause: CauseId, set?: number) => number {
    const room = new Map<CauseId, number>();
    return (cause, set) => {
      if (set !== undefined) room.set(cause, set);
      let r = room.get(cause);
      if (r === undefined) {
        const i = this.causes.indexOf(cause);
        r = this.maxPerCause - (i < 0 ? 0 : this.stored[i]);
        room.set(cause, r);
      }
      return r;
    };
  }

  /**
   * Adds counts that were gathered out of line order (the WebAssembly scanner), each with the line where it
   * first occurred, as if those lines had been added here one by one after everything added so far. Exact,
   * caps included: the aggregator's state depends only on the counts and on the order in which causes,
   * keys and (key, cause) pairs first occur. `findings` must hold at least the first N of each cause.
   */
  mergeAtoms(a: Atoms): void {
    // Entries may repeat (the same cause, or key and cause, from several parts): sorted by first line and added
    // one after the other, they leave the state one entry with the sum and the earliest line would.
    const r = this.result;
    const byFirst = <T extends unknown[]>(xs: T[], at: number) => xs.sort((x, y) => (x[at] as number) - (y[at] as number));
    r.events += a.events;
    for (const [cause, n] of byFirst(a.causes, 2)) r.byCause[cause] = (r.byCause[cause] ?? 0) + n;
    for (const sev of ['error', 'warning', 'info'] as const) r.bySeverity[sev] += a.bySeverity[sev];
    for (const [line, f] of byFirst(a.findings, 0)) {
      const ci = this.causeIndex(f.cause);
      if (this.stored[ci] >= this.maxPerCause) continue;
      this.stored[ci]++;
      // The keys in the order add() gives them (the JSON is compared byte for byte).
      const g: LogFinding = { file: f.file, line, cause: f.cause, severity: f.severity, message: f.message };
      if (f.code) g.code = f.code;
      if (f.upstream) g.upstream = f.upstream;
      if (f.time) g.time = f.time;
      r.findings.push(g);
    }
    for (const [k, cause, n] of byFirst(a.upstreams, 3)) this.tallyFor(this.upstreams, k, this.maxUpstreams).add(this.causeIndex(cause), n);
    for (const [k, cause, n] of byFirst(a.minutes, 3)) this.tallyFor(this.minutes, k, this.maxMinutes).add(this.causeIndex(cause), n);
    this.lastUpstream = '';
    this.lastMinute = '';
    this.lastTime = '';
  }

  /** What a worker that aggregated one part of a file hands back (plain data, structured-clone safe). */
  partState(): AggregatorPart {
    const r = this.result;
    return { events: r.events, byCause: r.byCause, bySeverity: r.bySeverity, findings: r.findings, upstreams: this.entries(this.upstreams), minutes: this.entries(this.minutes), capped: this.capped };
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
      const ci = this.causeIndex(f.cause);
      if (this.stored[ci] >= this.maxPerCause) continue;
      this.stored[ci]++;
      r.findings.push({ ...f, line: f.line + lineOffset });
    }
    const mergeMap = (map: Map<string, Tally>, entries: [string, CauseCounts][], max: number) => {
      for (const [k, c] of entries) {
        const into = this.tallyFor(map, k, max);
        for (const [cause, n] of Object.entries(c) as [CauseId, number][]) into.add(this.causeIndex(cause), n);
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

/** Counts by cause index for one upstream or minute, and the order the causes first came in. */
class Tally {
  n: number[] = [];
  order: number[] = [];

  add(ci: number, k: number): void {
    const n = this.n;
    while (n.length <= ci) n.push(0);
    if (n[ci] === 0) this.order.push(ci);
    n[ci] += k;
  }
}

/** Counts with the line each first occurred on (see LogAggregator.mergeAtoms). */
export interface Atoms {
  events: number;
  /** cause, count, first line. */
  causes: [CauseId, number, number][];
  bySeverity: Record<Severity, number>;
  /** Stored-finding candidates: line, finding (its own `line` is not read). */
  findings: [number, Omit<LogFinding, 'line'>][];
  /** key, cause, count, first line. */
  upstreams: [string, CauseId, number, number][];
  minutes: [string, CauseId, number, number][];
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
    if (await analyzeWithWasm(file, agg, options)) continue;
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

// ---- One large file in blocks, shared between this thread and a worker (logsWorker.ts). ----
// The file is cut into blocks at line starts (the first line start at or after each multiple of the block
// size). This thread and one worker take the next unclaimed block from a shared counter until none is left,
// so a slow start or a busy core on either side does not leave the other idle. Each block is classified into
// its own aggregator with line numbers from 1; the blocks are merged in file order with the lines before
// them as offset, which gives what one pass over the file gives (LogAggregator.mergePart).

/** What a block scan needs: the file, its format and the aggregation settings. */
export interface PartJob {
  file: string;
  format: LogFormatId;
  size: number;
  blockBytes: number;
  blocks: number;
  maxLineLength?: number;
  chunkSize?: number;
  maxFindingsPerCause?: number;
  maxUpstreams?: number;
  maxMinutes?: number;
}

export interface PartResult {
  index: number;
  /** Bytes of the file in this block. */
  blockBytes: number;
  part: AggregatorPart;
  stats: ReadStats;
}

/** Start of block `i`: the first line start at or after i × blockBytes (the file size if there is none). */
function blockStart(job: PartJob, i: number): number {
  if (i <= 0) return 0;
  if (i >= job.blocks) return job.size;
  const at = lineStartAfter(job.file, i * job.blockBytes - 1, job.size);
  return at < 0 ? job.size : Math.min(at, job.size);
}

/** Classifies block `i` into a fresh aggregator. */
export async function scanBlock(job: PartJob, i: number, options: ReadOptions = {}): Promise<PartResult> {
  const agg = new LogAggregator(job);
  const start = blockStart(job, i);
  const end = blockStart(job, i + 1);
  const empty: ReadStats = { lines: 0, bytes: job.size, gzip: false, truncatedLines: 0, droppedChars: 0 };
  if (end <= start) return { index: i, blockBytes: 0, part: agg.partState(), stats: empty };
  const format = formatById(job.format) ?? mixedFormat;
  const file = job.file;
  const stats = await readLineRanges(
    file,
    (text, s, e, n) => {
      const ev = safeClassifyAt(format, text, s, e);
      if (ev) agg.add(file, n, ev);
    },
    { ...options, maxLineLength: job.maxLineLength, chunkSize: job.chunkSize },
    { start, end },
  );
  return { index: i, blockBytes: end - start, part: agg.partState(), stats };
}

/** Takes block numbers from the shared counter until none is left; `done` gets each block's result. */
export async function scanBlocks(job: PartJob, counter: Int32Array, done: (r: PartResult) => void, options: ReadOptions = {}): Promise<void> {
  for (let i = Atomics.add(counter, 0, 1); i < job.blocks; i = Atomics.add(counter, 0, 1)) done(await scanBlock(job, i, options));
}

const WORKER_FILE = path.join(__dirname, 'logsWorker.js');

/**
 * Analyses a large plain file on this thread and a worker at once and merges the blocks as if the file had
 * been read in one go. Returns false, having changed nothing, when the file does not qualify or when the
 * upstream/minute caps were reached (the caller then reads it in one go, which is exact in that case too).
 */
async function analyzeInParts(file: string, agg: LogAggregator, options: AnalyzeOptions): Promise<boolean> {
  if (options.parallel === false || agg.capped) return false;
  if ((os.availableParallelism?.() ?? os.cpus().length) < 2 || !fs.existsSync(WORKER_FILE)) return false;
  const size = fs.statSync(file).size;
  if (size < (options.parallelMinBytes ?? 48 << 20) || size < 2) return false;
  options.signal?.throwIfAborted();
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(2);
  const gzip = fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  fs.closeSync(fd);
  if (gzip) return false;
  const blockBytes = Math.max(1, options.parallelBlockBytes ?? Math.min(16 << 20, Math.max(4 << 20, Math.ceil(size / 16))));
  const blocks = Math.ceil(size / blockBytes);
  if (blocks < 2) return false;
  let format: LogFormat | undefined = options.format ? formatById(options.format) : undefined;
  if (!format) {
    const first = readFirstLines(file, SNIFF_LINES, size, options.maxLineLength);
    if (first.length < SNIFF_LINES) return false; // a few giant lines: one pass sniffs them as it always did
    format = sniffFormat(first) ?? mixedFormat;
  }
  const job: PartJob = {
    file,
    format: format.id,
    size,
    blockBytes,
    blocks,
    maxLineLength: options.maxLineLength,
    chunkSize: options.chunkSize,
    maxFindingsPerCause: options.maxFindingsPerCause,
    maxUpstreams: options.maxUpstreams,
    maxMinutes: options.maxMinutes,
  };
  const counter = new Int32Array(new SharedArrayBuffer(4));

  // Blocks are merged in order as soon as all before them are in, so at most a few wait in memory.
  const fileAgg = new LogAggregator(options);
  const waiting = new Map<number, PartResult>();
  let nextToMerge = 0;
  let lines = 0;
  let truncatedLines = 0;
  let doneBytes = 0;
  let ownBytes = 0;
  let workerBytes = 0;
  const progress = () => options.onProgress?.(Math.min(size, doneBytes + ownBytes + workerBytes), size);
  const take = (r: PartResult) => {
    doneBytes += r.blockBytes;
    waiting.set(r.index, r);
    for (let next = waiting.get(nextToMerge); next; next = waiting.get(nextToMerge)) {
      waiting.delete(nextToMerge++);
      fileAgg.mergePart(next.part, lines);
      lines += next.stats.lines;
      truncatedLines += next.stats.truncatedLines;
    }
  };

  const worker = new Worker(WORKER_FILE, { workerData: { job, counter } });
  let workerGone = false;
  const workerDone = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: { progress?: number; result?: PartResult; finished?: boolean; error?: { message: string; code?: string; name?: string } }) => {
      if (workerGone) return;
      if (m.progress !== undefined) {
        workerBytes = m.progress;
        progress();
      } else if (m.result) {
        workerBytes = 0;
        take(m.result);
        progress();
      } else if (m.finished) resolve();
      else if (m.error) reject(Object.assign(new Error(m.error.message), { code: m.error.code, name: m.error.name ?? 'Error' }));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`log worker stopped (exit code ${code})`)));
  });
  workerDone.catch(() => undefined);
  let onAbort: (() => void) | undefined;
  try {
    const ownOptions: ReadOptions = {
      ...options,
      onProgress: (read) => {
        ownBytes = read;
        progress();
      },
    };
    const own = (r: PartResult) => {
      ownBytes = 0;
      take(r);
    };
    await scanBlocks(job, counter, own, ownOptions);
    let workerFailed = false;
    const workerEnd = workerDone.then(
      () => undefined,
      () => {
        workerFailed = true;
      },
    );
    if (options.signal) {
      const signal = options.signal;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason ?? new DOMException('This operation was aborted', 'AbortError'));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort);
      });
      aborted.catch(() => undefined);
      await Promise.race([workerEnd, aborted]);
    } else {
      await workerEnd;
    }
    if (workerFailed) {
      // The worker could not start or died (or hit a read error, which this thread then meets itself):
      // read the blocks it took and did not deliver here.
      workerGone = true;
      await worker.terminate();
      workerBytes = 0;
      for (let i = nextToMerge; i < blocks; i++) if (!waiting.has(i)) own(await scanBlock(job, i, ownOptions));
    }
    if (nextToMerge !== blocks) throw new Error(`log blocks lost (${nextToMerge} of ${blocks} merged)`);
    if (fileAgg.capped) return false; // more upstreams/minutes than kept: read it in one go
    agg.mergePart(fileAgg.partState(), 0);
    agg.result.files.push({ file, format: format.id, lines, bytes: size, gzip: false, truncatedLines });
    options.onProgress?.(size, size);
    return true;
  } finally {
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    void worker.terminate();
  }
}

// ---- nginx error.log through the WebAssembly scanner (wasmScan.ts) ----

/** GD_LOGS_TIMING=1: phases of the WebAssembly path on stderr (for bench/README). */
export function timing(who: string): (what: string) => void {
  return process.env.GD_LOGS_TIMING === '1' ? (what) => process.stderr.write(`[${who} ${performance.now().toFixed(0)} ms] ${what}\n`) : () => undefined;
}

/**
 * The scanner's worker the CLI started at launch for `logs` (launch.ts), before loading its bundle: a worker
 * needs ~50 ms to boot. Taken once; unused, it is unref'd and ends with the process.
 */
function takeEarlyWorker(): Worker | undefined {
  const g = globalThis as { __gdLogsWorker?: Worker };
  const w = g.__gdLogsWorker;
  g.__gdLogsWorker = undefined;
  return w;
}

// dist/logsWasmWorker.js (wasmWorker.ts): a slim worker for the scanner, quick to start. (wasmWorker.js is
// the same file compiled by tsc, for the unit tests.)
const WASM_WORKER_FILE = [path.join(__dirname, 'logsWasmWorker.js'), path.join(__dirname, 'wasmWorker.js')].find((f) => fs.existsSync(f)) ?? '';

/**
 * Block i starts at the first line start at or after i × blockBytes (as blockStart()); the last entry is the
 * size. One open file and small reads: lines are short, and there may be hundreds of blocks.
 */
function blockStarts(file: string, blockBytes: number, blocks: number, size: number): number[] {
  const starts = [0];
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(4096);
    for (let i = 1; i < blocks; i++) {
      let at = size;
      for (let pos = Math.max(i * blockBytes - 1, starts[i - 1]); pos < size; ) {
        const n = fs.readSync(fd, buf, 0, buf.length, pos);
        if (n <= 0) break;
        const nl = buf.subarray(0, n).indexOf(10);
        if (nl >= 0) {
          at = pos + nl + 1;
          break;
        }
        pos += n;
      }
      starts.push(Math.max(starts[i - 1], Math.min(at, size)));
    }
  } finally {
    fs.closeSync(fd);
  }
  starts.push(size);
  return starts;
}

/**
 * A plain nginx error.log through the WebAssembly scanner: large files in blocks on this thread and a worker,
 * as analyzeInParts does. Returns false, having changed nothing, when the scanner is unavailable or the file
 * does not qualify (the caller then uses the JavaScript path).
 */
async function analyzeWithWasm(file: string, agg: LogAggregator, options: AnalyzeOptions): Promise<boolean> {
  timing('main')('analyzeWithWasm');
  if (options.wasm === false || !wasmMayLoad() || !WasmScanner.takesLines(options.maxLineLength)) return false;
  const size = fs.statSync(file).size;
  if (size < 2) return false;
  options.signal?.throwIfAborted();
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(2);
  const gzip = fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  fs.closeSync(fd);
  if (gzip) return false;
  let format: LogFormat | undefined = options.format ? formatById(options.format) : undefined;
  if (!format) {
    const first = readFirstLines(file, SNIFF_LINES, size, options.maxLineLength);
    if (first.length < SNIFF_LINES) return false;
    format = sniffFormat(first) ?? mixedFormat;
  }
  if (format.id !== 'nginx-error') return false;
  const parallel = options.parallel !== false && size >= (options.parallelMinBytes ?? 48 << 20) && (os.availableParallelism?.() ?? os.cpus().length) >= 2 && WASM_WORKER_FILE !== '';
  // Small blocks (4 MiB): the thread that finishes first waits at most one block's time (~3 ms) for the other.
  const blockBytes = parallel ? Math.max(1, options.parallelBlockBytes ?? 4 << 20) : size;
  const blocks = Math.max(1, Math.ceil(size / blockBytes));
  const starts = blockStarts(file, blockBytes, blocks, size);
  const job: ScanJob = { file, size, starts, maxLineLength: options.maxLineLength, maxFindingsPerCause: options.maxFindingsPerCause, readBytes: options.chunkSize };
  const T = timing('main');
  const counter = new Int32Array(new SharedArrayBuffer(4));
  let worker: Worker | undefined;
  let workerPart: Promise<ScanPart | undefined> = Promise.resolve(undefined);
  let workerBytes = 0;
  let progress = () => undefined as void;
  if (parallel && blocks > 1) {
    // Started (or, in the CLI, started at launch and adopted here) before the module is compiled: a worker
    // needs ~45 ms to boot, and gets the job and the compiled module in one message.
    const w = (worker = takeEarlyWorker() ?? new Worker(WASM_WORKER_FILE));
    w.ref();
    workerPart = new Promise<ScanPart | undefined>((resolve) => {
      w.on('message', (m: { progress?: number; wasmPart?: ScanPart; error?: unknown }) => {
        if (m.progress !== undefined) {
          workerBytes = m.progress;
          progress();
        } else if (m.wasmPart) resolve(m.wasmPart);
        else if (m.error) resolve(undefined);
      });
      w.on('error', () => resolve(undefined));
      w.on('exit', () => resolve(undefined));
    });
  }
  T('worker started');
  const mod = wasmModule();
  const own = mod && WasmScanner.create(job, mod);
  if (!own) {
    if (worker) void worker.terminate();
    return false;
  }
  worker?.postMessage({ job: { ...job, rawFindings: true }, counter, module: mod, mainOrigin: performance.timeOrigin });
  T('compiled, scanning');
  progress = () => options.onProgress?.(Math.min(size, own.bytesRead + workerBytes), size);
  let onAbort: (() => void) | undefined;
  try {
    const ownOptions = {
      signal: options.signal,
      yieldToLoop: true,
      onProgress: () => progress(),
    };
    await scanWasmBlocks(own, blocks, counter, ownOptions);
    T(`own blocks done (${own.blockCount})`);
    const mine = own.part(); // while the worker finishes its last block
    let theirs: ScanPart | undefined;
    if (worker) {
      if (options.signal) {
        const signal = options.signal;
        const aborted = new Promise<never>((_, reject) => {
          onAbort = () => reject(signal.reason ?? new DOMException('This operation was aborted', 'AbortError'));
          if (signal.aborted) onAbort();
          else signal.addEventListener('abort', onAbort);
        });
        aborted.catch(() => undefined);
        theirs = await Promise.race([workerPart, aborted]);
      } else theirs = await workerPart;
    }
    T('worker part in');
    const parts = [mine];
    if (theirs) parts.push(theirs);
    // Blocks nobody delivered (the worker failed to start, or died): scanned here by a fresh scanner, so each
    // scanner still sees its blocks in file order.
    const done = new Set(parts.flatMap((p) => p.blocks.map((b) => b.index)));
    const missing = Array.from({ length: blocks }, (_, i) => i).filter((i) => !done.has(i));
    if (missing.length) {
      const again = WasmScanner.create(job);
      if (!again) return false;
      for (const i of missing) await again.scanBlock(i, ownOptions);
      parts.push(again.part());
    }
    // The parts' counts, positions turned into line numbers, go to mergeAtoms as they are: it sorts them by
    // first line and adds up what repeats (a key or cause seen by both threads).
    const toLine = lineMapper(parts);
    const atoms: Atoms = { events: 0, causes: [], bySeverity: { error: 0, warning: 0, info: 0 }, findings: [], upstreams: [], minutes: [] };
    const raw: [number, CauseId, number, number][] = [];
    let lines = 0;
    let truncatedLines = 0;
    for (const p of parts) {
      atoms.events += p.events;
      for (const sev of ['error', 'warning', 'info'] as const) atoms.bySeverity[sev] += p.bySeverity[sev];
      for (const [cause, n, pos] of p.causes) atoms.causes.push([cause, n, toLine(pos)]);
      for (const [k, cause, n, pos] of p.upstreams) atoms.upstreams.push([k, cause, n, toLine(pos)]);
      for (const [k, cause, n, pos] of p.minutes) atoms.minutes.push([k, cause, n, toLine(pos)]);
      for (const [pos, f] of p.findings) atoms.findings.push([toLine(pos), f]);
      for (const [pos, cause, offset, bytes] of p.rawFindings) raw.push([toLine(pos), cause, offset, bytes]);
      for (const b of p.blocks) {
        lines += b.lines;
        truncatedLines += b.truncatedLines;
      }
    }
    if (raw.length) {
      // The worker's candidates that can still become stored findings (the first N of their cause, counting
      // those kept so far), read again and classified here.
      const need = agg.findingsRoom();
      const all: [number, CauseId, number, number][] = [...atoms.findings.map(([line, f]): [number, CauseId, number, number] => [line, f.cause, -1, 0]), ...raw].sort((a, b) => a[0] - b[0]);
      const fd = fs.openSync(file, 'r');
      try {
        for (const [line, cause, offset, bytes] of all) {
          const room = need(cause);
          if (room <= 0) continue;
          need(cause, room - 1);
          if (offset < 0) continue;
          const f = readFinding(file, fd, offset, bytes);
          if (f) atoms.findings.push([line, f]);
        }
      } finally {
        fs.closeSync(fd);
      }
    }
    T('parts combined');
    agg.mergeAtoms(atoms);
    T('merged');
    agg.result.files.push({ file, format: format.id, lines, bytes: size, gzip: false, truncatedLines });
    options.onProgress?.(size, size);
    return true;
  } finally {
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    if (worker) void worker.terminate();
  }
}

export { LOG_FORMATS };
