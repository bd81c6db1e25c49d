import { formatTime } from '../../configs/nginx/directives';
import type { Fix } from '../../finding';
import { TopologyRule, seconds } from '../rule';
import { distinctApps, servedBy } from './matches';

/** How much longer than the app nginx should wait: the app's own limit fires first and is logged there. */
const MARGIN_MS = 5000;

export const readTimeoutBelowAppTimeout: TopologyRule = {
  id: 'topology/read-timeout-below-app-timeout',
  cause: 'timeout-mismatch',
  severity: 'warning',
  title: "nginx's read timeout is shorter than the time the app server lets a request run",
  check(ctx) {
    for (const view of ctx.views)
      for (const hop of view.hops)
        for (const { app } of distinctApps(servedBy(hop, view.apps))) {
          const limit = app.requestTimeout;
          if (!limit || limit.ms <= 0 || hop.readTimeout.ms >= limit.ms) continue;
          const rt = hop.readTimeout;
          const here = rt.source === 'here' && rt.node && rt.node.parent === hop.pass.parent && rt.node.d.file === hop.pass.d.file;
          const want = formatTime(Math.ceil((limit.ms + MARGIN_MS) / 1000) * 1000);
          const fixes: Fix[] = [
            {
              title: `Set ${rt.name} to ${want} (the app's ${seconds(limit.ms)} and a margin)`,
              edits: [here ? view.ctx.replaceArg(rt.node!, 0, want) : view.ctx.insertBefore(hop.pass, [`${rt.name} ${want};`])],
            },
          ];
          const related = [{ file: limit.file, range: limit.range, message: `${app.label}: ${limit.setting} ${limit.isDefault ? `is ${seconds(limit.ms)} by default (not set in this file)` : `= ${limit.text}`}` }];
          if (rt.node && !here) related.push(ctx.related(view, rt.node, `${rt.name} set here for this location`));
          ctx.reportAt(
            view,
            here ? rt.node! : hop.pass,
            `nginx waits at most ${seconds(rt.ms)} for a response here (${rt.name}${rt.source === 'default' ? ', the default' : rt.source === 'inherited' ? ', inherited' : ''}), but ${app.label} lets a request run ${seconds(limit.ms)} before it ${limit.effect}: a request that takes longer than ${seconds(rt.ms)} gets 504 from nginx ("upstream timed out (110: Connection timed out) while reading response header from upstream") while the app is still working on it. Keep the proxy's read timeout above the app's.`,
            related,
            fixes,
          );
        }
  },
};
