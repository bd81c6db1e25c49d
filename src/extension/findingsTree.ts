// The Findings view: the model's findings grouped by cause (in taxonomy order) or by file. Only renders;
// it never reports anything itself (no notifications from getChildren).
import * as path from 'path';
import * as vscode from 'vscode';
import { CAUSE_IDS, CAUSE_TITLES, CauseId, Finding, compareFindings } from '../core/finding';
import { FindingsModel } from './findingsModel';
import { toRange } from './convert';
import { GroupBy } from './settings';

export type FindingsNode =
  | { kind: 'cause'; cause: CauseId; findings: Finding[] }
  | { kind: 'file'; file: string; findings: Finding[] }
  | { kind: 'finding'; finding: Finding; under: 'cause' | 'file' }
  | { kind: 'section'; section: TreeSection<unknown>; node: unknown };

/**
 * A block of rows shown above the config findings (probe results, log summaries), owned by its feature:
 * the tree asks the section for its roots, children and items and re-renders when it fires onDidChange.
 * Items' contextValues should start with the section id (`probe`, `log`) so menus can tell them apart.
 */
export interface TreeSection<T> {
  readonly id: string;
  readonly onDidChange: vscode.Event<void>;
  roots(): T[];
  children(node: T): T[];
  item(node: T): vscode.TreeItem;
}

export const REVEAL_FINDING_COMMAND = 'gatewayDoctor.findings.reveal';

export class FindingsTreeProvider implements vscode.TreeDataProvider<FindingsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<FindingsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subs: vscode.Disposable[] = [];
  private readonly sections: TreeSection<unknown>[] = [];

  constructor(
    private readonly model: FindingsModel,
    private groupBy: GroupBy,
  ) {
    this.subs.push(model.onDidChange(() => this.changed.fire(undefined)));
  }

  /** Adds a section above the config findings, in the order added. */
  addSection<T>(section: TreeSection<T>): vscode.Disposable {
    const s = section as TreeSection<unknown>;
    this.sections.push(s);
    const sub = s.onDidChange(() => this.changed.fire(undefined));
    this.changed.fire(undefined);
    return new vscode.Disposable(() => {
      sub.dispose();
      const i = this.sections.indexOf(s);
      if (i >= 0) this.sections.splice(i, 1);
      this.changed.fire(undefined);
    });
  }

  setGroupBy(groupBy: GroupBy): void {
    if (groupBy === this.groupBy) return;
    this.groupBy = groupBy;
    this.changed.fire(undefined);
  }

  /** Every finding in the model, in file/position order. */
  allFindings(): Finding[] {
    const out: Finding[] = [];
    for (const [, entry] of this.model.entries()) out.push(...entry.findings);
    return out.sort(compareFindings);
  }

  getChildren(node?: FindingsNode): FindingsNode[] {
    if (!node) {
      const sectionRoots: FindingsNode[] = this.sections.flatMap((section) => section.roots().map((n) => ({ kind: 'section' as const, section, node: n })));
      return [...sectionRoots, ...this.configRoots()];
    }
    if (node.kind === 'section') return node.section.children(node.node).map((n) => ({ kind: 'section', section: node.section, node: n }));
    if (node.kind === 'finding') return [];
    return node.findings.map((finding) => ({ kind: 'finding', finding, under: node.kind }));
  }

  private configRoots(): FindingsNode[] {
    const all = this.allFindings();
    if (this.groupBy === 'file') {
      const byFile = new Map<string, Finding[]>();
      for (const f of all) {
        let l = byFile.get(f.file);
        if (!l) byFile.set(f.file, (l = []));
        l.push(f);
      }
      return [...byFile].map(([file, findings]) => ({ kind: 'file', file, findings }));
    }
    return CAUSE_IDS.map((cause) => ({ kind: 'cause' as const, cause, findings: all.filter((f) => f.cause === cause) })).filter((g) => g.findings.length > 0);
  }

  getTreeItem(node: FindingsNode): vscode.TreeItem {
    if (node.kind === 'section') return node.section.item(node.node);
    if (node.kind === 'cause') {
      const item = new vscode.TreeItem(CAUSE_TITLES[node.cause], vscode.TreeItemCollapsibleState.Expanded);
      item.id = `cause:${node.cause}`;
      item.description = String(node.findings.length);
      item.tooltip = `${node.cause}: ${node.findings.length} finding(s)`;
      item.contextValue = 'cause';
      return item;
    }
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(vscode.Uri.file(node.file), vscode.TreeItemCollapsibleState.Expanded);
      item.id = `file:${node.file}`;
      item.label = path.basename(node.file);
      const dir = path.dirname(vscode.workspace.asRelativePath(node.file));
      item.description = `${dir === '.' ? '' : dir + ' · '}${node.findings.length}`;
      item.contextValue = 'file';
      return item;
    }
    return findingTreeItem(node.finding, node.under);
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
  }
}

/**
 * The row of one config finding (also used by sections that list config findings, e.g. a log cause's
 * "config findings of this cause"); `under` names the grouping, which only changes the description.
 * Give `idPrefix` when the same finding can appear twice in the tree (tree ids must be unique).
 */
export function findingTreeItem(f: Finding, under: 'cause' | 'file', idPrefix: string = under): vscode.TreeItem {
  const item = new vscode.TreeItem(firstSentence(f.message), vscode.TreeItemCollapsibleState.None);
  item.id = `${idPrefix}:${f.file}:${f.range.start.line}:${f.range.start.character}:${f.ruleId}:${f.message}`;
  const where = under === 'cause' ? `${path.basename(f.file)}:${f.range.start.line + 1}` : `line ${f.range.start.line + 1}`;
  item.description = `${f.ruleId} · ${where}`;
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${f.severity}** · \`${f.ruleId}\` · ${CAUSE_TITLES[f.cause]}\n\n`);
  md.appendText(f.message);
  md.appendMarkdown(`\n\n${vscode.workspace.asRelativePath(f.file)}:${f.range.start.line + 1}`);
  if (f.fixes.length) md.appendMarkdown(`\n\nFix available: ${f.fixes[0].title.replace(/[\\`*_[\]]/g, '\\$&')}`);
  item.tooltip = md;
  item.iconPath = severityIcon(f.severity);
  item.contextValue = f.fixes.length ? 'finding.fixable' : 'finding';
  item.command = { command: REVEAL_FINDING_COMMAND, title: 'Open', arguments: [f] };
  return item;
}

function severityIcon(s: Finding['severity']): vscode.ThemeIcon {
  if (s === 'error') return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
  if (s === 'warning') return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  return new vscode.ThemeIcon('info');
}

/** Tree rows are one line: the first sentence, the tooltip has the rest. */
function firstSentence(message: string): string {
  const m = /^(.{20,}?[.:])\s/.exec(message);
  const s = m ? m[1].replace(/[.:]$/, '') : message;
  return s.length > 140 ? s.slice(0, 139) + '…' : s;
}

/** Opens the finding's file and selects its range. Takes a finding or a tree node (context menus pass nodes). */
export async function revealFinding(arg: Finding | FindingsNode | undefined): Promise<void> {
  const f = findingOf(arg);
  if (!f) return;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(f.file));
  const range = toRange(f.range);
  await vscode.window.showTextDocument(doc, { selection: range, preserveFocus: false });
}

export function findingOf(arg: Finding | FindingsNode | undefined): Finding | undefined {
  if (!arg) return undefined;
  if ('kind' in arg) {
    // A section row that lists a config finding (rendered by findingTreeItem) carries it as `configFinding`.
    if (arg.kind === 'section') return (arg.node as { configFinding?: Finding } | undefined)?.configFinding;
    return arg.kind === 'finding' ? arg.finding : undefined;
  }
  return arg;
}
