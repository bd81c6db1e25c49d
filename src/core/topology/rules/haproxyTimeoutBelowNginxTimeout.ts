import { parseTime } from '../../configs/haproxy/config';
import { formatTime } from '../../configs/nginx/directives';
import type { Fix } from '../../finding';
import { describeListener, listenerServes, longestReadTimeout } from '../chain';
import { TopologyRule, seconds } from '../rule';

export const haproxyTimeoutBelowNginxTimeout: TopologyRule = {
  id: 'topology/haproxy-timeout-below-nginx-timeout',
  cause: 'timeout-mismatch',
  severity: 'warning',
  title: "HAProxy's `timeout server` is shorter than the read timeout of the nginx behind it",
  check(ctx) {
    for (const hx of ctx.haproxy) {
      const done = new Set<string>();
      for (const t of hx.targets) {
        if (hx.config.mode(t.backend) !== 'http') continue; // tcp mode: tunnels and streams have their own timeouts
        const ts = hx.config.effective(t.backend, 'timeout', 'server');
        const tsMs = ts ? parseTime(ts.line.words[2]?.value ?? '') : undefined;
        if (tsMs === undefined || tsMs <= 0) continue; // missing: haproxy/missing-timeouts says so
        for (const view of hx.near)
          for (const l of view.listeners) {
            if (!listenerServes(l, t) || !l.node.parent) continue;
            const hop = longestReadTimeout(view.hops, l.node.parent);
            if (!hop || hop.readTimeout.ms <= tsMs) continue;
            const key = `${t.backend.header.line}:${l.node.d.file}:${l.node.d.start}`;
            if (done.has(key)) continue;
            done.add(key);
            const want = formatTime(Math.ceil((hop.readTimeout.ms + 5000) / 1000) * 1000);
            const own = ts!.section === t.backend;
            const fixes: Fix[] = [
              {
                title: `Set timeout server to ${want} in ${hx.config.label(t.backend)} (nginx waits ${seconds(hop.readTimeout.ms)})`,
                edits: [own ? hx.edit.replaceWord(ts!.line, 2, want) : hx.edit.insertInSection(t.backend, `timeout server ${want}`)],
              },
            ];
            const rt = hop.readTimeout;
            ctx.reportHaproxy(
              hx.config,
              ts!.line,
              `HAProxy gives up on ${hx.config.label(t.backend)} after ${seconds(tsMs)} (timeout server${ts!.inherited ? `, from ${hx.config.label(ts!.section)}` : ''}), but the nginx behind it (listen ${describeListener(l)}) waits up to ${seconds(rt.ms)} for its upstream (${rt.name}${rt.source === 'default' ? ', the default' : ''}): a request that takes longer than ${seconds(tsMs)} gets 504 from HAProxy (termination state sH) while nginx and the app still work on it. The layer in front must wait longest.`,
              [
                ctx.related(view, rt.node && rt.source !== 'default' ? rt.node : hop.pass, `nginx: ${rt.name} ${seconds(rt.ms)}${rt.source === 'default' ? ' (the default)' : ''} here`),
                ctx.relatedHaproxy(hx.config, t.line, `server ${t.line.words[1]?.value ?? ''} sends to this nginx`),
              ],
              fixes,
              2,
            );
          }
      }
    }
  },
};
