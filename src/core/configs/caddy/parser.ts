// Caddyfile parser with exact source offsets. The lexer mirrors Caddy's (caddyconfig/caddyfile/lexer.go):
// tokens split on whitespace, "double" quotes (only \" is an escape inside) and `backticks` (no escapes)
// open only at the start of a token, `#` starts a comment only at the start of a token, a backslash before
// a line break joins the lines, heredocs `<<MARKER` (Caddy 2.7+). The parser mirrors parse.go: a global
// options block `{` first, site blocks `keys… {`, snippets `(name) {`, directives one per line with an
// optional block opened by a `{` that ends the line. Problems are collected; parsing always finishes.
import { looksBinary } from '../nginx/parser';

export interface CaddyToken {
  /** The value as Caddy sees it (quotes removed, `{$ENV}` left as written: we cannot know the environment). */
  text: string;
  start: number;
  end: number;
  /** Logical line (Caddy's count: an escaped line break does not start a new one) where the token starts / ends. */
  line: number;
  endLine: number;
  quoted: boolean;
  /** Contains a `{$VAR}` environment placeholder, substituted by Caddy before parsing. */
  env: boolean;
}

export interface CaddyDirective {
  name: string;
  /** Every token of the directive's line(s): name, arguments, and the `{` when it opens a block. */
  tokens: CaddyToken[];
  /** The arguments after the name (without the block's `{`). */
  args: CaddyToken[];
  block?: CaddyBlock;
  /** Offset of the name and just after the last argument (or the closing `}` of the block). */
  start: number;
  end: number;
}

export interface CaddyBlock {
  /** The `{` token, absent for the body of an unbraced single site. */
  open?: CaddyToken;
  close?: CaddyToken;
  directives: CaddyDirective[];
}

export type CaddyTopKind = 'global' | 'site' | 'snippet' | 'named-route' | 'import';

export interface CaddyTopBlock {
  kind: CaddyTopKind;
  /** Site addresses, or the snippet's `(name)`; for a top-level import, `import` and its arguments. */
  keys: CaddyToken[];
  /** The snippet's or named route's name, without parentheses. */
  name?: string;
  body: CaddyBlock;
  start: number;
  end: number;
}

export interface CaddyProblem {
  message: string;
  start: number;
  end: number;
  severity: 'error' | 'warning' | 'info';
}

export interface ParsedCaddy {
  file: string;
  blocks: CaddyTopBlock[];
  problems: CaddyProblem[];
  /** Set when the file is not text; nothing was parsed. */
  binary?: boolean;
}

/** Tokens past this many are not parsed (a generated blob, not a config); the file is reported instead. */
export const MAX_TOKENS = 2_000_000;
/** Blocks nested deeper than this are not followed (no real config comes close; the parser recurses). */
export const MAX_DEPTH = 200;

const LF = 10;
const CR = 13;
const DQUOTE = 34;
const HASH = 35;
const BACKTICK = 96;
const BACKSLASH = 92;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === LF || c === CR || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff;
}

/** Splits a Caddyfile into tokens exactly as Caddy's lexer does, with offsets and logical lines. */
export function lexCaddyfile(text: string, problems: CaddyProblem[]): CaddyToken[] {
  const tokens: CaddyToken[] = [];
  const n = text.length;
  let i = 0;
  let line = 0;
  let skipped = 0; // escaped line breaks waiting to be counted with the next real one
  while (i < n) {
    if (tokens.length >= MAX_TOKENS) {
      problems.push({ message: `more than ${MAX_TOKENS} tokens: the rest of the file was not inspected`, start: i, end: i, severity: 'error' });
      break;
    }
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (c === LF) {
        line += 1 + skipped;
        skipped = 0;
      }
      i++;
      continue;
    }
    if (c === HASH) {
      // a comment: to the end of the line
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? n : eol;
      continue;
    }
    if (c === BACKSLASH && text.charCodeAt(i + 1) === LF) {
      skipped++;
      i += 2;
      continue;
    }
    if (c === BACKSLASH && text.charCodeAt(i + 1) === CR && text.charCodeAt(i + 2) === LF) {
      skipped++;
      i += 3;
      continue;
    }
    const start = i;
    const startLine = line;
    if (c === DQUOTE || c === BACKTICK) {
      let value = '';
      i++;
      let closed = false;
      while (i < n) {
        const w = text.charCodeAt(i);
        if (c === DQUOTE && w === BACKSLASH && text.charCodeAt(i + 1) === DQUOTE) {
          value += '"';
          i += 2;
          continue;
        }
        if (w === c) {
          closed = true;
          i++;
          break;
        }
        if (w === LF) line += 1 + skipped, (skipped = 0);
        if (w !== CR) value += text[i];
        i++;
      }
      if (!closed) {
        problems.push({
          message: `unterminated ${c === DQUOTE ? 'double quote' : 'backtick'}: everything to the end of the file is one token, and Caddy refuses the config`,
          start,
          end: start + 1,
          severity: 'error',
        });
      }
      tokens.push({ text: value, start, end: i, line: startLine, endLine: line, quoted: true, env: value.includes('{$') });
      continue;
    }
    // Heredoc (Caddy 2.7+): <<MARKER then a line break; the text runs to a line that starts with MARKER.
    if (c === 60 && text.charCodeAt(i + 1) === 60) {
      const m = /^<<([A-Za-z0-9_-]+)\r?\n/.exec(text.slice(i, i + 260));
      if (m) {
        const marker = m[1];
        let p = i + m[0].length;
        line++;
        let value: string | undefined;
        let lines: string[] = [];
        while (p <= n) {
          let eol = text.indexOf('\n', p);
          if (eol === -1) eol = n;
          const l = text.slice(p, eol).replace(/\r$/, '');
          // The closing marker starts its line (after indentation); tokens may follow it (`HTML 200`).
          const close = /^[ \t]*/.exec(l)![0].length;
          if (l.startsWith(marker, close) && (l.length === close + marker.length || /[ \t]/.test(l[close + marker.length]))) {
            const indent = l.slice(0, close);
            value = lines.map((x) => (x.startsWith(indent) ? x.slice(indent.length) : x)).join('\n');
            p = p + close + marker.length;
            break;
          }
          lines.push(l);
          if (eol === n) {
            p = n;
            break;
          }
          p = eol + 1;
          line++;
        }
        if (value === undefined) {
          problems.push({ message: `heredoc <<${marker} is never closed (no line with just ${marker}): Caddy refuses the config`, start, end: start + m[0].trimEnd().length, severity: 'error' });
          value = lines.join('\n');
        }
        lines = [];
        tokens.push({ text: value, start, end: p, line: startLine, endLine: line, quoted: true, env: value.includes('{$') });
        i = p;
        continue;
      }
    }
    // A plain token: to the next whitespace. A backslash keeps the next character (and itself) in the token.
    let value = '';
    while (i < n) {
      const w = text.charCodeAt(i);
      if (isSpace(w)) break;
      if (w === BACKSLASH && i + 1 < n && !isSpace(text.charCodeAt(i + 1))) {
        value += text[i] + text[i + 1];
        i += 2;
        continue;
      }
      if (w === BACKSLASH && text.charCodeAt(i + 1) === LF) break; // a line continuation ends the token
      value += text[i];
      i++;
    }
    tokens.push({ text: value, start, end: i, line: startLine, endLine: line, quoted: false, env: value.includes('{$') });
  }
  return tokens;
}

function isOpen(t: CaddyToken | undefined): boolean {
  return !!t && !t.quoted && t.text === '{';
}

function isClose(t: CaddyToken | undefined): boolean {
  return !!t && !t.quoted && t.text === '}';
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(
    private readonly toks: CaddyToken[],
    private readonly problems: CaddyProblem[],
  ) {}

  /** The tokens of the logical line starting at the cursor. */
  private lineAt(from: number): number {
    let j = from + 1;
    while (j < this.toks.length && this.toks[j].line === this.toks[j - 1].endLine) j++;
    return j;
  }

  parse(): CaddyTopBlock[] {
    const blocks: CaddyTopBlock[] = [];
    const t = this.toks;
    while (this.pos < t.length) {
      const first = t[this.pos];
      // The global options block: a `{` alone as the very first token of the file.
      if (blocks.length === 0 && isOpen(first)) {
        const end = this.lineAt(this.pos);
        if (end - this.pos > 1) this.problem(t[this.pos + 1], "Unexpected next token after '{' on same line: a block's content starts on the next line");
        this.pos++;
        const body = this.block(first);
        blocks.push({ kind: 'global', keys: [], body, start: first.start, end: (body.close ?? last(body) ?? first).end });
        continue;
      }
      if (isClose(first)) {
        this.problem(first, "unexpected '}': there is no open block to close (an extra brace); Caddy refuses the config");
        this.pos++;
        continue;
      }
      if (!first.quoted && first.text === 'import') {
        const end = this.lineAt(this.pos);
        const tokens = t.slice(this.pos, end);
        this.pos = end;
        const d: CaddyDirective = { name: 'import', tokens, args: tokens.slice(1), start: first.start, end: tokens[tokens.length - 1].end };
        blocks.push({ kind: 'import', keys: tokens, body: { directives: [d] }, start: d.start, end: d.end });
        continue;
      }
      // Keys: one line, continued onto the next while a line ends with a comma.
      const keys: CaddyToken[] = [];
      let end = this.lineAt(this.pos);
      for (;;) {
        keys.push(...t.slice(this.pos, end));
        this.pos = end;
        const lastKey = keys[keys.length - 1];
        if (lastKey.text.endsWith(',') && !isOpen(lastKey) && this.pos < t.length && !isOpen(t[this.pos])) {
          end = this.lineAt(this.pos);
          continue;
        }
        break;
      }
      const open = isOpen(keys[keys.length - 1]) ? keys.pop() : undefined;
      // `:8080{` is one token: Caddy says so rather than guessing.
      for (const k of keys) {
        if (!k.quoted && k.text.length > 1 && k.text.endsWith('{')) this.problem(k, `Site addresses cannot end with a curly brace: '${k.text}' - put a space between the token and the brace`);
        if (isOpen(k)) this.problem(k, "Unexpected '{' among the site addresses: the block's brace must end the line");
      }
      const kind: CaddyTopKind = /^\(.+\)$/.test(keys[0]?.text ?? '') ? 'snippet' : /^&\(.+\)$/.test(keys[0]?.text ?? '') ? 'named-route' : 'site';
      const name = kind === 'snippet' ? keys[0].text.slice(1, -1) : kind === 'named-route' ? keys[0].text.slice(2, -1) : undefined;
      let body: CaddyBlock;
      if (open) {
        body = this.block(open);
      } else if (blocks.every((b) => b.kind === 'global' || b.kind === 'import') && kind === 'site') {
        // A single site may leave out its braces: the rest of the file is its body.
        body = { directives: [] };
        while (this.pos < t.length) {
          if (isClose(t[this.pos])) {
            this.problem(t[this.pos], "unexpected '}': this site has no braces, so there is no block to close");
            this.pos++;
            continue;
          }
          body.directives.push(this.directive());
        }
      } else {
        this.problem(keys[0], `'${keys.map((k) => k.text).join(' ')}' is not followed by '{': every site block but a lone first one needs braces (Caddy refuses the config)`);
        body = { directives: [] };
      }
      const endTok = body.close ?? last(body) ?? keys[keys.length - 1] ?? first;
      blocks.push({ kind, keys, name, body, start: first.start, end: endTok.end });
    }
    return blocks;
  }

  /** The body of a block whose `{` was just consumed, up to and including its `}`. */
  private block(open: CaddyToken): CaddyBlock {
    const b: CaddyBlock = { open, directives: [] };
    const t = this.toks;
    if (this.depth >= MAX_DEPTH) {
      this.problems.push({ message: `blocks nested deeper than ${MAX_DEPTH} levels: the rest of the file was not inspected`, start: open.start, end: open.end, severity: 'error' });
      this.pos = t.length;
      return b;
    }
    this.depth++;
    try {
      return this.blockBody(b, open);
    } finally {
      this.depth--;
    }
  }

  private blockBody(b: CaddyBlock, open: CaddyToken): CaddyBlock {
    const t = this.toks;
    while (this.pos < t.length) {
      if (isClose(t[this.pos])) {
        b.close = t[this.pos];
        this.pos++;
        return b;
      }
      b.directives.push(this.directive());
    }
    this.problems.push({ message: "this '{' is never closed: Caddy refuses the config (\"Unexpected EOF\")", start: open.start, end: open.end, severity: 'error' });
    return b;
  }

  /** One directive: the tokens of its line, and its block when the line ends with `{`. */
  private directive(): CaddyDirective {
    const t = this.toks;
    const end = this.lineAt(this.pos);
    let tokens = t.slice(this.pos, end);
    this.pos = end;
    // A `}` ending the line closes the enclosing block (`lb_try_duration 5s }` is allowed).
    const closeAt = tokens.findIndex((x, k) => k > 0 && isClose(x));
    if (closeAt > 0) {
      this.pos -= tokens.length - closeAt;
      tokens = tokens.slice(0, closeAt);
    }
    if (isOpen(tokens[0])) this.problem(tokens[0], "unexpected '{' at the start of a line: a block opens at the end of its directive's line (Caddy refuses the config)");
    const openAt = tokens.findIndex((x) => isOpen(x));
    let block: CaddyBlock | undefined;
    if (openAt >= 0) {
      if (openAt < tokens.length - 1) {
        this.problem(tokens[openAt + 1], "Unexpected next token after '{' on same line: a block's content starts on the next line (Caddy refuses the config)");
      }
      const open = tokens[openAt];
      tokens = tokens.slice(0, openAt + 1);
      block = this.block(open);
    }
    const args = tokens.slice(1).filter((x) => x !== block?.open);
    const lastTok = block?.close ?? args[args.length - 1] ?? tokens[0];
    return { name: tokens[0].text, tokens, args, block, start: tokens[0].start, end: block ? (block.close ?? last(block) ?? lastTok).end : lastTok.end };
  }

  private problem(tok: CaddyToken, message: string): void {
    this.problems.push({ message, start: tok.start, end: tok.end, severity: 'error' });
  }
}

function last(b: CaddyBlock): CaddyToken | undefined {
  const d = b.directives[b.directives.length - 1];
  if (!d) return b.open;
  return d.block ? (d.block.close ?? last(d.block)) : d.tokens[d.tokens.length - 1];
}

export function parseCaddyfile(file: string, text: string): ParsedCaddy {
  const problems: CaddyProblem[] = [];
  if (looksBinary(text)) {
    problems.push({ message: 'This file looks binary, not like a Caddyfile; it was not inspected.', start: 0, end: 0, severity: 'warning' });
    return { file, blocks: [], problems, binary: true };
  }
  const tokens = lexCaddyfile(text, problems);
  const blocks = new Parser(tokens, problems).parse();
  return { file, blocks, problems };
}

/** Every directive under a block, depth first, with the chain of directives it sits in (outermost first). */
export function* walkDirectives(block: CaddyBlock, parents: CaddyDirective[] = []): Generator<{ directive: CaddyDirective; parents: CaddyDirective[] }> {
  for (const d of block.directives) {
    yield { directive: d, parents };
    if (d.block) yield* walkDirectives(d.block, [...parents, d]);
  }
}

/**
 * A duration in milliseconds, Caddy's format (caddy.ParseDuration: Go's time.ParseDuration plus `d` for
 * days: `500ms`, `30s`, `1m30s`, `1.5h`; a bare number other than 0 has no unit and is refused);
 * undefined when it is not one.
 */
export function parseDuration(value: string): number | undefined {
  if (/^[-+]?0$/.test(value)) return 0;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };
  const m = /^([-+]?)((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d))+)$/.exec(value);
  if (!m) return undefined;
  let total = 0;
  for (const part of m[2].matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/g)) total += Number(part[1]) * units[part[2]];
  return m[1] === '-' ? -total : total;
}
