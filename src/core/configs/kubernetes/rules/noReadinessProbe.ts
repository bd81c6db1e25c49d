import type { KubernetesRule } from '../rule';

export const noReadinessProbe: KubernetesRule = {
  id: 'kubernetes/no-readiness-probe',
  cause: 'upstream-down',
  severity: 'info',
  title: 'A container behind a Service has no readinessProbe: it gets traffic before it can answer',
  check(ctx) {
    const seen = new Set<string>();
    for (const s of ctx.m.services)
      for (const w of ctx.podsOf(s))
        for (const c of w.containers) {
          const key = `${w.file}:${w.name}:${c.name}`;
          if (c.readinessProbe || seen.has(key)) continue;
          seen.add(key);
          ctx.report(
            w.file,
            c.range,
            `Container ${c.name} of ${w.kind} ${w.name} (behind Service ${s.name}) has no readinessProbe: a new pod is added to the Service's endpoints as soon as it starts, before the app listens, and a hung one is never taken out. During every rollout the ingress gets refused or reset connections and answers 502/503. Add a readinessProbe on the app's health endpoint.`,
            [{ file: s.file, range: s.range, message: `Service ${s.name} sends traffic to these pods` }],
          );
        }
  },
};
