import { isLoopbackHost, isWildcardHost } from '../../configs/appServers/model';
import type { Fix } from '../../finding';
import { describeListener, isLocalTarget, listenerServes } from '../chain';
import { TopologyRule } from '../rule';

export const caddyUpstreamWithoutListener: TopologyRule = {
  id: 'topology/caddy-upstream-without-listener',
  cause: 'routing',
  severity: 'warning',
  title: "A Caddy reverse_proxy upstream on this machine where no app server of the workspace listens",
  check(ctx) {
    for (const cv of ctx.caddy) {
      const listeners = cv.apps.flatMap((app) => app.listeners.filter((l) => l.protocol === 'http' && l.socket === undefined).map((l) => ({ app, l })));
      if (!listeners.length) continue; // the stack's app servers are not described: nothing to compare
      for (const p of cv.proxies) {
        if (!cv.config.isOwn(p.rp.directive)) continue;
        for (const t of p.targets) {
          if (!isLocalTarget(t) || /^https:/i.test(t.token.text)) continue;
          if (cv.apps.some((a) => a.listeners.some((l) => listenerServes(l, t)))) continue;
          const one = listeners.length === 1 && (isWildcardHost(listeners[0].l.host) || isLoopbackHost(listeners[0].l.host)) ? listeners[0] : undefined;
          const next = one ? t.token.text.replace(/:(\d+)$/, `:${one.l.port}`) : undefined;
          const fixes: Fix[] = one && next && next !== t.token.text && /:\d+$/.test(t.token.text) ? [{ title: `Send to port ${one.l.port}, where ${one.app.label} listens`, edits: [cv.edit.replaceToken(t.token, next)] }] : [];
          ctx.findings.push({
            ruleId: ctx.rule.id,
            cause: ctx.rule.cause,
            severity: ctx.rule.severity,
            message: `reverse_proxy sends requests to ${t.token.text}, but no app server in the workspace listens there (it has ${listeners.slice(0, 4).map((x) => `${x.app.label} on ${describeListener(x.l)}`).join(', ')}). Caddy logs "dial tcp ${describeListener(t)}: connect: connection refused" and answers 502.`,
            file: cv.config.file,
            range: cv.config.lines.range(t.token.start, t.token.end),
            related: listeners.slice(0, 4).map((x) => ({ file: x.l.file, range: x.l.range, message: `${x.app.label} listens on ${describeListener(x.l)}` })),
            fixes,
          });
        }
      }
    }
  },
};
