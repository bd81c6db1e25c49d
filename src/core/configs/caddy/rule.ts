// The Caddyfile rule API, shaped like the nginx and HAProxy ones: a rule is data plus one `check`,
// called once per file. The context gives the parsed config, `report`, and edit builders (plain text edits).
import type { CauseId, Finding, Fix, Related, Severity, TextEdit } from '../../finding';
import { CaddyConfig } from './config';
import { CaddyDirective, CaddyToken } from './parser';

export interface CaddyRule {
  id: string;
  cause: CauseId;
  severity: Severity;
  /** One line: what is wrong, as shown in rule lists. */
  title: string;
  /** Directive names this rule looks at; the engine skips the rule when none occur in the file. */
  appliesTo: string[];
  check(ctx: CaddyRuleContext): void;
}

export interface CaddyReportOptions {
  /** Defaults to the directive's line (name and arguments). */
  at?: CaddyToken;
  severity?: Severity;
  related?: Array<{ at: CaddyToken | CaddyDirective; message: string }>;
  fixes?: Fix[];
}

export class CaddyRuleContext {
  readonly findings: Finding[] = [];
  rule!: CaddyRule;

  constructor(readonly config: CaddyConfig) {}

  get file(): string {
    return this.config.file;
  }

  report(directive: CaddyDirective, message: string, opts: CaddyReportOptions = {}): void {
    const lines = this.config.lines;
    const lineEnd = (d: CaddyDirective) => (d.args.length ? d.args[d.args.length - 1].end : d.tokens[0].end);
    const related: Related[] = (opts.related ?? []).map((r) => {
      const range = 'tokens' in r.at ? lines.range(r.at.start, lineEnd(r.at)) : lines.range(r.at.start, r.at.end);
      return { file: this.file, range, message: r.message };
    });
    this.findings.push({
      ruleId: this.rule.id,
      cause: this.rule.cause,
      severity: opts.severity ?? this.rule.severity,
      message,
      file: this.file,
      range: opts.at ? lines.range(opts.at.start, opts.at.end) : lines.range(directive.start, lineEnd(directive)),
      related,
      fixes: opts.fixes ?? [],
    });
  }

  // ---- edit builders ----

  /** Replaces one token (quoted only when the new value needs it). */
  replaceToken(token: CaddyToken, value: string): TextEdit {
    return { file: this.file, range: this.config.lines.range(token.start, token.end), newText: quoteIfNeeded(value) };
  }

  /**
   * A new sub-directive at the start of `directive`'s block, indented like the block's first line (or one
   * level deeper than the directive). Without a block, one is opened at the end of the directive's line;
   * a comment after it stays after the closing brace. `children` give the new line a block of its own.
   */
  insertInBlock(directive: CaddyDirective, line: string, children?: string[]): TextEdit {
    const lines = this.config.lines;
    const eol = lines.eol;
    const indent = lines.indentOf(lines.positionAt(directive.start).line);
    const block = directive.block;
    let inner = indent + unit(indent);
    let at;
    if (block?.open) {
      const open = lines.positionAt(block.open.end);
      const first = block.directives[0];
      const firstPos = first ? lines.positionAt(first.start) : undefined;
      if (firstPos && firstPos.line > open.line) inner = lines.indentOf(firstPos.line);
      at = { line: open.line, character: lines.lineText(open.line).length };
    } else {
      const last = directive.args.length ? directive.args[directive.args.length - 1] : directive.tokens[0];
      at = lines.positionAt(last.end);
    }
    let text = eol + inner + line;
    if (children) text += ' {' + children.map((c) => eol + inner + unit(inner) + c).join('') + eol + inner + '}';
    if (!block?.open) text = ' {' + text + eol + indent + '}';
    return { file: this.file, range: { start: at, end: at }, newText: text };
  }
}

/** One more level of the file's own indentation: a tab when it uses tabs (Caddy's formatter does). */
function unit(indent: string): string {
  return indent.includes(' ') && !indent.includes('\t') ? '    ' : '\t';
}

/** A token as Caddy reads it back: plain when it can be, double-quoted otherwise. */
export function quoteIfNeeded(value: string): string {
  if (value === '') return '""';
  if (/[\s"#{}]/.test(value) && !/^\{[^\s{}]+\}$/.test(value)) return '"' + value.replace(/"/g, '\\"') + '"';
  return value;
}
