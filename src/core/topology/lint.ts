// Runs the cross-layer rules over a workspace: nginx trees (already built by the nginx lint) and the
// app-server configs found beside them.
import { runRules } from '../ruleRunner';
import type { Finding } from '../finding';
import type { AppServerConfig } from '../configs/appServers';
import { RuleContext } from '../configs/nginx/rule';
import type { ConfTree } from '../configs/nginx/tree';
import { treeVersion } from '../configs/nginx/lint';
import { TopologyContext, TopologyRule } from './rule';
import { topologyRules } from './rules';
import type { HaproxyConfig } from '../configs/haproxy/config';
import type { CaddyConfig } from '../configs/caddy/config';
import type { ApacheConfig } from '../configs/apache/config';

export interface TopologyOptions {
  nginxVersion?: string;
  disabledRules?: ReadonlySet<string>;
  rules?: TopologyRule[];
}

export function lintTopology(trees: ConfTree[], apps: AppServerConfig[], texts: ReadonlyMap<string, string>, options: TopologyOptions = {}, nginxFiles: string[] = [], haproxy: HaproxyConfig[] = [], caddy: CaddyConfig[] = [], apache: ApacheConfig[] = []): Finding[] {
  // Something to compare: nginx or Caddy with app servers behind it, or HAProxy with nginx behind it.
  const appSide = apps.length > 0 && (trees.length > 0 || caddy.length > 0 || apache.length > 0);
  const lbSide = haproxy.length > 0 && trees.length > 0;
  if (!appSide && !lbSide) return [];
  const ctx = new TopologyContext(
    trees.map((tree) => ({ tree, ctx: new RuleContext(tree, treeVersion(tree, options.nginxVersion)) })),
    apps,
    texts,
    nginxFiles,
    haproxy,
    caddy,
    apache,
  );
  ctx.findings.push(...runRules(options.rules ?? topologyRules, ctx, trees[0]?.rootFile ?? caddy[0]?.file ?? apache[0]?.rootFile ?? '', { disabledRules: options.disabledRules }));
  return ctx.findings;
}
