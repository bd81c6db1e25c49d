import { isLoopbackHost } from '../../appServers/model';
import type { Fix } from '../../../finding';
import type { KubernetesRule } from '../rule';

export const containerAppBindsLoopback: KubernetesRule = {
  id: 'kubernetes/container-app-binds-loopback',
  cause: 'routing',
  severity: 'error',
  title: "A container behind a Service starts its app server on the pod's loopback: the Service cannot reach it",
  check(ctx) {
    const seen = new Set<string>();
    for (const s of ctx.m.services)
      for (const w of ctx.podsOf(s))
        for (const c of w.containers) {
          const key = `${w.file}:${w.name}:${c.name}`;
          if (seen.has(key)) continue;
          const app = ctx.appOf(w, c);
          const l = app?.listeners.find((x) => x.socket === undefined && isLoopbackHost(x.host));
          if (!app || !l) continue;
          seen.add(key);
          const q = l.quote ?? '';
          const fixes: Fix[] = l.isDefault ? [] : [{ title: `Bind to 0.0.0.0:${l.port}`, edits: [{ file: w.file, range: l.range, newText: `${q}0.0.0.0:${l.port}${q}` }] }];
          ctx.report(
            w.file,
            l.range,
            `Container ${c.name} of ${w.kind} ${w.name} starts ${app.kind} on ${l.host}:${l.port}${l.isDefault ? ` (gunicorn's default bind, no -b given)` : ''}: the pod's own loopback. Service ${s.name} sends traffic to the pod's IP, where nothing listens on that port: connections are refused and the ingress answers 502 ("connect() failed (111: Connection refused)"). Bind it to 0.0.0.0:${l.port}.`,
            [{ file: s.file, range: s.range, message: `Service ${s.name} selects these pods` }],
            fixes,
          );
        }
  },
};
