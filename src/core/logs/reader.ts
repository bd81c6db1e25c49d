// Streams a log file line by line with bounded memory: 1 MiB chunks, lines capped at maxLineLength
// characters (the rest of a longer line is counted, not kept), gzip (`error.log.1.gz`) recognised by its
// magic bytes, progress in bytes of the file on disk, cancellation through an AbortSignal.
import * as buffer from 'buffer';
import * as fs from 'fs';
import * as zlib from 'zlib';

// Pure-ASCII chunks (nearly every log) decode as latin1, a plain copy, several times cheaper than
// UTF-8 decoding and identical for ASCII. Other chunks are decoded as UTF-8, cut at a character boundary.
const isAscii: (b: Buffer) => boolean = (buffer as unknown as { isAscii?: (b: Buffer) => boolean }).isAscii ?? (() => false);

/** Length of the prefix of `b` that ends on a complete UTF-8 character. */
export function completeUtf8Length(b: Buffer): number {
  const len = b.length;
  for (let i = len - 1; i >= 0 && i >= len - 4; i--) {
    const c = b[i];
    if ((c & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return i + need > len ? i : len;
  }
  return len;
}

function decode(chunk: Buffer): string {
  return isAscii(chunk) ? chunk.toString('latin1') : chunk.toString('utf8');
}

export interface ReadOptions {
  /** Longer lines are cut to this many characters (default 64 Ki). */
  maxLineLength?: number;
  signal?: AbortSignal;
  /** Called after each chunk with the bytes of the file read so far and its size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  chunkSize?: number;
}

export interface ReadStats {
  lines: number;
  /** Bytes of the file on disk (compressed size for .gz). */
  bytes: number;
  gzip: boolean;
  truncatedLines: number;
  droppedChars: number;
}

export type LineHandler = (line: string, lineNumber: number) => void;

export function isGzip(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/** Called per line with the text it sits in and its bounds: the line is `text.slice(start, end)`, without the line break. */
export type RangeHandler = (text: string, start: number, end: number, lineNumber: number) => void;

/**
 * Splits decoded text into lines without cutting each one out: the handler gets the chunk and the line's
 * bounds. Keeps at most `max` characters of a partial line between chunks; longer lines are cut to `max`.
 */
export class RangeSplitter {
  private carry = '';
  private carryOverflow = false;
  lines = 0;
  truncatedLines = 0;
  droppedChars = 0;

  constructor(private readonly onRange: RangeHandler, private readonly max = 64 * 1024) {}

  push(text: string): void {
    let start = 0;
    let nl = text.indexOf('\n');
    if (this.carry !== '' || this.carryOverflow) {
      if (nl < 0) {
        this.keep(text);
        return;
      }
      this.keep(text.slice(0, nl));
      this.emit(this.carry, this.carryOverflow);
      this.carry = '';
      this.carryOverflow = false;
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    const max = this.max;
    const onRange = this.onRange;
    while (nl >= 0) {
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      if (end - start > max) {
        this.droppedChars += end - start - max;
        this.truncatedLines++;
        let cut = start + max;
        if (cut > start && text.charCodeAt(cut - 1) === 13) cut--;
        onRange(text, start, cut, ++this.lines);
      } else {
        onRange(text, start, end, ++this.lines);
      }
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) this.keep(start === 0 ? text : text.slice(start));
  }

  /** The last line when the file does not end with a newline. */
  end(): void {
    if (this.carry !== '' || this.carryOverflow) this.emit(this.carry, this.carryOverflow);
    this.carry = '';
    this.carryOverflow = false;
  }

  private keep(part: string): void {
    // One character more than a line keeps: a line of exactly `max` characters may still end with a CR.
    const room = this.max + 1 - this.carry.length;
    if (part.length <= room) {
      this.carry += part;
    } else {
      // Copy, so the kept prefix does not pin the whole chunk it came from.
      // (UTF-16 round trip: a surrogate pair cut in two stays as cut, as it does for a line inside one chunk.)
      if (room > 0) this.carry = Buffer.from(this.carry + part.slice(0, room), 'utf16le').toString('utf16le');
      this.droppedChars += part.length - Math.max(room, 0);
      this.carryOverflow = true;
    }
  }

  /** A line that crossed chunks: cut as push() cuts a line inside one chunk (CR dropped, then `max`). */
  private emit(line: string, overflow: boolean): void {
    if (!overflow && line.endsWith('\r')) line = line.slice(0, -1);
    if (overflow || line.length > this.max) {
      if (line.length > this.max) this.droppedChars += line.length - this.max;
      line = line.slice(0, this.max);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.truncatedLines++;
    }
    this.onRange(line, 0, line.length, ++this.lines);
  }
}

/** Splits decoded text into lines; keeps at most `max` characters of a partial line between chunks. */
export class LineSplitter extends RangeSplitter {
  constructor(onLine: LineHandler, max = 64 * 1024) {
    super((text, start, end, n) => onLine(start === 0 && end === text.length ? text : text.slice(start, end), n), max);
  }
}

export async function readLines(file: string, onLine: LineHandler, options: ReadOptions = {}): Promise<ReadStats> {
  return readLineRanges(file, (text, start, end, n) => onLine(start === 0 && end === text.length ? text : text.slice(start, end), n), options);
}

/** readLines without cutting each line out of its chunk (see RangeHandler). */
export async function readLineRanges(file: string, onRange: RangeHandler, options: ReadOptions = {}, part?: { start: number; end?: number }): Promise<ReadStats> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const total = fs.statSync(file).size;
  // A part of a plain file (see parallel.ts) starts at a line start; its progress counts its own bytes.
  const gzip = !part && total >= 2 && isGzip(file);
  const raw = fs.createReadStream(file, { highWaterMark: options.chunkSize ?? 1 << 20, start: part?.start, end: part?.end === undefined ? undefined : part.end - 1 });
  const source: NodeJS.ReadableStream = gzip ? raw.pipe(zlib.createGunzip({ chunkSize: 1 << 20 })) : raw;
  if (gzip) raw.on('error', (err) => (source as zlib.Gunzip).destroy(err));
  let pending: Buffer | undefined;
  const splitter = new RangeSplitter(onRange, options.maxLineLength ?? 64 * 1024);
  try {
    for await (let chunk of source as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      if (pending) {
        chunk = Buffer.concat([pending, chunk]);
        pending = undefined;
      }
      const cut = completeUtf8Length(chunk);
      if (cut < chunk.length) {
        pending = Buffer.from(chunk.subarray(cut));
        chunk = chunk.subarray(0, cut);
      }
      splitter.push(decode(chunk));
      onProgress?.(raw.bytesRead, total);
    }
    if (pending) splitter.push(pending.toString('utf8'));
    splitter.end();
  } finally {
    raw.destroy();
    if (gzip) (source as zlib.Gunzip).destroy();
  }
  return { lines: splitter.lines, bytes: total, gzip, truncatedLines: splitter.truncatedLines, droppedChars: splitter.droppedChars };
}

/**
 * The first `count` lines of a plain (not gzip) file as readLines would give them, read synchronously from at
 * most the first `limit` bytes. Used to sniff the format before a file is split into parts.
 */
export function readFirstLines(file: string, count: number, limit: number, maxLineLength = 64 * 1024): string[] {
  const out: string[] = [];
  const splitter = new RangeSplitter((text, start, end) => {
    if (out.length < count) out.push(text.slice(start, end));
  }, maxLineLength);
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    let pos = 0;
    let pending: Buffer | undefined;
    while (out.length < count && pos < limit) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, limit - pos), pos);
      if (n <= 0) break;
      pos += n;
      let chunk = pending ? Buffer.concat([pending, buf.subarray(0, n)]) : buf.subarray(0, n);
      pending = undefined;
      const cut = completeUtf8Length(chunk);
      if (cut < chunk.length) {
        pending = Buffer.from(chunk.subarray(cut));
        chunk = chunk.subarray(0, cut);
      }
      splitter.push(decode(chunk));
    }
  } finally {
    fs.closeSync(fd);
  }
  return out.map((l) => Buffer.from(l, 'utf16le').toString('utf16le'));
}

/** Offset just after the first newline at or after `from`, searching at most `window` bytes; -1 if none. */
export function lineStartAfter(file: string, from: number, window: number): number {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (let pos = from; pos < from + window; ) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) return -1;
      const nl = buf.subarray(0, n).indexOf(10);
      if (nl >= 0) return pos + nl + 1;
      pos += n;
    }
    return -1;
  } finally {
    fs.closeSync(fd);
  }
}
