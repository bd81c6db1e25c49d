// Apache httpd config parser with exact source offsets. Mirrors httpd's ap_cfg_getline() and
// ap_getword_conf(): one directive per logical line, a backslash right before the line break joins the next
// physical line, '#' starts a comment only as the first non-blank character (so a comment ending in '\'
// swallows the next line, as in httpd), words split on white space, a word that starts with " or ' runs to
// the matching quote (\" inside stays a quote). `<Name args>` opens a container, `</Name>` closes it.
// Problems are collected; parsing always finishes, in one pass over the text.
import { looksBinary } from '../nginx/parser';

export interface ApacheWord {
  /** The value as httpd sees it (quotes removed, `${VAR}` left as written). */
  value: string;
  start: number;
  end: number;
  quoted: boolean;
}

export interface ApacheDirective {
  /** As written (`ProxyPass`); for a container its tag name (`VirtualHost`). */
  name: string;
  /** Lower case: httpd's directive names are case-insensitive. */
  key: string;
  args: ApacheWord[];
  file: string;
  /** 0-based line of the first word, and of the last physical line (continuations included). */
  line: number;
  lastLine: number;
  /** Offsets of the first character and just after the last one (the `>` of a container header). */
  start: number;
  end: number;
  /** Set on containers (`<VirtualHost>` …): the directives inside, in order. */
  children?: ApacheDirective[];
  /** A container's closing tag, when there is one. */
  close?: { start: number; end: number; line: number };
}

export interface ApacheProblem {
  message: string;
  start: number;
  end: number;
  severity: 'error' | 'warning' | 'info';
}

export interface ParsedApache {
  file: string;
  directives: ApacheDirective[];
  problems: ApacheProblem[];
  /** Set when the file is not text; nothing was parsed. */
  binary?: boolean;
}

/** Logical lines longer than this are not split into words (a minified blob, not a config). */
const MAX_LINE_CHARS = 1 << 20;
/** Containers nested deeper than this are not a config anyone wrote; the rest is skipped, not recursed. */
const MAX_DEPTH = 64;

const isSpace = (c: number) => c === 32 || c === 9 || c === 13 || c === 11 || c === 12;

/** One logical line: its text with continuations removed, and where each piece came from. */
interface Logical {
  text: string;
  /** [index in `text`, offset in the file] at the start of each physical piece. */
  pieces: Array<[number, number]>;
  line: number;
  lastLine: number;
}

function offsetOf(l: Logical, i: number): number {
  let k = l.pieces.length - 1;
  while (k > 0 && l.pieces[k][0] > i) k--;
  return l.pieces[k][1] + (i - l.pieces[k][0]);
}

/** ap_getword_conf over `text` from `from`: words with offsets in the logical line. */
function splitWords(text: string, from: number, to: number): Array<{ value: string; start: number; end: number; quoted: boolean }> {
  const out: Array<{ value: string; start: number; end: number; quoted: boolean }> = [];
  let i = from;
  while (i < to) {
    while (i < to && isSpace(text.charCodeAt(i))) i++;
    if (i >= to) break;
    const start = i;
    const q = text[i];
    if (q === '"' || q === "'") {
      let value = '';
      i++;
      while (i < to && text[i] !== q) {
        if (text[i] === '\\' && text[i + 1] === q) {
          value += q;
          i += 2;
        } else value += text[i++];
      }
      if (i < to) i++; // the closing quote; an unterminated one runs to the end of the line, as in httpd
      out.push({ value, start, end: i, quoted: true });
      continue;
    }
    while (i < to && !isSpace(text.charCodeAt(i))) i++;
    out.push({ value: text.slice(start, i), start, end: i, quoted: false });
  }
  return out;
}

export function parseApache(file: string, text: string): ParsedApache {
  const problems: ApacheProblem[] = [];
  const top: ApacheDirective[] = [];
  if (looksBinary(text)) {
    problems.push({ message: 'This file looks binary, not like an Apache httpd config; it was not inspected.', start: 0, end: 0, severity: 'warning' });
    return { file, directives: top, problems, binary: true };
  }
  const stack: Array<{ d: ApacheDirective; list: ApacheDirective[] }> = [];
  let list = top;
  let skippedDepth = 0; // containers opened beyond MAX_DEPTH, so their closing tags are matched
  const n = text.length;
  // httpd skips a UTF-8 byte order mark at the start of a config file.
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  while (pos <= n) {
    // Gather one logical line: physical lines joined while one ends in a single backslash.
    const logical: Logical = { text: '', pieces: [], line: lineNo, lastLine: lineNo };
    let tooLong = false;
    for (;;) {
      let eol = text.indexOf('\n', pos);
      if (eol === -1) eol = n;
      let end = eol;
      if (end > pos && text.charCodeAt(end - 1) === 13) end--;
      const continued = end > pos && text[end - 1] === '\\' && !(end - 1 > pos && text[end - 2] === '\\') && eol < n;
      const pieceEnd = continued ? end - 1 : end;
      if (logical.text.length + (pieceEnd - pos) > MAX_LINE_CHARS) tooLong = true;
      if (!tooLong) {
        logical.pieces.push([logical.text.length, pos]);
        logical.text += text.slice(pos, pieceEnd);
      }
      logical.lastLine = lineNo;
      pos = eol + 1;
      if (!continued) break;
      lineNo++;
    }
    lineNo++;
    if (tooLong) {
      const at = text.length > 0 ? Math.min(logical.pieces[0]?.[1] ?? 0, n) : 0;
      problems.push({ message: `line ${logical.line + 1} is longer than ${MAX_LINE_CHARS} characters; it was not inspected`, start: at, end: at, severity: 'error' });
      continue;
    }
    const t = logical.text;
    let b = 0;
    while (b < t.length && isSpace(t.charCodeAt(b))) b++;
    let e = t.length;
    while (e > b && isSpace(t.charCodeAt(e - 1))) e--;
    if (b >= e || t[b] === '#') continue;
    const at = (i: number) => offsetOf(logical, i);

    if (t[b] === '<' && t[b + 1] === '/') {
      // A closing tag: `</Name>`.
      let k = b + 2;
      while (k < e && t[k] !== '>' && !isSpace(t.charCodeAt(k))) k++;
      const name = t.slice(b + 2, k);
      const close = { start: at(b), end: at(e), line: logical.line };
      if (skippedDepth > 0) {
        skippedDepth--;
        continue;
      }
      const open = stack[stack.length - 1];
      if (!open) {
        problems.push({ message: `</${name}> without matching <${name}> section: httpd refuses the config`, start: close.start, end: close.end, severity: 'error' });
        continue;
      }
      if (open.d.key !== name.toLowerCase()) {
        problems.push({ message: `Expected </${open.d.name}> but saw </${name}>: httpd refuses the config`, start: close.start, end: close.end, severity: 'error' });
        // Recover: close up to a matching open container if there is one, else ignore the tag.
        const k2 = stack.map((s) => s.d.key).lastIndexOf(name.toLowerCase());
        if (k2 === -1) continue;
        while (stack.length > k2 + 1) stack.pop();
      }
      const done = stack.pop()!;
      done.d.close = close;
      list = stack.length ? stack[stack.length - 1].d.children! : top;
      continue;
    }

    if (t[b] === '<') {
      // A container header: `<Name args>`; httpd wants the '>' as the last character of the line.
      let k = b + 1;
      while (k < e && t[k] !== '>' && !isSpace(t.charCodeAt(k))) k++;
      const name = t.slice(b + 1, k);
      const closed = t[e - 1] === '>';
      if (!closed) {
        problems.push({ message: `<${name}> directive missing closing '>': httpd refuses the config`, start: at(b), end: at(e), severity: 'error' });
      }
      const args = splitWords(t, k, closed ? e - 1 : e).map((w) => ({ value: w.value, start: at(w.start), end: at(w.end), quoted: w.quoted }));
      const d: ApacheDirective = { name, key: name.toLowerCase(), args, file, line: logical.line, lastLine: logical.lastLine, start: at(b), end: at(e), children: [] };
      if (stack.length >= MAX_DEPTH) {
        if (skippedDepth++ === 0) problems.push({ message: `containers nested deeper than ${MAX_DEPTH} levels; the inner ones were not inspected`, start: d.start, end: d.end, severity: 'error' });
        continue;
      }
      list.push(d);
      stack.push({ d, list });
      list = d.children!;
      continue;
    }

    if (skippedDepth > 0) continue;
    const words = splitWords(t, b, e);
    const [first, ...rest] = words;
    list.push({
      name: first.value,
      key: first.value.toLowerCase(),
      args: rest.map((w) => ({ value: w.value, start: at(w.start), end: at(w.end), quoted: w.quoted })),
      file,
      line: logical.line,
      lastLine: logical.lastLine,
      start: at(first.start),
      end: at(e),
    });
  }
  for (const open of stack) {
    problems.push({ message: `<${open.d.name}> was not closed: httpd refuses the config`, start: open.d.start, end: open.d.end, severity: 'error' });
  }
  return { file, directives: top, problems };
}
