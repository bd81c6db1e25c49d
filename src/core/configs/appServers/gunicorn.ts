// gunicorn's config file is Python (gunicorn.conf.py). Only top-level assignments of literals are read
// (`timeout = 120`, `bind = ["0.0.0.0:8000"]`); anything computed (`os.environ[...]`, arithmetic on
// calls) is left as unknown rather than guessed. The file is never executed.
import { LineIndex } from '../../text';
import { AppListener, AppServerConfig, parseHostPort, seconds, wholeFileRange } from './model';

/** gunicorn's documented defaults (docs.gunicorn.org settings). */
export const GUNICORN_DEFAULTS = { bind: '127.0.0.1:8000', timeout: 30, keepalive: 2, worker_class: 'sync' };

type PyValue = { kind: 'number'; value: number } | { kind: 'string'; value: string } | { kind: 'list'; items: { value: string; start: number; end: number }[] } | { kind: 'other' };

export interface PyAssignment {
  name: string;
  nameStart: number;
  valueStart: number;
  valueEnd: number;
  value: PyValue;
}

/**
 * Top-level `name = literal` statements of a Python file, with offsets. A statement continues over
 * brackets and backslash line ends; strings and comments are skipped as Python reads them.
 */
export function pythonAssignments(text: string): PyAssignment[] {
  const out: PyAssignment[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    // At a line start. Indented lines belong to a block (if/def/with): their values are conditional.
    const lineStart = i;
    const indented = text[i] === ' ' || text[i] === '\t';
    const stmtEnd = statementEnd(text, i);
    if (!indented) {
      const a = assignmentIn(text, lineStart, stmtEnd);
      if (a) out.push(a);
    }
    i = stmtEnd + 1;
  }
  return out;
}

/** Offset of the newline ending the logical line that starts at `from` (or the text's end). */
function statementEnd(text: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'") {
      i = stringEnd(text, i);
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === '\n' && depth === 0) return i;
    i++;
  }
  return text.length;
}

/** Offset just past the string literal starting at `at` (triple quotes too; an unterminated one ends the text). */
function stringEnd(text: string, at: number): number {
  const q = text[at];
  const triple = text.startsWith(q + q + q, at);
  let i = at + (triple ? 3 : 1);
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (triple ? text.startsWith(q + q + q, i) : c === q) return i + (triple ? 3 : 1);
    if (!triple && c === '\n') return i; // unterminated on its line: Python would refuse it; stop here
    i++;
  }
  return text.length;
}

function assignmentIn(text: string, start: number, end: number): PyAssignment | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(?!=)[ \t]*/.exec(text.slice(start, Math.min(end, start + 200)));
  if (!m) return undefined;
  const valueStart = start + m[0].length;
  let valueEnd = end;
  // Drop a trailing comment and blanks from the value's range.
  const body = text.slice(valueStart, end);
  const cut = commentStart(body);
  valueEnd = valueStart + body.slice(0, cut).trimEnd().length;
  if (valueEnd <= valueStart) return undefined;
  return { name: m[1], nameStart: start, valueStart, valueEnd, value: literal(text, valueStart, valueEnd) };
}

function commentStart(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "'") i = stringEnd(s, i) - 1;
    else if (c === '#') return i;
  }
  return s.length;
}

/** A literal number, string, or list/tuple of strings; anything else is 'other'. */
function literal(text: string, start: number, end: number): PyValue {
  const s = text.slice(start, end).trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(s.replace(/_/g, ''))) return { kind: 'number', value: Number(s.replace(/_/g, '')) };
  const str = stringLiteral(s);
  if (str !== undefined) return { kind: 'string', value: str };
  if ((s.startsWith('[') && s.endsWith(']')) || (s.startsWith('(') && s.endsWith(')'))) {
    const items: { value: string; start: number; end: number }[] = [];
    let i = text.indexOf(s[0], start) + 1;
    const close = start + text.slice(start, end).lastIndexOf(s[s.length - 1]);
    while (i < close) {
      const c = text[i];
      if (c === '"' || c === "'") {
        const e = stringEnd(text, i);
        const v = stringLiteral(text.slice(i, e));
        if (v === undefined) return { kind: 'other' };
        items.push({ value: v, start: i, end: e });
        i = e;
      } else if (c === ',' || c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else if (c === '#') while (i < close && text[i] !== '\n') i++;
      else return { kind: 'other' };
    }
    return { kind: 'list', items };
  }
  return { kind: 'other' };
}

function stringLiteral(s: string): string | undefined {
  const m = /^([rRbBuU]?)(['"])((?:\\.|(?!\2).)*)\2$/s.exec(s);
  if (!m || s.startsWith('"""') || s.startsWith("'''")) return undefined;
  return m[1].toLowerCase() === 'r' ? m[3] : m[3].replace(/\\(.)/g, '$1');
}

/** Whether a .py file reads like a gunicorn config (by name, or settings only gunicorn has). */
export function isGunicornFileName(base: string): boolean {
  return /^gunicorn([._-].*)?\.py$/i.test(base) || /[._-]gunicorn([._-].*)?\.py$/i.test(base);
}

export function parseGunicorn(file: string, text: string): AppServerConfig {
  const lines = new LineIndex(text);
  const assigns = new Map<string, PyAssignment>();
  for (const a of pythonAssignments(text)) assigns.set(a.name, a); // the last assignment wins, as in Python
  const at = (a: PyAssignment) => lines.range(a.valueStart, a.valueEnd);
  const fileStart = wholeFileRange(lines);
  const cfg: AppServerConfig = { kind: 'gunicorn', file, label: `gunicorn (${file.split(/[\\/]/).pop()})`, listeners: [], problems: [] };

  const bind = assigns.get('bind');
  const addBind = (value: string, range: ReturnType<LineIndex['range']>, isDefault: boolean) => {
    const l = bindListener(value);
    if (l) cfg.listeners.push({ ...l, file, range, isDefault, text: value });
  };
  if (!bind) addBind(GUNICORN_DEFAULTS.bind, fileStart, true);
  else if (bind.value.kind === 'string') addBind(bind.value.value, at(bind), false);
  else if (bind.value.kind === 'list') for (const it of bind.value.items) addBind(it.value, lines.range(it.start, it.end), false);

  const workerClass = assigns.get('worker_class');
  const threads = assigns.get('threads');
  let worker = GUNICORN_DEFAULTS.worker_class;
  if (workerClass) worker = workerClass.value.kind === 'string' ? workerClass.value.value : 'unknown';
  // gunicorn: "If you try to use the sync worker type and set the threads setting to more than 1, the
  // gthread worker type will be used instead."
  if (worker === 'sync' && threads?.value.kind === 'number' && threads.value.value > 1) worker = 'gthread';
  const sync = worker === 'sync';

  const timeout = assigns.get('timeout');
  // The timeout only bounds a request's run time for sync workers (others heartbeat while they work).
  if (sync) {
    if (!timeout) cfg.requestTimeout = { file, range: fileStart, isDefault: true, text: `${GUNICORN_DEFAULTS.timeout}`, ms: seconds(GUNICORN_DEFAULTS.timeout), setting: 'timeout', effect: 'kills the worker' };
    else if (timeout.value.kind === 'number') cfg.requestTimeout = { file, range: at(timeout), isDefault: false, text: text.slice(timeout.valueStart, timeout.valueEnd), ms: seconds(timeout.value.value), setting: 'timeout', effect: 'kills the worker' };
  }

  const keepalive = assigns.get('keepalive');
  if (sync) {
    // "sync worker does not support persistent connections and will ignore this option"
    cfg.idleKeepAlive = { file, range: workerClass ? at(workerClass) : fileStart, isDefault: !workerClass, text: 'sync worker', ms: 0, setting: 'worker_class' };
  } else if (worker !== 'unknown') {
    if (!keepalive) cfg.idleKeepAlive = { file, range: fileStart, isDefault: true, text: `${GUNICORN_DEFAULTS.keepalive}`, ms: seconds(GUNICORN_DEFAULTS.keepalive), setting: 'keepalive' };
    else if (keepalive.value.kind === 'number') cfg.idleKeepAlive = { file, range: at(keepalive), isDefault: false, text: text.slice(keepalive.valueStart, keepalive.valueEnd), ms: seconds(keepalive.value.value), setting: 'keepalive' };
  }
  return cfg;
}

/** 'HOST:PORT', 'unix:PATH', 'fd://N' (not a listener we can match), ':PORT'. */
function bindListener(value: string): Omit<AppListener, 'file' | 'range' | 'isDefault' | 'text'> | undefined {
  const v = value.trim();
  if (v.startsWith('unix:')) return { protocol: 'http', socket: v.slice(5) };
  if (v.startsWith('fd://')) return undefined;
  const hp = parseHostPort(v);
  if (hp && hp.port !== undefined) return { protocol: 'http', host: hp.host, port: hp.port };
  // A host alone binds gunicorn's default port.
  if (/^[\w.-]+$/.test(v)) return { protocol: 'http', host: v, port: 8000 };
  return undefined;
}
