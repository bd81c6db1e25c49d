// The HAProxy rule API, shaped like the nginx one: a rule is data plus one `check`, called once per
// file. The context gives the parsed config, `report`, and edit builders (fixes are plain text edits).
import type { CauseId, Finding, Fix, Related, Severity, TextEdit } from '../../finding';
import { HaproxyConfig } from './config';
import { HaproxyLine, HaproxySection } from './parser';

export interface HaproxyRule {
  id: string;
  cause: CauseId;
  severity: Severity;
  /** One line: what is wrong, as shown in rule lists. */
  title: string;
  /** Keywords or section kinds this rule looks at; the engine skips the rule when none occur in the file. */
  appliesTo: string[];
  check(ctx: HaproxyRuleContext): void;
}

export interface HaproxyReportOptions {
  /** Defaults to the whole line (all its words). */
  start?: number;
  end?: number;
  severity?: Severity;
  related?: Array<{ line: HaproxyLine; message: string }>;
  fixes?: Fix[];
}

export class HaproxyRuleContext {
  readonly findings: Finding[] = [];
  rule!: HaproxyRule;

  constructor(readonly config: HaproxyConfig) {}

  get file(): string {
    return this.config.file;
  }

  report(line: HaproxyLine, message: string, opts: HaproxyReportOptions = {}): void {
    const lines = this.config.lines;
    const related: Related[] = (opts.related ?? []).map((r) => ({ file: this.file, range: lines.range(r.line.start, r.line.end), message: r.message }));
    this.findings.push({
      ruleId: this.rule.id,
      cause: this.rule.cause,
      severity: opts.severity ?? this.rule.severity,
      message,
      file: this.file,
      range: lines.range(opts.start ?? line.start, opts.end ?? line.end),
      related,
      fixes: opts.fixes ?? [],
    });
  }

  /** Reports on a section's header (keyword and name). */
  reportSection(section: HaproxySection, message: string, opts: HaproxyReportOptions = {}): void {
    const h = section.header;
    this.report(h, message, { start: h.words[0].start, end: (h.words[1] ?? h.words[0]).end, ...opts });
  }

  // ---- edit builders ----

  /** Replaces one word of a line (quoted only when the new value needs it). */
  replaceWord(line: HaproxyLine, index: number, value: string): TextEdit {
    const w = line.words[index];
    return { file: this.file, range: this.config.lines.range(w.start, w.end), newText: quoteIfNeeded(value) };
  }

  /** Appends words at the end of a line, after its last word (a trailing comment stays after them). */
  appendWords(line: HaproxyLine, words: string[]): TextEdit {
    const at = this.config.lines.positionAt(line.end);
    return { file: this.file, range: { start: at, end: at }, newText: ' ' + words.map(quoteIfNeeded).join(' ') };
  }

  /**
   * A new line at the start of a section's body (just after its header), indented like the section's
   * first line, or by four spaces when it has none.
   */
  insertInSection(section: HaproxySection, text: string): TextEdit {
    const lines = this.config.lines;
    const headerLine = section.header.line;
    const first = section.lines[0];
    const indent = first ? lines.indentOf(first.line) : lines.indentOf(headerLine) + '    ';
    const at = { line: headerLine, character: lines.lineText(headerLine).length };
    return { file: this.file, range: { start: at, end: at }, newText: lines.eol + indent + text };
  }
}

/** A word as HAProxy reads it back: plain when it can be, double-quoted (with escapes) otherwise. */
export function quoteIfNeeded(value: string): string {
  if (value === '') return '""';
  if (/[\s#"'\\$]/.test(value)) return '"' + value.replace(/(["\\$])/g, '\\$1') + '"';
  return value;
}
