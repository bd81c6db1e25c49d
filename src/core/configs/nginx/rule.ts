// The nginx rule API: a rule is data plus one `check`, called once per config tree. The context gives
// effective values (inheritance and documented defaults), edit builders, and `report`.
import type { CauseId, Finding, Fix, Related, Severity, TextEdit } from '../../finding';
import { ConfNode, ConfTree, NginxContext, SourceFile, contextOf, siblingsOf } from './tree';
import { NginxVersion } from './version';
import { directiveInfo, documentedDefault } from './directives';

export interface NginxRule {
  id: string;
  cause: CauseId;
  severity: Severity;
  /** One line: what is wrong, as shown in rule lists. */
  title: string;
  /** The directives this rule looks at; the engine skips the rule when none occur in the tree. */
  appliesTo: string[];
  check(ctx: RuleContext): void;
}

export interface ReportOptions {
  /** Defaults to the directive's name and arguments. */
  start?: number;
  end?: number;
  severity?: Severity;
  related?: Array<{ node: ConfNode; message: string }>;
  fixes?: Fix[];
}

export interface Effective {
  /** The nodes that set it (several for list directives), empty when the default applies. */
  nodes: ConfNode[];
  /** Arguments of the first node, or the default split on spaces. */
  args: string[];
  source: 'here' | 'inherited' | 'default' | 'unset';
  defaultText?: string;
}

export class RuleContext {
  readonly findings: Finding[] = [];
  rule!: NginxRule;

  constructor(
    readonly tree: ConfTree,
    readonly version: NginxVersion | undefined,
  ) {}

  /** All nodes of these directive names in the expanded tree. */
  nodes(...names: string[]): ConfNode[] {
    if (names.length === 1) return this.tree.byName.get(names[0]) ?? [];
    const out: ConfNode[] = [];
    for (const n of names) out.push(...(this.tree.byName.get(n) ?? []));
    return out;
  }

  source(node: ConfNode): SourceFile {
    return this.tree.files.get(node.d.file)!;
  }

  contextOf(block: ConfNode | undefined): NginxContext {
    return contextOf(block, this.tree.rootContext);
  }

  /**
   * The value of `name` that applies inside `block` (undefined: the root file's top level): the nearest
   * enclosing level that sets it, else the documented default.
   */
  effective(block: ConfNode | undefined, name: string): Effective {
    const info = directiveInfo(name);
    let scope: ConfNode | undefined = block;
    let first = true;
    // keepalive_timeout & co. inside upstream {} are the upstream's own directives: set there or default.
    const upstreamOwn = info?.upstreamDefault !== undefined && block?.d.name === 'upstream';
    // Set nowhere in the tree (most directives, most of the time): no level to walk, straight to the default.
    const setSomewhere = this.tree.byName.has(name);
    while (setSomewhere) {
      const list = scope ? scope.children : this.tree.nodes;
      const found = list ? named(list, name) : NO_NODES;
      if (found.length > 0) {
        return { nodes: info?.list ? found.slice() : [found[found.length - 1]], args: found[found.length - 1].d.args.map((a) => a.value), source: first ? 'here' : 'inherited' };
      }
      if (!scope || info?.notInherited || upstreamOwn) break;
      scope = scope.parent;
      first = false;
    }
    const def = documentedDefault(name, this.version, upstreamOwn);
    return def === undefined ? { nodes: [], args: [], source: 'unset' } : { nodes: [], args: def.split(/\s+/), source: 'default', defaultText: def };
  }

  report(node: ConfNode, message: string, opts: ReportOptions = {}): void {
    const src = this.source(node);
    const d = node.d;
    const start = opts.start ?? d.start;
    const end = opts.end ?? (d.args.length ? d.args[d.args.length - 1].end : d.nameEnd);
    const related: Related[] = (opts.related ?? []).map((r) => {
      const rs = this.source(r.node);
      return { file: rs.file, range: rs.lines.range(r.node.d.start, r.node.d.args.length ? r.node.d.args[r.node.d.args.length - 1].end : r.node.d.nameEnd), message: r.message };
    });
    // Say how an included file was reached: the same snippet can behave differently per includer.
    if (node.via) {
      const vs = this.source(node.via);
      related.push({ file: vs.file, range: vs.lines.range(node.via.d.start, node.via.d.end), message: 'included from here' });
    }
    this.findings.push({
      ruleId: this.rule.id,
      cause: this.rule.cause,
      severity: opts.severity ?? this.rule.severity,
      message,
      file: src.file,
      range: src.lines.range(start, end),
      related,
      fixes: opts.fixes ?? [],
    });
  }

  // ---- edit builders: fixes are plain text edits computed on the text the tree was parsed from ----

  /** Replaces one argument of a directive, quoting the new value only if it needs it. */
  replaceArg(node: ConfNode, index: number, value: string): TextEdit {
    const src = this.source(node);
    const a = node.d.args[index];
    return { file: src.file, range: src.lines.range(a.start, a.end), newText: quoteIfNeeded(value) };
  }

  /** A new line after the directive's line, indented like it. */
  insertAfter(node: ConfNode, lines: string[]): TextEdit {
    const src = this.source(node);
    const endPos = src.lines.positionAt(node.d.end);
    const indent = src.lines.indentOf(src.lines.positionAt(node.d.start).line);
    const eol = src.lines.eol;
    const at = { line: endPos.line, character: src.lines.lineText(endPos.line).length };
    return { file: src.file, range: { start: at, end: at }, newText: lines.map((l) => eol + indent + l).join('') };
  }

  /** New lines before the directive's line, indented like it. */
  insertBefore(node: ConfNode, lines: string[]): TextEdit {
    const src = this.source(node);
    const startPos = src.lines.positionAt(node.d.start);
    const indent = src.lines.indentOf(startPos.line);
    const eol = src.lines.eol;
    const at = { line: startPos.line, character: 0 };
    return { file: src.file, range: { start: at, end: at }, newText: lines.map((l) => indent + l + eol).join('') };
  }

  /** New lines at the start of a block's body, indented one level deeper than the block. */
  insertAtBlockStart(block: ConfNode, lines: string[]): TextEdit {
    const src = this.source(block);
    const d = block.d;
    const open = src.lines.positionAt(d.blockStart!);
    const first = block.children?.find((c) => c.d.file === d.file);
    const indent = first ? src.lines.indentOf(src.lines.positionAt(first.d.start).line) : src.lines.indentOf(open.line) + '    ';
    const eol = src.lines.eol;
    const at = { line: open.line, character: open.character + 1 };
    return { file: src.file, range: { start: at, end: at }, newText: lines.map((l) => eol + indent + l).join('') };
  }

  siblings(node: ConfNode): ConfNode[] {
    return siblingsOf(this.tree, node);
  }
}

const NO_NODES: ConfNode[] = [];
const byNameIndex = new WeakMap<ConfNode[], Map<string, ConfNode[]>>();

/**
 * The children of one block with this name, in order. Long lists (an http block with thousands of
 * servers) get a name index built once, so asking for a value in every location is not quadratic.
 * Lists are complete once the tree is built; rules never add to them.
 */
function named(list: ConfNode[], name: string): ConfNode[] {
  if (list.length < 32) {
    // Most lookups find nothing at most levels: do not allocate for them.
    let out: ConfNode[] | undefined;
    for (const c of list) if (c.d.name === name) (out ??= []).push(c);
    return out ?? NO_NODES;
  }
  let index = byNameIndex.get(list);
  if (!index) {
    index = new Map();
    for (const c of list) {
      const l = index.get(c.d.name);
      if (l) l.push(c);
      else index.set(c.d.name, [c]);
    }
    byNameIndex.set(list, index);
  }
  return index.get(name) ?? NO_NODES;
}

export function quoteIfNeeded(value: string): string {
  if (value === '') return '""';
  if (/[\s;{}"'#\\]/.test(value)) return '"' + value.replace(/(["\\])/g, '\\$1') + '"';
  return value;
}

/** The text of a directive as written: `name arg1 arg2;` (arguments re-quoted when needed). */
export function directiveText(node: ConfNode, src: SourceFile): string {
  return src.text.slice(node.d.start, node.d.end);
}
