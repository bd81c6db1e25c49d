import { serverOptions } from '../../configs/haproxy/config';
import { describeListener, isLocalTarget, listenerServes } from '../chain';
import { TopologyRule } from '../rule';

export const haproxyServerWithoutListener: TopologyRule = {
  id: 'topology/haproxy-server-without-listener',
  cause: 'routing',
  severity: 'warning',
  title: 'An HAProxy server on this machine where neither nginx nor an app server of the workspace listens',
  check(ctx) {
    for (const hx of ctx.haproxy) {
      const nginx = hx.near.flatMap((v) => v.listeners);
      const apps = hx.near.flatMap((v) => v.apps.flatMap((a) => a.listeners.map((l) => ({ a, l }))));
      if (nginx.length === 0 && apps.length === 0) continue; // the stack behind it is not described
      const served = (t: (typeof hx.targets)[number]) => nginx.some((l) => listenerServes(l, t)) || apps.some((x) => listenerServes(x.l, t));
      // Only backends the workspace describes: one of their servers reaches a listener here, so a sibling
      // that reaches none is the odd one out (a backend of servers described nowhere is somebody else's).
      const described = new Set(hx.targets.filter(served).map((t) => t.backend));
      for (const t of hx.targets) {
        if (!isLocalTarget(t) || !described.has(t.backend) || served(t)) continue;
        const found = [...nginx.map((l) => `nginx on ${describeListener(l)}`), ...apps.map((x) => `${x.a.label} on ${describeListener(x.l)}`)];
        ctx.reportHaproxy(
          hx.config,
          t.line,
          `${hx.config.label(t.backend)} sends requests to ${describeListener(t)} (server ${t.line.words[1]?.value ?? ''}), but nothing in the workspace listens there (it has ${found.slice(0, 4).join(', ')}${found.length > 4 ? ', …' : ''}). HAProxy gets "Connection refused" there${serverOptions(t.line).flags.has('check') ? ': its health check keeps the server DOWN, so the backend runs on fewer servers than written' : ', and without a health check it keeps sending a share of the traffic there: those requests fail with 503 (termination state SC)'}.`,
          [...nginx.slice(0, 3).map((l) => ({ file: l.node.d.file, range: hx.near.find((v) => v.tree.files.has(l.node.d.file))!.ctx.source(l.node).lines.range(l.node.d.start, l.node.d.end), message: `nginx listens on ${describeListener(l)}` })), ...apps.slice(0, 3).map((x) => ({ file: x.l.file, range: x.l.range, message: `${x.a.label} listens on ${describeListener(x.l)}` }))],
          [],
          2,
        );
      }
    }
  },
};
