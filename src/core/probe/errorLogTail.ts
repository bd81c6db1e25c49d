// The error-log lines a proxy wrote while the probe ran: the file's size is noted before, and only the
// bytes appended after it are read (bounded), then classified by the nginx error-log classifier.
import * as fs from 'fs';
import { nginxError } from '../logs/nginxError';
import type { ErrorLogLine } from './types';
import { redactInText } from './redact';

const MAX_TAIL_BYTES = 1024 * 1024;

export interface LogMark {
  file: string;
  offset: number;
}

/** Where the file ends now; a missing file counts as empty (it may be created during the probe). */
export function markLog(file: string): LogMark {
  try {
    return { file, offset: fs.statSync(file).size };
  } catch {
    return { file, offset: 0 };
  }
}

/** Lines appended since `mark` (a rotated/truncated file is read from its start). */
export function readSince(mark: LogMark): ErrorLogLine[] {
  let fd: number | undefined;
  try {
    fd = fs.openSync(mark.file, 'r');
    const size = fs.fstatSync(fd).size;
    const from = size < mark.offset ? 0 : mark.offset;
    const len = Math.min(size - from, MAX_TAIL_BYTES);
    if (len <= 0) return [];
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, from);
    return buf
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((raw) => {
        const line = redactInText(raw);
        const ev = nginxError.classify(raw);
        return ev ? { file: mark.file, line, cause: ev.cause, message: ev.message } : { file: mark.file, line };
      });
  } catch {
    return [];
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
