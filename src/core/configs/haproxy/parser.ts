// HAProxy config parser with exact source offsets. Mirrors HAProxy's parse_line(): one statement per
// line, words split on spaces and tabs, '#' starts a comment wherever it is unprotected, backslash
// escapes outside single quotes, "weak" and 'strong' quoting (and quoted parts glued to a word), and
// "${VAR}" kept as written (we cannot know the environment). A keyword that opens a section starts one.
// Problems are collected; parsing always finishes, line by line, in one pass.
import { looksBinary } from '../nginx/parser';

export interface HaproxyWord {
  /** Unquoted, unescaped value as HAProxy sees it (environment variables left as written). */
  value: string;
  start: number;
  end: number;
  quoted: boolean;
  /** Has a "$VAR" or "${VAR}" inside double quotes: its real value is only known on the server. */
  env: boolean;
}

export interface HaproxyLine {
  words: HaproxyWord[];
  /** The first word: the keyword. */
  keyword: string;
  /** 0-based line number. */
  line: number;
  /** Offset of the first word and just after the last one. */
  start: number;
  end: number;
}

export interface HaproxySection {
  /** `global`, `defaults`, `frontend`, `backend`, `listen`, `resolvers` … */
  kind: string;
  /** The section's name (optional for `global` and `defaults`). */
  name?: string;
  /** `frontend x from NAME`: the named defaults section it takes its settings from. */
  from?: string;
  header: HaproxyLine;
  lines: HaproxyLine[];
}

export interface HaproxyProblem {
  message: string;
  start: number;
  end: number;
  severity: 'error' | 'warning' | 'info';
}

export interface ParsedHaproxy {
  file: string;
  sections: HaproxySection[];
  problems: HaproxyProblem[];
  /** Set when the file is not text; nothing was parsed. */
  binary?: boolean;
}

/** Keywords that open a section (HAProxy 2.6 to 3.x). Everything else belongs to the open section. */
export const SECTION_KEYWORDS = new Set([
  'global',
  'defaults',
  'frontend',
  'backend',
  'listen',
  'resolvers',
  'peers',
  'userlist',
  'mailers',
  'program',
  'http-errors',
  'cache',
  'ring',
  'log-forward',
  'fcgi-app',
  'crt-store',
  'traces',
  'acme',
]);

/** Sections whose name is optional. */
const UNNAMED_OK = new Set(['global', 'defaults', 'traces']);

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const DQUOTE = 34;
const HASH = 35;
const DOLLAR = 36;
const SQUOTE = 39;
const BACKSLASH = 92;

/** Lines longer than this are not split into words (a minified blob, not a config). */
const MAX_LINE_CHARS = 1 << 20;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Splits one line (from `from` to `to`, without its line break) into words; problems are added. */
function splitLine(text: string, from: number, to: number, problems: HaproxyProblem[]): HaproxyWord[] {
  const words: HaproxyWord[] = [];
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === SPACE || c === TAB || c === CR) {
      i++;
      continue;
    }
    if (c === HASH) break; // comment to the end of the line
    // A word: runs of unquoted text, "weak" and 'strong' quoted parts, glued together.
    const start = i;
    let value = '';
    let quoted = false;
    let env = false;
    let quote = 0; // the open quote character, 0 outside quotes
    let quoteStart = 0;
    while (i < to) {
      const w = text.charCodeAt(i);
      if (quote === SQUOTE) {
        if (w === SQUOTE) quote = 0;
        else value += text[i];
        i++;
        continue;
      }
      if (quote === 0) {
        if (w === SPACE || w === TAB || w === HASH) break;
        if (w === CR && i + 1 === to) break;
      }
      if (w === BACKSLASH && i + 1 < to) {
        const n = text.charCodeAt(i + 1);
        if (n === SPACE || n === HASH || n === BACKSLASH || n === SQUOTE || n === DQUOTE || n === DOLLAR || n === TAB) {
          value += text[i + 1];
          i += 2;
        } else if (n === 110 /* n */ || n === 114 /* r */ || n === 116 /* t */) {
          value += n === 110 ? '\n' : n === 114 ? '\r' : '\t';
          i += 2;
        } else if (n === 120 /* x */ && i + 3 < to && hexValue(text.charCodeAt(i + 2)) >= 0 && hexValue(text.charCodeAt(i + 3)) >= 0) {
          value += String.fromCharCode(hexValue(text.charCodeAt(i + 2)) * 16 + hexValue(text.charCodeAt(i + 3)));
          i += 4;
        } else {
          value += '\\'; // any other backslash stays as written
          i++;
        }
        continue;
      }
      if (w === DQUOTE) {
        quote = quote === DQUOTE ? 0 : DQUOTE;
        if (quote) quoteStart = i;
        quoted = true;
        i++;
        continue;
      }
      if (w === SQUOTE && quote === 0) {
        quote = SQUOTE;
        quoteStart = i;
        quoted = true;
        i++;
        continue;
      }
      if (w === DOLLAR && quote === DQUOTE) env = true;
      value += text[i];
      i++;
    }
    if (quote !== 0) {
      problems.push({
        message: `unmatched ${quote === DQUOTE ? 'double' : 'single'} quote: HAProxy refuses the line ("unmatched quote")`,
        start: quoteStart,
        end: quoteStart + 1,
        severity: 'error',
      });
    }
    words.push({ value, start, end: i, quoted, env });
  }
  return words;
}

export function parseHaproxy(file: string, text: string): ParsedHaproxy {
  const problems: HaproxyProblem[] = [];
  const sections: HaproxySection[] = [];
  if (looksBinary(text)) {
    problems.push({ message: 'This file looks binary, not like an HAProxy config; it was not inspected.', start: 0, end: 0, severity: 'warning' });
    return { file, sections, problems, binary: true };
  }
  let current: HaproxySection | undefined;
  let outOfSection = 0;
  const n = text.length;
  let pos = 0;
  // HAProxy 2.6 does not skip a BOM: it becomes part of the first keyword ("unknown keyword '\ufeffglobal'
  // out of section"). Reported once; parsing goes on past it so the rest still gets findings.
  if (text.charCodeAt(0) === 0xfeff) {
    pos = 1;
    problems.push({
      message: 'the file starts with a UTF-8 byte order mark (BOM): HAProxy reads it as part of the first keyword and refuses the config ("unknown keyword … out of section"); save the file as UTF-8 without BOM',
      start: 0,
      end: 1,
      severity: 'error',
    });
  }
  let lineNo = 0;
  while (pos <= n) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = n;
    if (eol - pos > MAX_LINE_CHARS) {
      problems.push({ message: `line ${lineNo + 1} is longer than ${MAX_LINE_CHARS} characters; it was not inspected`, start: pos, end: pos, severity: 'error' });
    } else {
      const words = splitLine(text, pos, eol, problems);
      if (words.length > 0) {
        const line: HaproxyLine = { words, keyword: words[0].value, line: lineNo, start: words[0].start, end: words[words.length - 1].end };
        if (SECTION_KEYWORDS.has(line.keyword) && !words[0].quoted) {
          current = openSection(line, problems);
          sections.push(current);
        } else if (current) {
          current.lines.push(line);
        } else if (!line.keyword.startsWith('.')) {
          // `.if`/`.endif`/`.notice` … are read anywhere; everything else needs a section.
          if (outOfSection++ < 20) {
            problems.push({ message: `'${line.keyword}' appears before any section (global, defaults, frontend, backend, listen …): HAProxy refuses the config ("unknown keyword '${line.keyword}' out of section")`, start: line.start, end: words[0].end, severity: 'error' });
          }
        }
      }
    }
    if (eol === n) break;
    pos = eol + 1;
    lineNo++;
  }
  return { file, sections, problems };
}

function openSection(header: HaproxyLine, problems: HaproxyProblem[]): HaproxySection {
  const [kw, ...rest] = header.words;
  const section: HaproxySection = { kind: kw.value, header, lines: [] };
  let args = rest;
  if (args.length && args[0].value !== 'from') {
    section.name = args[0].value;
    args = args.slice(1);
  }
  if (args.length >= 2 && args[0].value === 'from') section.from = args[1].value;
  else if (args.length === 1 && args[0].value === 'from') {
    problems.push({ message: `'${kw.value} … from' needs the name of a defaults section after 'from'`, start: args[0].start, end: args[0].end, severity: 'error' });
  }
  if (!section.name && !UNNAMED_OK.has(section.kind)) {
    problems.push({ message: `a '${section.kind}' section needs a name: HAProxy refuses the config`, start: kw.start, end: kw.end, severity: 'error' });
  }
  return section;
}
