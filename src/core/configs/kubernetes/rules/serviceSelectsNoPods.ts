import type { KubernetesRule } from '../rule';

export const serviceSelectsNoPods: KubernetesRule = {
  id: 'kubernetes/service-selects-no-pods',
  cause: 'upstream-down',
  severity: 'warning',
  title: "A Service's selector matches the pod labels of no workload in the workspace: it has no endpoints",
  check(ctx) {
    for (const s of ctx.m.services) {
      if (!s.selector || s.type === 'ExternalName') continue;
      const sameNs = ctx.m.workloads.filter((w) => w.namespace === s.namespace);
      if (!sameNs.length || ctx.podsOf(s).length) continue; // no workloads described here: nothing to compare
      const sel = Object.entries(s.selector.value).map(([k, v]) => `${k}=${v}`).join(',');
      const near = sameNs.slice(0, 3);
      ctx.report(
        s.file,
        s.selector.range,
        `Service ${s.name} selects pods labelled ${sel}, but no workload of namespace ${s.namespace} in the workspace has pods with those labels (${near.map((w) => `${w.kind} ${w.name}: ${Object.entries(w.podLabels).map(([k, v]) => `${k}=${v}`).join(',') || 'no labels'}`).join('; ')}). The Service has no endpoints: ingress-nginx answers 503 ("Service … does not have any active Endpoint"), and connections to its ClusterIP are refused.`,
        near.map((w) => ({ file: w.file, range: w.range, message: `${w.kind} ${w.name}: pod labels ${Object.entries(w.podLabels).map(([k, v]) => `${k}=${v}`).join(',') || '(none)'}` })),
      );
    }
  },
};
