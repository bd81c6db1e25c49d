// How the core reads files: from disk, with an overlay of unsaved editor text. Kept behind an interface
// so the editor can hand in open documents and tests can hand in memory.
import * as fs from 'fs';
import * as path from 'path';

export class FileReadError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface FileHost {
  /** Throws FileReadError with a readable message. */
  readFile(file: string): string;
  exists(file: string): boolean;
  isDirectory(file: string): boolean;
  readDir(dir: string): string[];
}

/** Files above this size are reported, not parsed (configurable by callers). */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

export class NodeFileHost implements FileHost {
  constructor(
    private readonly overlay: ReadonlyMap<string, string> = new Map(),
    private readonly maxBytes = DEFAULT_MAX_FILE_BYTES,
  ) {}

  readFile(file: string): string {
    const open = this.overlay.get(file);
    if (open !== undefined) return open;
    // Open first, then check what was opened: O_NONBLOCK keeps a FIFO (or a device) from blocking the
    // open, and fstat on the descriptor cannot be fooled by the path changing between check and read.
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    } catch (err) {
      throw asReadError(file, err);
    }
    try {
      const st = fs.fstatSync(fd);
      if (st.isDirectory()) throw new FileReadError(`${file} is a directory`, 'EISDIR');
      if (!st.isFile()) throw new FileReadError(`${file} is not a regular file (${fileKind(st)}); not read`, 'ENOTREG');
      if (st.size > this.maxBytes) {
        throw new FileReadError(
          `${file} is ${(st.size / 1048576).toFixed(1)} MB, over the ${(this.maxBytes / 1048576).toFixed(0)} MB limit for inspection`,
          'EFBIG',
        );
      }
      return fs.readFileSync(fd, 'utf8');
    } catch (err) {
      if (err instanceof FileReadError) throw err;
      throw asReadError(file, err);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** True for anything at the path, a dangling symlink included (reading it then says why it fails). */
  exists(file: string): boolean {
    if (this.overlay.has(file)) return true;
    try {
      fs.lstatSync(file);
      return true;
    } catch {
      return false;
    }
  }

  isDirectory(file: string): boolean {
    try {
      return fs.statSync(file).isDirectory();
    } catch {
      return false;
    }
  }

  readDir(dir: string): string[] {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  }
}

function fileKind(st: fs.Stats): string {
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a plain file';
}

function asReadError(file: string, err: unknown): FileReadError {
  const code = (err as NodeJS.ErrnoException)?.code ?? 'EIO';
  if (code === 'ENOENT') {
    // A symlink whose target is gone is the usual sites-enabled accident: say so instead of "does not exist".
    try {
      if (fs.lstatSync(file).isSymbolicLink()) return new FileReadError(`${file} is a dangling symbolic link (its target ${fs.readlinkSync(file)} does not exist)`, code);
    } catch {
      // fall through to the plain message
    }
  }
  if (code === 'ELOOP') return new FileReadError(`${file} is a symbolic link that loops back on itself`, code);
  const why =
    code === 'ENOENT' ? 'does not exist' : code === 'EACCES' || code === 'EPERM' ? 'is not readable (permission denied)' : `could not be read (${code})`;
  return new FileReadError(`${file} ${why}`, code);
}

/** In-memory host for tests and for linting a single unsaved text. */
export class MemoryFileHost implements FileHost {
  constructor(private readonly files: Map<string, string>) {}
  readFile(file: string): string {
    const t = this.files.get(file);
    if (t === undefined) throw new FileReadError(`${file} does not exist`, 'ENOENT');
    return t;
  }
  exists(file: string): boolean {
    return this.files.has(file) || this.isDirectory(file);
  }
  isDirectory(file: string): boolean {
    const prefix = file.endsWith(path.sep) ? file : file + path.sep;
    for (const k of this.files.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }
  readDir(dir: string): string[] {
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    const out = new Set<string>();
    for (const k of this.files.keys()) if (k.startsWith(prefix)) out.add(k.slice(prefix.length).split(path.sep)[0]);
    return [...out];
  }
}

const GLOB_CHARS = /[*?[]/;

export function hasGlob(p: string): boolean {
  return GLOB_CHARS.test(p);
}

function globSegmentToRegExp(seg: string): RegExp {
  let re = '^';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = seg.indexOf(']', i + 1);
      if (close === -1) re += '\\[';
      else {
        let cls = seg.slice(i + 1, close);
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += '[' + cls.replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

/** glob(3)-style expansion as nginx's include uses it: sorted, hidden files only when asked for. */
export function expandGlob(host: FileHost, pattern: string): string[] {
  if (!hasGlob(pattern)) return host.exists(pattern) ? [pattern] : [];
  const abs = path.resolve(pattern);
  const parts = abs.split(path.sep);
  let bases = [parts[0] === '' ? path.sep : parts[0]];
  for (let k = 1; k < parts.length; k++) {
    const seg = parts[k];
    if (seg === '') continue;
    const next: string[] = [];
    if (!hasGlob(seg)) {
      for (const b of bases) next.push(path.join(b, seg));
    } else {
      const re = globSegmentToRegExp(seg);
      for (const b of bases) {
        for (const name of host.readDir(b).sort()) {
          if (name.startsWith('.') && !seg.startsWith('.')) continue;
          if (re.test(name)) next.push(path.join(b, name));
        }
      }
    }
    bases = next;
    if (bases.length === 0) break;
  }
  return bases.filter((p) => host.exists(p) && !host.isDirectory(p));
}
