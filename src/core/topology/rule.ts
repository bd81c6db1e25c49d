// Cross-layer rules: data plus one `check`, called once over the whole workspace (every nginx tree and
// every app-server config). A finding names both ends: the nginx line and, as related information, the
// app server's setting.
import type { CauseId, Finding, Fix, Range, Related, Severity, TextEdit } from '../finding';
import type { AppServerConfig } from '../configs/appServers';
import { RuleContext } from '../configs/nginx/rule';
import type { ConfNode, ConfTree } from '../configs/nginx/tree';
import { LineIndex } from '../text';
import { NginxHop, NginxListener, nginxHops, nginxListeners } from './chain';

export interface TopologyRule {
  id: string;
  cause: CauseId;
  severity: Severity;
  title: string;
  check(ctx: TopologyContext): void;
}

export interface TreeView {
  tree: ConfTree;
  ctx: RuleContext;
  hops: NginxHop[];
  listeners: NginxListener[];
}

export class TopologyContext {
  readonly findings: Finding[] = [];
  rule!: TopologyRule;
  readonly views: TreeView[];

  constructor(
    trees: Array<{ tree: ConfTree; ctx: RuleContext }>,
    readonly apps: AppServerConfig[],
    /** The text of app-server files, for edits that insert a line. */
    private readonly texts: ReadonlyMap<string, string>,
  ) {
    this.views = trees.map(({ tree, ctx }) => ({ tree, ctx, hops: nginxHops(tree, ctx), listeners: nginxListeners(ctx) }));
  }

  /** Every listener nginx itself has, over all trees (a target may be another server block). */
  get nginxListeners(): NginxListener[] {
    return this.views.flatMap((v) => v.listeners);
  }

  reportAt(view: TreeView, node: ConfNode, message: string, related: Related[], fixes: Fix[] = [], argIndex?: number): void {
    const src = view.ctx.source(node);
    const d = node.d;
    const start = argIndex !== undefined && d.args[argIndex] ? d.args[argIndex].start : d.start;
    const end = argIndex !== undefined && d.args[argIndex] ? d.args[argIndex].end : d.args.length ? d.args[d.args.length - 1].end : d.nameEnd;
    this.findings.push({ ruleId: this.rule.id, cause: this.rule.cause, severity: this.rule.severity, message, file: src.file, range: src.lines.range(start, end), related, fixes });
  }

  related(view: TreeView, node: ConfNode, message: string): Related {
    const src = view.ctx.source(node);
    return { file: src.file, range: src.lines.range(node.d.start, node.d.args.length ? node.d.args[node.d.args.length - 1].end : node.d.nameEnd), message };
  }

  /** An edit appending lines at the end of an app-server file (a setting it does not have yet). */
  appendToFile(file: string, lines: string[]): TextEdit | undefined {
    const text = this.texts.get(file);
    if (text === undefined) return undefined;
    const idx = new LineIndex(text);
    const eol = idx.eol;
    const last = idx.lineCount - 1;
    const at = { line: last, character: idx.lineText(last).length };
    const lead = idx.lineText(last).length > 0 ? eol : '';
    return { file, range: { start: at, end: at }, newText: lead + lines.join(eol) + (lead ? '' : eol) };
  }

  replaceRange(file: string, range: Range, newText: string): TextEdit {
    return { file, range, newText };
  }
}

export function seconds(ms: number): string {
  if (!Number.isFinite(ms)) return 'never';
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
