// Runs the cross-layer rules over a workspace: nginx trees (already built by the nginx lint) and the
// app-server configs found beside them.
import type { Finding } from '../finding';
import type { AppServerConfig } from '../configs/appServers';
import { RuleContext } from '../configs/nginx/rule';
import type { ConfTree } from '../configs/nginx/tree';
import { treeVersion } from '../configs/nginx/lint';
import { TopologyContext, TopologyRule } from './rule';
import { topologyRules } from './rules';

export interface TopologyOptions {
  nginxVersion?: string;
  disabledRules?: ReadonlySet<string>;
  rules?: TopologyRule[];
}

export function lintTopology(trees: ConfTree[], apps: AppServerConfig[], texts: ReadonlyMap<string, string>, options: TopologyOptions = {}): Finding[] {
  if (trees.length === 0 || apps.length === 0) return [];
  const ctx = new TopologyContext(
    trees.map((tree) => ({ tree, ctx: new RuleContext(tree, treeVersion(tree, options.nginxVersion)) })),
    apps,
    texts,
  );
  for (const rule of options.rules ?? topologyRules) {
    if (options.disabledRules?.has(rule.id)) continue;
    ctx.rule = rule;
    try {
      rule.check(ctx);
    } catch (err) {
      ctx.findings.push({
        ruleId: rule.id,
        cause: rule.cause,
        severity: 'info',
        message: `internal error in rule ${rule.id}: ${(err as Error)?.message ?? String(err)}; other rules still ran`,
        file: trees[0].rootFile,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        related: [],
        fixes: [],
      });
    }
  }
  return ctx.findings;
}
