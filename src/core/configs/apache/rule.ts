// The Apache rule API, shaped like the nginx and HAProxy ones: a rule is data plus one `check`, called once
// per root file (its includes expanded). The context gives the config, `report`, and edit builders; fixes
// are plain text edits in whichever file the directive was written.
import type { CauseId, Finding, Fix, Related, Severity, TextEdit } from '../../finding';
import { ApacheConfig } from './config';
import { ApacheNode } from './tree';

export interface ApacheRule {
  id: string;
  cause: CauseId;
  severity: Severity;
  /** One line: what is wrong, as shown in rule lists. */
  title: string;
  /** Directive keys (lower case) this rule looks at; the engine skips the rule when none occur. */
  appliesTo: string[];
  check(ctx: ApacheRuleContext): void;
}

export interface ApacheReportOptions {
  /** Offsets in the node's file; default: the whole directive. */
  start?: number;
  end?: number;
  severity?: Severity;
  related?: Array<{ node: ApacheNode; message: string }>;
  fixes?: Fix[];
}

export class ApacheRuleContext {
  readonly findings: Finding[] = [];
  rule!: ApacheRule;

  constructor(readonly config: ApacheConfig) {}

  report(node: ApacheNode, message: string, opts: ApacheReportOptions = {}): void {
    const lines = this.config.lines(node.d.file);
    const related: Related[] = (opts.related ?? []).map((r) => ({ file: r.node.d.file, range: this.config.lines(r.node.d.file).range(r.node.d.start, r.node.d.end), message: r.message }));
    this.findings.push({
      ruleId: this.rule.id,
      cause: this.rule.cause,
      severity: opts.severity ?? this.rule.severity,
      message,
      file: node.d.file,
      range: lines.range(opts.start ?? node.d.start, opts.end ?? node.d.end),
      related,
      fixes: opts.fixes ?? [],
    });
  }

  // ---- edit builders ----

  /** Replaces one argument (quoted only when the new value needs it). */
  replaceArg(node: ApacheNode, index: number, value: string): TextEdit {
    const a = node.d.args[index];
    return { file: node.d.file, range: this.config.lines(node.d.file).range(a.start, a.end), newText: quoteIfNeeded(value, a.quoted) };
  }

  /** A new line right after a directive (after its continuation lines), indented like it. */
  insertAfter(node: ApacheNode, text: string): TextEdit {
    const lines = this.config.lines(node.d.file);
    const at = { line: node.d.lastLine, character: lines.lineText(node.d.lastLine).length };
    return { file: node.d.file, range: { start: at, end: at }, newText: lines.eol + lines.indentOf(node.d.line) + text };
  }

  /** A new line just before a directive (or container), indented like it. */
  insertBefore(node: ApacheNode, text: string): TextEdit {
    const lines = this.config.lines(node.d.file);
    const at = { line: node.d.line, character: 0 };
    return { file: node.d.file, range: { start: at, end: at }, newText: lines.indentOf(node.d.line) + text + lines.eol };
  }

  /**
   * Moves `node`'s whole lines (continuations included) to just before `before`, in the same file: two edits,
   * nothing retyped. Undefined when they sit in different files.
   */
  moveBefore(node: ApacheNode, before: ApacheNode): TextEdit[] | undefined {
    if (node.d.file !== before.d.file || node.d.line <= before.d.line) return undefined;
    const lines = this.config.lines(node.d.file);
    const from = { line: node.d.line, character: 0 };
    const last = node.d.lastLine;
    const to = last + 1 < lines.lineCount ? { line: last + 1, character: 0 } : { line: last, character: lines.lineText(last).length };
    let block = lines.text.slice(lines.lineStart(node.d.line), lines.offsetAt(to));
    if (!block.endsWith('\n')) block += lines.eol;
    const at = { line: before.d.line, character: 0 };
    return [
      { file: node.d.file, range: { start: at, end: at }, newText: block },
      { file: node.d.file, range: { start: from, end: to }, newText: '' },
    ];
  }
}

/** An argument as httpd reads it back: as written when it can be, double-quoted otherwise. */
export function quoteIfNeeded(value: string, wasQuoted = false): string {
  if (!wasQuoted && value !== '' && !/[\s"']/.test(value)) return value;
  return '"' + value.replace(/"/g, '\\"') + '"';
}
