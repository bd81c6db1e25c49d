import type { Fix } from '../../finding';
import { listenerServes } from '../chain';
import { TopologyRule, seconds } from '../rule';

export const apacheTimeoutBelowAppTimeout: TopologyRule = {
  id: 'topology/apache-timeout-below-app-timeout',
  cause: 'timeout-mismatch',
  severity: 'warning',
  title: "Apache's proxy timeout is shorter than the time the app server lets a request run",
  check(ctx) {
    for (const av of ctx.apache)
      for (const hop of av.hops) {
        const seen = new Set<string>();
        for (const app of av.apps) {
          const limit = app.requestTimeout;
          if (!limit || limit.ms <= 0 || hop.timeoutMs >= limit.ms || seen.has(app.label + app.file)) continue;
          if (!app.listeners.some((l) => l.protocol === 'http' && listenerServes(l, hop))) continue;
          seen.add(app.label + app.file);
          const node = hop.pass.node;
          const want = `timeout=${Math.ceil((limit.ms + 5000) / 1000)}`;
          const lines = av.config.lines(node.d.file);
          const own = node.d.args.findIndex((a) => /^timeout=/i.test(a.value));
          const last = node.d.args[node.d.args.length - 1];
          const edit = own >= 0 ? av.edit.replaceArg(node, own, want) : { file: node.d.file, range: lines.range(last.end, last.end), newText: ` ${want}` };
          const fixes: Fix[] = [{ title: `Give this ProxyPass ${want} (the app's ${seconds(limit.ms)} and a margin)`, edits: [edit] }];
          const url = hop.pass.url!;
          ctx.findings.push({
            ruleId: ctx.rule.id,
            cause: ctx.rule.cause,
            severity: ctx.rule.severity,
            message: `httpd waits at most ${seconds(hop.timeoutMs)} for the backend here (${hop.timeoutFrom}), but ${app.label} lets a request run ${seconds(limit.ms)} before it ${limit.effect}: a request that takes longer than ${seconds(hop.timeoutMs)} gets 502 from httpd ("The timeout specified has expired: AH01102: error reading status line from remote server") while the app is still working on it. Keep the proxy's timeout above the app's.`,
            file: node.d.file,
            range: lines.range(url.start, url.end),
            related: [{ file: limit.file, range: limit.range, message: `${app.label}: ${limit.setting} ${limit.isDefault ? `is ${seconds(limit.ms)} by default (not set in this file)` : `= ${limit.text}`}` }],
            fixes,
          });
        }
      }
  },
};
