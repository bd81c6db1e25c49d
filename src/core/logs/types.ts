// What a log classifier returns for one line, and the shape every format module shares. Plain data so
// the CLI, the editor adapter and the tests all read the same thing.
import { CauseId, Severity } from '../finding';

export interface LogEvent {
  cause: CauseId;
  severity: Severity;
  /** What happened and what to check, in one or two sentences. */
  message: string;
  /** The upstream / server / target the line names, as written (`http://127.0.0.1:9/`, `bk/srv1`). */
  upstream?: string;
  /** Local time as written, normalised to `YYYY-MM-DDTHH:MM:SS` (no zone: logs rarely carry one). */
  time?: string;
  /** The server's own code for the event: errno, AH code, termination state, response flag … */
  code?: string;
}

export type LogFormatId = 'nginx-error' | 'haproxy' | 'apache-error' | 'envoy' | 'alb' | 'app-servers' | 'mixed';

export interface LogFormat {
  id: LogFormatId;
  title: string;
  /** True when the line looks like this format (used to sniff the first lines of a file). */
  detect(line: string): boolean;
  /** A failure event, or undefined for lines that are not about failures. Never throws. */
  classify(line: string): LogEvent | undefined;
  /**
   * Optional fast path for the streaming reader: the same answer as `classify(text.slice(start, end))`,
   * without cutting the line out of the chunk it sits in. `end` excludes the line break (and a CR).
   */
  classifyAt?(text: string, start: number, end: number): LogEvent | undefined;
}

export const MONTHS: Record<string, string> = {
  Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06',
  Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12',
};

/**
 * A copy of `s` that does not point into the chunk it was sliced from. V8 keeps a sliced string's
 * parent alive, so anything kept past the current line (memo keys, map keys, stored findings) is
 * flattened, or a few kept slices would pin megabytes of log text each.
 */
export function flat(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}
