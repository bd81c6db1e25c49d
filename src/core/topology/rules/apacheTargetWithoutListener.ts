import { isLoopbackHost, isWildcardHost } from '../../configs/appServers/model';
import type { Fix } from '../../finding';
import { describeListener, isLocalTarget, listenerServes } from '../chain';
import { TopologyRule } from '../rule';

export const apacheTargetWithoutListener: TopologyRule = {
  id: 'topology/apache-target-without-listener',
  cause: 'routing',
  severity: 'warning',
  title: 'Apache ProxyPass sends requests to a local address or socket where no app server of the workspace listens',
  check(ctx) {
    for (const av of ctx.apache) {
      const listeners = av.apps.flatMap((app) => app.listeners.filter((l) => l.protocol === 'http').map((l) => ({ app, l })));
      if (!listeners.length) continue; // the stack's app servers are not described: nothing to compare
      for (const hop of av.hops) {
        if (hop.tls || !isLocalTarget(hop)) continue;
        if (av.apps.some((a) => a.listeners.some((l) => listenerServes(l, hop)))) continue;
        const url = hop.pass.url!;
        const alike = listeners.filter((x) => (x.l.socket !== undefined) === (hop.socket !== undefined));
        const fixes: Fix[] = [];
        if (alike.length === 1) {
          const l = alike[0].l;
          let next: string | undefined;
          if (hop.socket !== undefined && l.socket !== undefined) next = url.value.replace(hop.socket, l.socket);
          else if (hop.port !== undefined && l.port !== undefined && (isWildcardHost(l.host) || isLoopbackHost(l.host))) {
            const m = /^([a-z]+:\/\/)(\[[^\]]+\]|[^/:]+)(?::\d+)?(.*)$/i.exec(url.value);
            if (m) next = `${m[1]}${m[2]}:${l.port}${m[3]}`;
          }
          const index = hop.pass.node.d.args.indexOf(url);
          if (next && next !== url.value && index >= 0) fixes.push({ title: `Send to ${describeListener(l)}, where ${alike[0].app.label} listens`, edits: [av.edit.replaceArg(hop.pass.node, index, next)] });
        }
        const lines = av.config.lines(hop.pass.node.d.file);
        ctx.findings.push({
          ruleId: ctx.rule.id,
          cause: ctx.rule.cause,
          severity: ctx.rule.severity,
          message: `ProxyPass sends requests to ${describeListener(hop)}, but no app server in the workspace listens there (it has ${listeners.slice(0, 4).map((x) => `${x.app.label} on ${describeListener(x.l)}`).join(', ')}). httpd logs "AH00957: http: attempt to connect to ${describeListener(hop)} … failed" and "AH01114: HTTP: failed to make connection to backend", and answers 503.`,
          file: hop.pass.node.d.file,
          range: lines.range(url.start, url.end),
          related: listeners.slice(0, 4).map((x) => ({ file: x.l.file, range: x.l.range, message: `${x.app.label} listens on ${describeListener(x.l)}` })),
          fixes,
        });
      }
    }
  },
};
