// nginx config parser with exact source offsets. Mirrors ngx_conf_read_token: words, quoted strings with
// backslash escapes, '#' comments only at a token start, '${var}' inside words, and '*_by_lua_block'
// bodies kept opaque (Lua, not nginx syntax). Errors are collected; parsing always finishes.

export interface NginxArg {
  /** Unquoted, unescaped value as nginx sees it. */
  value: string;
  quoted: boolean;
  start: number;
  end: number;
}

export interface NginxDirective {
  name: string;
  args: NginxArg[];
  /** The file this directive is written in. */
  file: string;
  start: number;
  nameEnd: number;
  /** Offset just after the terminating ';' or the closing '}'. */
  end: number;
  block?: NginxDirective[];
  blockStart?: number;
  /** Offset of the closing '}', or the text length when the block is never closed. */
  blockEnd?: number;
  /** Lua and similar bodies that are not nginx syntax. */
  opaque?: boolean;
}

export interface ParseProblem {
  message: string;
  start: number;
  end: number;
  severity: 'error' | 'warning' | 'info';
}

export interface ParsedNginx {
  file: string;
  directives: NginxDirective[];
  problems: ParseProblem[];
  /** Set when the file is not text; nothing was parsed. */
  binary?: boolean;
}

const enum Ch {
  Tab = 9,
  LF = 10,
  CR = 13,
  Space = 32,
  DQuote = 34,
  Hash = 35,
  Dollar = 36,
  SQuote = 39,
  Semi = 59,
  LBrace = 123,
  RBrace = 125,
  Backslash = 92,
}

function isSpace(c: number): boolean {
  return c === Ch.Space || c === Ch.Tab || c === Ch.LF || c === Ch.CR;
}

/** A NUL byte in the first 64 KiB, or mostly control characters, marks a file as binary. */
export function looksBinary(text: string): boolean {
  const n = Math.min(text.length, 65536);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return true;
    if (c < 32 && c !== Ch.Tab && c !== Ch.LF && c !== Ch.CR && c !== 12) control++;
    else if (c === 0xfffd) control++;
  }
  return n > 0 && control / n > 0.1;
}

function unescape(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      const n = raw[i + 1];
      if (n === '"' || n === "'" || n === '\\') out += n;
      else if (n === 't') out += '\t';
      else if (n === 'r') out += '\r';
      else if (n === 'n') out += '\n';
      else out += c + n;
      i++;
    } else out += c;
  }
  return out;
}

export function isOpaqueBlock(name: string): boolean {
  return name.endsWith('_by_lua_block') || name === 'lua_block';
}

/** Skips a Lua body starting just after '{'; returns the offset of the matching '}' or -1. */
function skipLua(text: string, pos: number): number {
  let depth = 1;
  const n = text.length;
  let i = pos;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === Ch.DQuote || c === Ch.SQuote) {
      i++;
      while (i < n && text.charCodeAt(i) !== c) {
        if (text.charCodeAt(i) === Ch.Backslash) i++;
        else if (text.charCodeAt(i) === Ch.LF) break;
        i++;
      }
      i++;
      continue;
    }
    if (c === 45 /* - */ && text.charCodeAt(i + 1) === 45) {
      const long = /^\[(=*)\[/.exec(text.slice(i + 2, i + 2 + 64));
      if (long) {
        const close = text.indexOf(']' + long[1] + ']', i + 2 + long[0].length);
        i = close === -1 ? n : close + long[0].length;
      } else {
        const eol = text.indexOf('\n', i);
        i = eol === -1 ? n : eol + 1;
      }
      continue;
    }
    if (c === 91 /* [ */) {
      const long = /^\[(=*)\[/.exec(text.slice(i, i + 64));
      if (long) {
        const close = text.indexOf(']' + long[1] + ']', i + long[0].length);
        i = close === -1 ? n : close + long[0].length;
        continue;
      }
    }
    if (c === Ch.LBrace) depth++;
    else if (c === Ch.RBrace && --depth === 0) return i;
    i++;
  }
  return -1;
}

/** Real configs nest a handful of levels; this only stops generated or garbage input from exhausting the stack. */
const MAX_BLOCK_DEPTH = 200;

interface Frame {
  directive?: NginxDirective;
  list: NginxDirective[];
}

export function parseNginx(file: string, text: string): ParsedNginx {
  const problems: ParseProblem[] = [];
  const top: NginxDirective[] = [];
  if (looksBinary(text)) {
    problems.push({ message: 'This file looks binary, not like an nginx config; it was not inspected.', start: 0, end: 0, severity: 'warning' });
    return { file, directives: top, problems, binary: true };
  }
  const stack: Frame[] = [{ list: top }];
  let tooDeep = false;
  let words: NginxArg[] = [];
  const n = text.length;
  let i = 0;
  // nginx does not skip a BOM: it becomes part of the first directive's name and the config is refused.
  // Reported once; parsing goes on past it so the rest of the file still gets ranges and findings.
  if (text.charCodeAt(0) === 0xfeff) {
    i = 1;
    problems.push({
      message: 'the file starts with a UTF-8 byte order mark (BOM): nginx reads it as part of the first directive name and refuses the config ("unknown directive"); save the file as UTF-8 without BOM',
      start: 0,
      end: 1,
      severity: 'error',
    });
  }

  const finishStatement = (terminator: number, kind: 'semi' | 'block'): NginxDirective | undefined => {
    if (words.length === 0) {
      problems.push({
        message: kind === 'semi' ? "unexpected ';'" : "unexpected '{' without a directive name",
        start: terminator,
        end: terminator + 1,
        severity: 'error',
      });
      return undefined;
    }
    const [nameWord, ...args] = words;
    const d: NginxDirective = {
      name: nameWord.value,
      args,
      file,
      start: nameWord.start,
      nameEnd: nameWord.end,
      end: terminator + 1,
    };
    words = [];
    stack[stack.length - 1].list.push(d);
    return d;
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === Ch.Hash) {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
      continue;
    }
    if (c === Ch.Semi) {
      finishStatement(i, 'semi');
      i++;
      continue;
    }
    if (c === Ch.LBrace) {
      const d = finishStatement(i, 'block');
      if (!d) {
        // Still descend so the matching '}' does not close the wrong block.
        stack.push({ list: [] });
        i++;
        continue;
      }
      d.block = [];
      d.blockStart = i;
      if (isOpaqueBlock(d.name)) {
        d.opaque = true;
        const close = skipLua(text, i + 1);
        if (close === -1) {
          problems.push({ message: `unexpected end of file: the '${d.name}' block is never closed`, start: i, end: i + 1, severity: 'error' });
          d.blockEnd = n;
          d.end = n;
          i = n;
        } else {
          d.blockEnd = close;
          d.end = close + 1;
          i = close + 1;
        }
        continue;
      }
      if (stack.length > MAX_BLOCK_DEPTH) {
        // Keep the braces balanced but drop the contents: every consumer of the tree recurses over blocks.
        if (!tooDeep) {
          tooDeep = true;
          problems.push({ message: `blocks nested deeper than ${MAX_BLOCK_DEPTH} levels; what is inside is not inspected`, start: i, end: i + 1, severity: 'error' });
        }
        stack.push({ directive: d, list: [] });
      } else stack.push({ directive: d, list: d.block });
      i++;
      continue;
    }
    if (c === Ch.RBrace) {
      if (words.length > 0) {
        const last = words[words.length - 1];
        problems.push({ message: `unexpected '}': the '${words[0].value}' directive is missing its ';'`, start: last.end, end: last.end, severity: 'error' });
        words = [];
      }
      if (stack.length === 1) {
        problems.push({ message: "unexpected '}': there is no open block to close", start: i, end: i + 1, severity: 'error' });
      } else {
        const frame = stack.pop()!;
        if (frame.directive) {
          frame.directive.blockEnd = i;
          frame.directive.end = i + 1;
        }
      }
      i++;
      continue;
    }
    if (c === Ch.DQuote || c === Ch.SQuote) {
      const start = i;
      i++;
      let closed = false;
      while (i < n) {
        const q = text.charCodeAt(i);
        if (q === Ch.Backslash) {
          i += 2;
          continue;
        }
        if (q === c) {
          closed = true;
          break;
        }
        i++;
      }
      if (!closed) {
        problems.push({ message: 'unexpected end of file: a quoted string is never closed', start, end: Math.min(n, start + 1), severity: 'error' });
        words.push({ value: unescape(text.slice(start + 1, n)), quoted: true, start, end: n });
        i = n;
        break;
      }
      words.push({ value: unescape(text.slice(start + 1, i)), quoted: true, start, end: i + 1 });
      i++;
      const next = text.charCodeAt(i);
      if (i < n && !isSpace(next) && next !== Ch.Semi && next !== Ch.LBrace && next !== Ch.RBrace && next !== 41 /* ) */) {
        problems.push({ message: `unexpected "${text[i]}" after a quoted string`, start: i, end: i + 1, severity: 'error' });
      }
      continue;
    }
    // A bare word: ends at whitespace, ';' or '{' (but '${' stays in the word), exactly like nginx. A '}'
    // inside a word is part of it (`add_header X a}b;` is valid); only a '}' at a token start closes a block.
    const start = i;
    let variable = false;
    while (i < n) {
      const w = text.charCodeAt(i);
      if (w === Ch.LBrace && variable) {
        i++;
        continue;
      }
      variable = false;
      if (w === Ch.Backslash) {
        i += 2;
        continue;
      }
      if (w === Ch.Dollar) {
        variable = true;
        i++;
        continue;
      }
      if (isSpace(w) || w === Ch.Semi || w === Ch.LBrace) break;
      i++;
    }
    if (i > n) i = n;
    words.push({ value: unescape(text.slice(start, i)), quoted: false, start, end: i });
  }

  if (words.length > 0) {
    const last = words[words.length - 1];
    problems.push({
      message: `unexpected end of file: the '${words[0].value}' directive is missing its ';'`,
      start: last.end,
      end: last.end,
      severity: 'error',
    });
  }
  for (let s = stack.length - 1; s >= 1; s--) {
    const d = stack[s].directive;
    if (d) {
      d.blockEnd = n;
      d.end = n;
      problems.push({
        message: `unexpected end of file: the '${d.name}' block opened here is never closed (expecting '}')`,
        start: d.blockStart ?? d.start,
        end: (d.blockStart ?? d.start) + 1,
        severity: 'error',
      });
    }
  }
  return { file, directives: top, problems };
}

/** Every directive in a parsed tree (not following includes), depth first. */
export function* allDirectives(list: NginxDirective[]): Generator<NginxDirective> {
  for (const d of list) {
    yield d;
    if (d.block) yield* allDirectives(d.block);
  }
}
