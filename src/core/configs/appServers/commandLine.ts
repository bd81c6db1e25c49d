// App servers configured on their command line rather than in a file of their own: a Procfile line
// (`web: gunicorn -b 0.0.0.0:8000 --timeout 120 app:app`), a Dockerfile CMD/ENTRYPOINT (shell or JSON
// form), a compose service's `command:`. The words keep their offsets, so findings and fixes point at
// the flag's value in that file.
import * as path from 'path';
import * as YAML from 'yaml';
import { LineIndex } from '../../text';
import { GUNICORN_DEFAULTS } from './gunicorn';
import { AppProtocol, AppServerConfig, parseHostPort, seconds } from './model';

export interface Word {
  value: string;
  /** Offsets in the file of the word as written (quotes included). */
  start: number;
  end: number;
  /** The quote it was written in ('' for none), so a replacement keeps the style. */
  quote: string;
}

/** Shell-like words of `text` from offset `from` to `to`: quotes, backslashes, `\` + newline as a space. Stops at `&&`, `;`, `|`. */
export function shellWords(text: string, from = 0, to = text.length): Word[] {
  const out: Word[] = [];
  let i = from;
  while (i < to) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || text[i + 1] === '\r')) {
      i += 2;
      continue;
    }
    if (c === ';' || c === '|' || (c === '&' && text[i + 1] === '&')) break;
    if (c === '#' ) break; // a comment to the end: nothing after it is the command
    const start = i;
    let value = '';
    let quote = '';
    while (i < to && !/[ \t\r\n;|]/.test(text[i])) {
      const ch = text[i];
      if (ch === '"' || ch === "'") {
        quote = quote || ch;
        const close = text.indexOf(ch, i + 1);
        const end = close < 0 || close >= to ? to : close;
        value += text.slice(i + 1, end);
        i = end + 1;
      } else if (ch === '\\' && i + 1 < to) {
        value += text[i + 1];
        i += 2;
      } else {
        value += ch;
        i++;
      }
    }
    out.push({ value, start, end: Math.min(i, to), quote });
  }
  return out;
}

/** The strings of a JSON array (Dockerfile exec form), with offsets; undefined when it is not one. */
export function jsonArrayWords(text: string, from: number, to: number): Word[] | undefined {
  let i = from;
  while (i < to && /\s/.test(text[i])) i++;
  if (text[i] !== '[') return undefined;
  i++;
  const out: Word[] = [];
  while (i < to) {
    const c = text[i];
    if (c === ']') return out;
    if (c === '"') {
      let j = i + 1;
      let value = '';
      while (j < to && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < to) {
          value += text[j + 1];
          j += 2;
        } else value += text[j++];
      }
      out.push({ value, start: i, end: j + 1, quote: '"' });
      i = j + 1;
    } else if (c === ',' || /\s/.test(c) || (c === '\\' && /[\r\n]/.test(text[i + 1] ?? ''))) i++;
    else return undefined;
  }
  return undefined;
}

const GUNICORN_FLAGS: Record<string, string> = {
  '-b': 'bind', '--bind': 'bind', '-t': 'timeout', '--timeout': 'timeout', '--keep-alive': 'keepalive',
  '-k': 'worker_class', '--worker-class': 'worker_class', '--threads': 'threads',
};
const UWSGI_FLAGS: Record<string, string> = {
  '-s': 'socket', '--socket': 'socket', '--uwsgi-socket': 'uwsgi-socket', '--http-socket': 'http-socket', '--http': 'http',
  '--fastcgi-socket': 'fastcgi-socket', '--harakiri': 'harakiri', '--protocol': 'protocol',
};

interface Flag {
  value: string;
  word: Word;
}

/** `--flag value`, `--flag=value`, `-fvalue` for short ones; repeated flags kept in order. */
function flagsOf(words: Word[], table: Record<string, string>): Map<string, Flag[]> {
  const out = new Map<string, Flag[]>();
  const add = (name: string, f: Flag) => out.set(name, [...(out.get(name) ?? []), f]);
  for (let i = 0; i < words.length; i++) {
    const w = words[i].value;
    const eq = w.indexOf('=');
    if (w.startsWith('--') && eq > 0 && table[w.slice(0, eq)]) {
      // The value's offsets: inside the same word, after the '='.
      const word = words[i];
      const at = word.start + (word.quote ? 1 : 0) + eq + 1;
      add(table[w.slice(0, eq)], { value: w.slice(eq + 1), word: { value: w.slice(eq + 1), start: at, end: word.end - (word.quote ? 1 : 0), quote: '' } });
    } else if (table[w] && i + 1 < words.length) {
      add(table[w], { value: words[i + 1].value, word: words[i + 1] });
      i++;
    } else if (/^-[a-z]/.test(w) && !w.startsWith('--') && w.length > 2 && table[w.slice(0, 2)]) {
      const word = words[i];
      add(table[w.slice(0, 2)], { value: w.slice(2), word: { value: w.slice(2), start: word.start + 2, end: word.end, quote: '' } });
    }
  }
  return out;
}

/** The app server a command runs (gunicorn or uWSGI, also as `python -m gunicorn`), read from its flags. */
export function appFromCommand(file: string, lines: LineIndex, words: Word[], label: string): AppServerConfig | undefined {
  const at = words.findIndex((w, i) => /(^|\/)(gunicorn|uwsgi)$/.test(w.value) || (w.value === 'gunicorn' && words[i - 1]?.value === '-m'));
  if (at < 0) return undefined;
  const server = words[at].value.endsWith('uwsgi') ? 'uwsgi' : 'gunicorn';
  const rest = words.slice(at + 1);
  const range = (w: Word) => lines.range(w.start, w.end);
  const q = (w: Word) => (w.quote ? { quote: w.quote } : {});
  const here = range(words[at]);
  const cfg: AppServerConfig = { kind: server, file, label: `${server} (${label})`, listeners: [], problems: [], fromCommand: true };
  if (server === 'gunicorn') {
    const f = flagsOf(rest, GUNICORN_FLAGS);
    const binds = f.get('bind') ?? [];
    if (!binds.length) cfg.listeners.push({ protocol: 'http', host: '127.0.0.1', port: 8000, file, range: here, isDefault: true, text: GUNICORN_DEFAULTS.bind });
    for (const b of binds) {
      if (b.value.startsWith('unix:')) cfg.listeners.push({ protocol: 'http', socket: b.value.slice(5), file, range: range(b.word), isDefault: false, text: b.value, ...q(b.word) });
      else {
        const hp = parseHostPort(b.value);
        if (hp?.port !== undefined) cfg.listeners.push({ protocol: 'http', host: hp.host, port: hp.port, file, range: range(b.word), isDefault: false, text: b.value, ...q(b.word) });
      }
    }
    const wc = f.get('worker_class')?.pop();
    const threads = f.get('threads')?.pop();
    let worker = wc ? wc.value : GUNICORN_DEFAULTS.worker_class;
    if (worker === 'sync' && threads && +threads.value > 1) worker = 'gthread';
    const timeout = f.get('timeout')?.pop();
    const keep = f.get('keepalive')?.pop();
    if (worker === 'sync') {
      if (!timeout) cfg.requestTimeout = { file, range: here, isDefault: true, text: `${GUNICORN_DEFAULTS.timeout}`, ms: seconds(GUNICORN_DEFAULTS.timeout), setting: 'timeout', effect: 'kills the worker' };
      else if (/^\d+$/.test(timeout.value)) cfg.requestTimeout = { file, range: range(timeout.word), ...q(timeout.word), isDefault: false, text: timeout.value, ms: seconds(+timeout.value), setting: '--timeout', effect: 'kills the worker' };
      cfg.idleKeepAlive = { file, range: wc ? range(wc.word) : here, isDefault: !wc, text: 'sync worker', ms: 0, setting: 'worker_class' };
    } else if (!keep) cfg.idleKeepAlive = { file, range: here, isDefault: true, text: `${GUNICORN_DEFAULTS.keepalive}`, ms: seconds(GUNICORN_DEFAULTS.keepalive), setting: '--keep-alive' };
    else if (/^\d+$/.test(keep.value)) cfg.idleKeepAlive = { file, range: range(keep.word), ...q(keep.word), isDefault: false, text: keep.value, ms: seconds(+keep.value), setting: '--keep-alive' };
  } else {
    const f = flagsOf(rest, UWSGI_FLAGS);
    const proto = f.get('protocol')?.pop()?.value;
    const socketProtocol: AppProtocol = proto === 'http' ? 'http' : proto === 'fastcgi' ? 'fastcgi' : 'uwsgi';
    const kinds: Array<[string, AppProtocol]> = [['socket', socketProtocol], ['uwsgi-socket', 'uwsgi'], ['http-socket', 'http'], ['http', 'http'], ['fastcgi-socket', 'fastcgi']];
    for (const [key, protocol] of kinds)
      for (const s of f.get(key) ?? []) {
        if (s.value.startsWith('/') || s.value.startsWith('@')) cfg.listeners.push({ protocol, socket: s.value, file, range: range(s.word), isDefault: false, text: s.value, ...q(s.word) });
        else {
          const hp = parseHostPort(s.value);
          if (hp?.port !== undefined) cfg.listeners.push({ protocol, host: hp.host, port: hp.port, file, range: range(s.word), isDefault: false, text: s.value, ...q(s.word) });
        }
      }
    const h = f.get('harakiri')?.pop();
    cfg.requestTimeout = h && /^\d+$/.test(h.value) ? { file, range: range(h.word), ...q(h.word), isDefault: false, text: h.value, ms: seconds(+h.value), setting: '--harakiri', effect: 'drops the request and recycles the worker' } : h ? undefined : { file, range: here, isDefault: true, text: '0', ms: 0, setting: '--harakiri', effect: 'drops the request and recycles the worker' };
  }
  return cfg;
}

export function isCommandFileName(base: string): boolean {
  return base === 'Procfile' || base === 'Dockerfile' || /^Dockerfile\./.test(base) || /\.dockerfile$/i.test(base) || /^(docker-)?compose([.-].*)?\.ya?ml$/i.test(base);
}

/** Every gunicorn/uWSGI started in a Procfile, Dockerfile or compose file. */
export function appsFromCommands(file: string, text: string): AppServerConfig[] {
  if (!/gunicorn|uwsgi/.test(text)) return [];
  const base = path.basename(file);
  const lines = new LineIndex(text);
  const out: AppServerConfig[] = [];
  const push = (c: AppServerConfig | undefined) => c && out.push(c);
  if (base === 'Procfile') {
    for (let l = 0; l < lines.lineCount; l++) {
      const s = lines.lineStart(l);
      const e = lines.lineEnd(l);
      const m = /^([\w-]+):/.exec(text.slice(s, e));
      if (m) push(appFromCommand(file, lines, shellWords(text, s + m[0].length, e), `Procfile ${m[1]}`));
    }
  } else if (/ya?ml$/i.test(base)) {
    // YAML parsing costs ~0.5 s a megabyte: a compose file is small, anything huge is not one to read here.
    if (text.length > 4 << 20) return [];
    let doc: YAML.Document.Parsed;
    try {
      doc = YAML.parseDocument(text);
    } catch {
      return [];
    }
    const services = doc.get('services');
    if (!YAML.isMap(services)) return [];
    for (const item of services.items) {
      const name = YAML.isScalar(item.key) ? String(item.key.value) : '?';
      if (!YAML.isMap(item.value)) continue;
      for (const key of ['entrypoint', 'command']) {
        const node = item.value.get(key, true);
        let words: Word[] | undefined;
        if (YAML.isScalar(node) && typeof node.value === 'string' && node.range) {
          // A plain scalar is its own source text; a quoted one is read from inside its quotes.
          const [s, e] = node.range;
          const q = text[s] === '"' || text[s] === "'" ? 1 : 0;
          words = shellWords(text, s + q, e - q);
        } else if (YAML.isSeq(node)) {
          words = node.items.filter(YAML.isScalar).map((x) => {
            const [s, e] = x.range ?? [0, 0];
            return { value: String(x.value), start: s, end: e, quote: text[s] === '"' || text[s] === "'" ? text[s] : '' };
          });
        }
        const app = words ? appFromCommand(file, lines, words, `${base} service ${name}`) : undefined;
        if (app) app.service = name;
        push(app);
      }
    }
  } else {
    // Dockerfile: the last CMD and ENTRYPOINT count (Docker uses the last of each).
    let last: { words: Word[]; what: string } | undefined;
    for (let l = 0; l < lines.lineCount; l++) {
      const s = lines.lineStart(l);
      const m = /^\s*(CMD|ENTRYPOINT)\s+/i.exec(lines.lineText(l));
      if (!m) continue;
      // The instruction runs on over lines that end in a backslash.
      let endLine = l;
      while (endLine + 1 < lines.lineCount && /\\\s*$/.test(lines.lineText(endLine))) endLine++;
      const from = s + m[0].length;
      const to = lines.lineEnd(endLine);
      const words = jsonArrayWords(text, from, to) ?? shellWords(text, from, to);
      if (words.some((w) => /gunicorn|uwsgi/.test(w.value))) last = { words, what: `${base} ${m[1].toUpperCase()}` };
      l = endLine;
    }
    if (last) push(appFromCommand(file, lines, last.words, last.what));
  }
  return out;
}
