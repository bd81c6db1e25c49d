// What the editor needs around the log core: classifying a document's lines in slices that give the
// event loop back between them (a big open log must not freeze the extension host), choosing which
// findings get a squiggle when only a few may, and telling a text log from binary data before reading it.
import * as fs from 'fs';
import * as zlib from 'zlib';
import { CauseId } from '../finding';
import { AnalyzeOptions, LogAggregator, LogAnalysis, LogFinding } from './analyze';
import { formatById, mixedFormat, sniffFormat } from './formats';
import { LogEvent, LogFormat } from './types';

const SNIFF_LINES = 50;

export interface SlicedOptions extends Pick<AnalyzeOptions, 'format' | 'maxFindingsPerCause' | 'maxUpstreams' | 'maxMinutes'> {
  signal?: AbortSignal;
  /** Lines classified between two yields (default 2000). */
  sliceLines?: number;
  /** How to give the event loop back; default setImmediate. */
  yieldNow?: () => Promise<void>;
}

const defaultYield = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The same result as `analyzeText`, from a line accessor (an editor document's `lineAt`) instead of one
 * string, yielding after every slice. Throws the signal's reason when aborted.
 */
export async function analyzeLinesInSlices(lineAt: (index: number) => string, lineCount: number, file: string, options: SlicedOptions = {}): Promise<LogAnalysis> {
  const { signal } = options;
  signal?.throwIfAborted();
  const slice = Math.max(1, options.sliceLines ?? 2000);
  const yieldNow = options.yieldNow ?? defaultYield;
  const agg = new LogAggregator(options);
  // A trailing empty line is the file's last newline, not a line of its own (as in analyzeText).
  const count = lineCount > 0 && lineAt(lineCount - 1) === '' ? lineCount - 1 : lineCount;
  const sample: string[] = [];
  for (let i = 0; i < Math.min(count, SNIFF_LINES); i++) sample.push(lineAt(i));
  const format: LogFormat = (options.format && formatById(options.format)) || sniffFormat(sample) || mixedFormat;
  let bytes = 0;
  for (let start = 0; start < count; start += slice) {
    if (start > 0) {
      await yieldNow();
      signal?.throwIfAborted();
    }
    const end = Math.min(count, start + slice);
    for (let i = start; i < end; i++) {
      const line = lineAt(i);
      bytes += line.length + 1;
      const ev = classifySafely(format, line);
      if (ev) agg.add(file, i + 1, ev);
    }
  }
  agg.result.files.push({ file, format: format.id, lines: count, bytes, gzip: false, truncatedLines: 0 });
  return agg.finish();
}

function classifySafely(format: LogFormat, line: string): LogEvent | undefined {
  try {
    return format.classify(line);
  } catch {
    return undefined; // a classifier bug leaves the line unmarked, never stops the document
  }
}

/**
 * At most `max` findings to mark, taken round-robin over the causes (in order of first appearance) so
 * every cause gets its first lines marked before any cause gets more; returned in line order.
 */
export function firstFindingsPerCause(findings: readonly LogFinding[], max: number): LogFinding[] {
  if (max <= 0) return [];
  const byCause = new Map<CauseId, LogFinding[]>();
  for (const f of findings) {
    let l = byCause.get(f.cause);
    if (!l) byCause.set(f.cause, (l = []));
    l.push(f);
  }
  const picked: LogFinding[] = [];
  const queues = [...byCause.values()];
  for (let round = 0; picked.length < max; round++) {
    let any = false;
    for (const q of queues) {
      if (round < q.length && picked.length < max) {
        picked.push(q[round]);
        any = true;
      }
    }
    if (!any) break;
  }
  return picked.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}

/** Why a file is not a text log, or undefined when its first bytes read like text. */
export function binaryReason(head: Buffer): string | undefined {
  if (head.length === 0) return undefined;
  let control = 0;
  for (const b of head) {
    if (b === 0) return 'it contains NUL bytes (binary data, not a text log)';
    // Control characters other than tab, newline, carriage return, form feed and escape (ANSI colours).
    if (b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 12 && b !== 27) control++;
  }
  if (control * 10 > head.length) return 'most of its first bytes are control characters (binary data, not a text log)';
  const text = head.toString('utf8');
  const replaced = text.split('\uFFFD').length - 1;
  if (replaced * 4 > text.length) return 'it is not UTF-8 or ASCII text (binary data, not a text log)';
  return undefined;
}

/**
 * Reads the first bytes of `file` (decompressed when it is gzip) and says why it cannot be analysed as
 * a text log: unreadable, a directory, corrupt gzip, binary. Undefined when it looks like text.
 */
export async function whyNotATextLog(file: string, headBytes = 8192): Promise<string | undefined> {
  let fd: fs.promises.FileHandle | undefined;
  let raw: Buffer;
  try {
    const st = await fs.promises.stat(file);
    if (st.isDirectory()) return 'it is a folder, not a file';
    if (!st.isFile()) return 'it is not a regular file';
    fd = await fs.promises.open(file, 'r');
    const buf = Buffer.alloc(headBytes);
    const { bytesRead } = await fd.read(buf, 0, headBytes, 0);
    raw = buf.subarray(0, bytesRead);
  } catch (err) {
    return ioReason(err);
  } finally {
    await fd?.close();
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = await gunzipHead(file, headBytes);
    } catch (err) {
      return ioReason(err);
    }
  }
  return binaryReason(raw);
}

/** The first `n` decompressed bytes of a gzip file (stops reading once it has them). */
function gunzipHead(file: string, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const src = fs.createReadStream(file);
    const gunzip = zlib.createGunzip();
    const done = () => {
      src.destroy();
      gunzip.destroy();
      resolve(Buffer.concat(chunks).subarray(0, n));
    };
    gunzip.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got >= n) done();
    });
    gunzip.on('end', done);
    gunzip.on('error', reject);
    src.on('error', reject);
    src.pipe(gunzip);
  });
}

/** A one-line reason for a failed read, in words (also used when the streaming read itself fails). */
export function ioReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'the file does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
      return 'corrupt gzip data';
    default:
      return e?.message ?? String(err);
  }
}
