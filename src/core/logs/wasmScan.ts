// The WebAssembly fast path for plain nginx error.log files (wasm/nginxScan.c, built into
// dist/nginxScan.wasm). The file is read straight into the module's memory; the scanner classifies the
// pure-ASCII lines within the line cap over the raw bytes and counts them per (upstream, verdict) and
// (minute, verdict) with the position of the first line of each; every other line ("odd") comes back here
// and goes through the ordinary reader rules and nginxError.classify(). The lines that may become stored
// findings come back too and are classified in full here. The result is a ScanPart: counts with first
// positions, which LogAggregator.mergeAtoms turns into exactly the state a line-by-line pass gives.
// Without the .wasm file (no clang at build time), or when it does not load, callers use the JS path.
import * as fs from 'fs';
import * as path from 'path';
import { CauseId, Severity } from '../finding';
import { nginxError, nginxKernelVerdict } from './nginxError';
import { flat, LogEvent } from './types';
import type { LogFinding } from './analyze';

// Node has WebAssembly; the project's TypeScript libs (no DOM) do not declare it.
type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: object) => { exports: object };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let wasmFile = path.join(__dirname, 'nginxScan.wasm');
let compiled: WasmModule | null | undefined;

/** For tests: load the scanner from another file (a missing one turns the path off). */
export function setWasmFile(file: string): void {
  wasmFile = file;
  compiled = undefined;
}

/** The compiled scanner, or undefined when there is none or it does not compile. */
export type { WasmModule };

export function wasmModule(): WasmModule | undefined {
  if (compiled === undefined) {
    compiled = null;
    try {
      if (process.env.GD_NO_WASM !== '1' && fs.existsSync(wasmFile)) {
        const bytes = fs.readFileSync(wasmFile);
        if ((globalThis as { __gdLiftoffOnly?: boolean }).__gdLiftoffOnly) {
          // The CLI runs V8 with --liftoff-only (undici's llhttp, see launch.ts), under which V8 never moves
          // hot code to its optimizing compiler, and compiles WebAssembly lazily, each function at its first
          // call under the flags of that moment. So the scanner (small, hot) is compiled with the optimizing
          // compiler up front (~2x faster code than Liftoff's), on this thread only (the other core boots the
          // worker meanwhile); then the CLI's flags are put back. Elsewhere (the editor's extension host) V8's
          // own tiering does this and no flag is touched.
          const v8 = require('v8') as typeof import('v8');
          v8.setFlagsFromString('--no-liftoff-only');
          v8.setFlagsFromString('--no-liftoff');
          v8.setFlagsFromString('--no-wasm-lazy-compilation');
          v8.setFlagsFromString('--wasm-num-compilation-tasks=0');
          try {
            compiled = new WA.Module(bytes);
          } finally {
            v8.setFlagsFromString('--liftoff');
            v8.setFlagsFromString('--wasm-lazy-compilation');
            v8.setFlagsFromString('--wasm-num-compilation-tasks=128');
            v8.setFlagsFromString('--liftoff-only');
          }
        } else {
          compiled = new WA.Module(bytes);
        }
      }
    } catch {
      compiled = null;
    }
  }
  return compiled ?? undefined;
}

/** False when the scanner surely cannot load (no file, turned off); true does not promise it compiles. */
export function wasmMayLoad(): boolean {
  return compiled === undefined ? process.env.GD_NO_WASM !== '1' && fs.existsSync(wasmFile) : compiled !== null;
}

/** How many blocks the scanner has read in this thread (tests check that the path was taken). */
export const wasmStats = { blocks: 0 };

export function wasmAvailable(): boolean {
  return wasmModule() !== undefined;
}

/** Line positions are block × 2³² + line number in the block (1-based), until the blocks' lines are known. */
const BLOCK = 2 ** 32;

/** One thread's counts over the blocks it scanned (plain data: it crosses from the worker). */
export interface ScanPart {
  blocks: { index: number; lines: number; truncatedLines: number; bytes: number }[];
  events: number;
  /** cause, count, first position (a cause may come more than once: mergeAtoms adds them up). */
  causes: [CauseId, number, number][];
  bySeverity: Record<Severity, number>;
  /** key, cause, count, first position (a pair may come more than once). */
  upstreams: [string, CauseId, number, number][];
  minutes: [string, CauseId, number, number][];
  /** Candidates for stored findings (a superset of the first N per cause), with their positions. */
  findings: [number, Omit<LogFinding, 'line'>][];
  /** The same, not classified yet (ScanJob.rawFindings): position, cause, file offset, bytes. */
  rawFindings: [number, CauseId, number, number][];
}

interface Exports {
  memory: { buffer: ArrayBuffer };
  buf(): number;
  cap(): number;
  setup(maxFindings: number, maxLine: number): void;
  begin_block(block: number): void;
  skip_line(): number;
  lines(): number;
  odd_ptr(): number;
  odd_count(): number;
  cand_ptr(): number;
  cand_count(): number;
  ucells_ptr(): number;
  ucells_count(): number;
  mcells_ptr(): number;
  mcells_count(): number;
  ups_ptr(): number;
  ups_count(): number;
  ups_arena(): number;
  minutes_ptr(): number;
  minutes_count(): number;
  scan(from: number, to: number, final: number): number;
}

const OUT_MAX = 16384;
/** The scanner's buffer (CAP in nginxScan.c). */
const SCAN_CAP = 8 << 20;

/** Accumulates the events JS classified itself (odd lines), keyed like the scanner's cells. */
class Atoms {
  events = 0;
  causes = new Map<CauseId, [number, number]>();
  bySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  upstreams = new Map<string, [number, number]>();
  minutes = new Map<string, [number, number]>();
  findings: [number, Omit<LogFinding, 'line'>][] = [];
  private storedPerCause = new Map<CauseId, number>();

  constructor(private readonly file: string, private readonly maxFindings: number) {}

  private bump(map: Map<string, [number, number]>, key: string, n: number, pos: number): void {
    const c = map.get(key);
    if (c) {
      c[0] += n;
      if (pos < c[1]) c[1] = pos;
    } else map.set(key, [n, pos]);
  }

  count(cause: CauseId, severity: Severity, n: number, pos: number): void {
    this.events += n;
    this.bySeverity[severity] += n;
    const c = this.causes.get(cause);
    if (c) {
      c[0] += n;
      if (pos < c[1]) c[1] = pos;
    } else this.causes.set(cause, [n, pos]);
  }

  upstream(key: string, cause: CauseId, n: number, pos: number): void {
    this.bump(this.upstreams, `${cause}\u0000${key}`, n, pos);
  }

  minute(key: string, cause: CauseId, n: number, pos: number): void {
    this.bump(this.minutes, `${cause}\u0000${key}`, n, pos);
  }

  /** `own`: the event came from a line string made for it alone (nothing to unpin). */
  finding(pos: number, ev: LogEvent, own = false): void {
    const f: Omit<LogFinding, 'line'> = { file: this.file, cause: ev.cause, severity: ev.severity, message: own ? ev.message : flat(ev.message) };
    if (ev.code) f.code = own ? ev.code : flat(ev.code);
    if (ev.upstream) f.upstream = own ? ev.upstream : flat(ev.upstream);
    if (ev.time) f.time = own ? ev.time : flat(ev.time);
    this.findings.push([pos, f]);
  }

  /** An event of an odd line, as LogAggregator.add() takes it. */
  event(pos: number, ev: LogEvent): void {
    this.count(ev.cause, ev.severity, 1, pos);
    const stored = this.storedPerCause.get(ev.cause) ?? 0;
    if (stored < this.maxFindings) {
      this.storedPerCause.set(ev.cause, stored + 1);
      this.finding(pos, ev);
    }
    if (ev.upstream) this.upstream(ev.upstream, ev.cause, 1, pos);
    if (ev.time && ev.time.length >= 16) this.minute(ev.time.slice(0, 16), ev.cause, 1, pos);
  }

  part(blocks: ScanPart['blocks']): ScanPart {
    const split = (m: Map<string, [number, number]>): [string, CauseId, number, number][] =>
      [...m].map(([k, [n, pos]]) => {
        const z = k.indexOf('\u0000');
        return [k.slice(z + 1), k.slice(0, z) as CauseId, n, pos];
      });
    return {
      blocks,
      events: this.events,
      causes: [...this.causes].map(([c, [n, pos]]) => [c, n, pos]),
      bySeverity: { ...this.bySeverity },
      upstreams: split(this.upstreams),
      minutes: split(this.minutes),
      findings: this.findings,
      rawFindings: [],
    };
  }
}

export interface ScanJob {
  file: string;
  size: number;
  /** Block i is [starts[i], starts[i + 1]). */
  starts: number[];
  maxLineLength?: number;
  maxFindingsPerCause?: number;
  /** Bytes per read (default 64 KiB); for tests. */
  readBytes?: number;
  /**
   * Hand back where the candidates for stored findings are instead of classifying them (the worker: its
   * blocks come after the first ones, whose candidates usually fill the findings already).
   */
  rawFindings?: boolean;
}

/** One thread's scanner: a module instance and the blocks it scanned. */
export class WasmScanner {
  private readonly x: Exports;
  private readonly slots: { cause: CauseId; severity: Severity }[] = [];
  private readonly slotIndex = new Map<string, number>();
  private readonly atoms: Atoms;
  private readonly blocks: ScanPart['blocks'] = [];
  private readonly raw: ScanPart['rawFindings'] = [];
  private readonly maxLine: number;
  /** The bytes at [p, p + len) of the module's memory as text (ASCII there: the scanner sends no other). */
  private text(p: number, len: number): string {
    return Buffer.from(this.x.memory.buffer, p, len).toString('latin1');
  }
  /** Bytes of the file read so far by this scanner (progress). */
  bytesRead = 0;
  private lastReported = 0;
  private lastYield = 0;

  private constructor(mod: WasmModule, private readonly job: ScanJob) {
    const instance = new WA.Instance(mod, { env: { js_verdict: (p: number, len: number) => this.verdict(p, len) } });
    this.x = instance.exports as unknown as Exports;
    this.maxLine = job.maxLineLength ?? 64 * 1024;
    this.atoms = new Atoms(job.file, job.maxFindingsPerCause ?? 200);
    this.x.setup(job.maxFindingsPerCause ?? 200, this.maxLine);
  }

  /** Whether the scanner can keep enough of a line for this cap (see scanBlock). */
  static takesLines(maxLineLength = 64 * 1024): boolean {
    return 4 * maxLineLength + 8 <= SCAN_CAP / 2;
  }

  /** A scanner for the job, or undefined when the scanner is unavailable or cannot take the job. */
  static create(job: ScanJob, mod: WasmModule | undefined = wasmModule()): WasmScanner | undefined {
    if (!mod) return undefined;
    try {
      if (!WasmScanner.takesLines(job.maxLineLength)) return undefined;
      const s = new WasmScanner(mod, job);
      // A line longer than the buffer is read on here keeping its first 4 × cap + 8 bytes.
      return s.x.cap() === SCAN_CAP ? s : undefined;
    } catch {
      return undefined;
    }
  }

  private bytes(p: number, len: number): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, p, len);
  }

  private verdict(p: number, len: number): number {
    const v = nginxKernelVerdict(this.text(p, len));
    if (!v) return -1;
    const key = `${v.cause} ${v.severity}`;
    let slot = this.slotIndex.get(key);
    if (slot === undefined) {
      if (this.slots.length >= 64) return -2;
      slot = this.slots.length;
      this.slots.push({ cause: v.cause, severity: v.severity });
      this.slotIndex.set(key, slot);
    }
    return slot;
  }

  private truncated = 0;

  /** A line of raw bytes (CR included, newline not), or its first bytes when `whole` is false. */
  private oddLine(raw: Uint8Array, whole: boolean, pos: number): void {
    let l = Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('utf8');
    if (whole && l.endsWith('\r')) l = l.slice(0, -1);
    if (!whole || l.length > this.maxLine) {
      this.truncated++;
      l = l.slice(0, this.maxLine);
      if (l.endsWith('\r')) l = l.slice(0, -1);
    }
    let ev: LogEvent | undefined;
    try {
      ev = nginxError.classify(l);
    } catch {
      ev = undefined;
    }
    if (ev) this.atoms.event(pos, ev);
  }

  /** Handles what one scan() call handed back. */
  private drain(base: number, block: number, bufferAt: number): void {
    const x = this.x;
    const mem = x.memory.buffer;
    const nOdd = x.odd_count();
    if (nOdd) {
      const odd = new Uint32Array(mem, x.odd_ptr(), nOdd * 3);
      for (let i = 0; i < nOdd; i++) this.oddLine(new Uint8Array(mem, base + odd[i * 3], odd[i * 3 + 1] - odd[i * 3]), true, block * BLOCK + odd[i * 3 + 2]);
    }
    const nCand = x.cand_count();
    if (nCand) {
      const cand = new Uint32Array(mem, x.cand_ptr(), nCand * 4);
      for (let i = 0; i < nCand * 4; i += 4) {
        const pos = block * BLOCK + cand[i + 2];
        if (this.job.rawFindings) {
          // Where the line is and its cause: read and classified only if it turns out to be needed.
          this.raw.push([pos, this.slots[cand[i + 3]].cause, bufferAt + cand[i], cand[i + 1] - cand[i]]);
          continue;
        }
        const ev = nginxError.classify(this.text(base + cand[i], cand[i + 1] - cand[i]));
        if (ev) this.atoms.finding(pos, ev, true);
      }
    }
  }

  /** Scans block `index` of the job; `yieldToLoop` (main thread) lets messages and an abort through now and then. */
  async scanBlock(index: number, options: { signal?: AbortSignal; onProgress?: (read: number) => void; yieldToLoop?: boolean } = {}): Promise<void> {
    const { file, starts } = this.job;
    const start = starts[index];
    const end = starts[index + 1];
    const x = this.x;
    const base = x.buf();
    const cap = x.cap();
    this.truncated = 0;
    x.begin_block(index);
    const fd = fs.openSync(file, 'r');
    try {
      let pos = start;
      let have = 0;
      for (;;) {
        options.signal?.throwIfAborted();
        const buf = this.bytes(base, cap);
        // Small reads: the bytes are scanned while they are still in the CPU cache (8 MiB reads measured 3×
        // slower than 64 KiB ones for the read alone). The buffer fills up only behind a long line.
        const want = Math.min(this.job.readBytes ?? 64 * 1024, cap - have, end - pos);
        const n = want > 0 ? fs.readSync(fd, buf, have, want, pos) : 0;
        pos += n;
        this.bytesRead += n;
        have += n;
        const final = pos >= end || n === 0;
        let from = 0;
        for (;;) {
          from = x.scan(from, have, final ? 1 : 0);
          this.drain(base, index, pos - have);
          if (x.odd_count() < OUT_MAX - 1 && x.cand_count() < OUT_MAX - 1) break;
        }
        if (final) break;
        const left = have - from;
        if (left > 0) buf.copyWithin(0, from, have);
        have = left;
        if (have === cap) {
          // No newline in the whole buffer: read on to the end of this line, keeping its start.
          const keep = Buffer.from(buf.subarray(0, 4 * this.maxLine + 8));
          let nl = -1;
          have = 0;
          let eof = false;
          while (nl < 0) {
            const m = Math.min(cap, end - pos);
            const got = m > 0 ? fs.readSync(fd, buf, 0, m, pos) : 0;
            if (got === 0) {
              eof = true;
              break;
            }
            pos += got;
            this.bytesRead += got;
            nl = buf.subarray(0, got).indexOf(10);
            if (nl >= 0) {
              buf.copyWithin(0, nl + 1, got);
              have = got - nl - 1;
            }
          }
          // The line is longer than the cap either way: its end (and a CR there) is cut off.
          this.oddLine(keep, false, index * BLOCK + x.skip_line());
          if (eof) break;
        }
        // Progress every MiB; the event loop (worker messages, an abort from the UI) every 8 MiB (~5 ms).
        if (this.bytesRead - this.lastReported >= 1 << 20) {
          this.lastReported = this.bytesRead;
          options.onProgress?.(this.bytesRead);
          if (options.yieldToLoop && this.bytesRead - this.lastYield >= 8 << 20) {
            this.lastYield = this.bytesRead;
            await new Promise((r) => setImmediate(r));
          }
        }
      }
    } finally {
      fs.closeSync(fd);
    }
    this.blocks.push({ index, lines: x.lines(), truncatedLines: this.truncated, bytes: end - start });
    wasmStats.blocks++;
  }

  get blockCount(): number {
    return this.blocks.length;
  }

  /** Everything counted so far, as plain data. */
  part(): ScanPart {
    const x = this.x;
    const mem = x.memory.buffer;
    const part = this.atoms.part(this.blocks);
    part.rawFindings = [...this.raw];
    const ups: string[] = [];
    const nUps = x.ups_count();
    const keys = new Uint32Array(mem, x.ups_ptr(), nUps * 3);
    const arena = x.ups_arena();
    for (let i = 0; i < nUps; i++) ups.push(this.text(arena + keys[i * 3], keys[i * 3 + 1]));
    const nMin = x.minutes_count();
    const minutes = this.text(x.minutes_ptr(), nMin * 16);
    // Cells are unique per (key, verdict slot); two slots of one cause give two entries, which mergeAtoms adds up.
    const nu = x.ucells_count();
    const uc = new Uint32Array(mem, x.ucells_ptr(), nu * 5);
    for (let i = 0; i < nu * 5; i += 5) part.upstreams.push([ups[uc[i]], this.slots[uc[i + 1]].cause, uc[i + 2], uc[i + 4] * BLOCK + uc[i + 3]]);
    // Every event the scanner counted has a minute: the minute cells give the totals too.
    const causes = new Map<CauseId, [number, number]>();
    const nm = x.mcells_count();
    const mc = new Uint32Array(mem, x.mcells_ptr(), nm * 5);
    for (let i = 0; i < nm * 5; i += 5) {
      const slot = this.slots[mc[i + 1]];
      const n = mc[i + 2];
      const pos = mc[i + 4] * BLOCK + mc[i + 3];
      part.minutes.push([minutes.slice(mc[i] * 16, mc[i] * 16 + 16), slot.cause, n, pos]);
      const c = causes.get(slot.cause);
      if (!c) causes.set(slot.cause, [n, pos]);
      else {
        c[0] += n;
        if (pos < c[1]) c[1] = pos;
      }
      part.events += n;
      part.bySeverity[slot.severity] += n;
    }
    for (const [cause, [n, pos]] of causes) part.causes.push([cause, n, pos]);
    return part;
  }
}

/** Scans blocks taken from the shared counter with one scanner (so in increasing order). */
export async function scanWasmBlocks(scanner: WasmScanner, blocks: number, counter: Int32Array, options: { signal?: AbortSignal; onProgress?: (read: number) => void; yieldToLoop?: boolean }): Promise<void> {
  for (let i = Atomics.add(counter, 0, 1); i < blocks; i = Atomics.add(counter, 0, 1)) await scanner.scanBlock(i, options);
}

/** The finding a raw candidate (ScanPart.rawFindings) stands for: its line read again and classified. */
export function readFinding(file: string, fd: number, offset: number, bytes: number): Omit<LogFinding, 'line'> | undefined {
  const buf = Buffer.allocUnsafe(bytes);
  if (fs.readSync(fd, buf, 0, bytes, offset) !== bytes) return undefined;
  const ev = nginxError.classify(buf.toString('latin1'));
  if (!ev) return undefined;
  const f: Omit<LogFinding, 'line'> = { file, cause: ev.cause, severity: ev.severity, message: ev.message };
  if (ev.code) f.code = ev.code;
  if (ev.upstream) f.upstream = ev.upstream;
  if (ev.time) f.time = ev.time;
  return f;
}

/** Turns block positions into line numbers once every block's line count is known. */
export function lineMapper(parts: ScanPart[]): (pos: number) => number {
  const blocks = parts.flatMap((p) => p.blocks).sort((a, b) => a.index - b.index);
  const before: number[] = [];
  let lines = 0;
  for (const b of blocks) {
    before[b.index] = lines;
    lines += b.lines;
  }
  return (pos) => {
    const block = Math.floor(pos / BLOCK);
    return before[block] + (pos - block * BLOCK);
  };
}
