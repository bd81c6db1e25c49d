import type { Fix } from '../../../finding';
import { KubernetesRule, yamlScalar } from '../rule';

export const serviceTargetPortNotInPods: KubernetesRule = {
  id: 'kubernetes/service-target-port-not-in-pods',
  cause: 'routing',
  severity: 'warning',
  title: "A Service's targetPort is no port the selected pods' containers declare",
  check(ctx) {
    for (const s of ctx.m.services) {
      const pods = ctx.podsOf(s);
      const declared = pods.flatMap((w) => w.containers.flatMap((c) => c.ports.map((p) => ({ w, c, p }))));
      if (!declared.length) continue; // no ports declared: nothing to compare (containerPort is optional)
      for (const sp of s.ports) {
        const target = sp.targetPort ?? sp.port;
        if (!target) continue;
        const v = target.value;
        const named = typeof v === 'string' && !/^\d+$/.test(v);
        const ok = named ? declared.some((d) => d.p.name?.value === v) : declared.some((d) => d.p.containerPort?.value === Number(v));
        if (ok) continue;
        const list = declared.map((d) => `${d.c.name}: ${d.p.containerPort?.value ?? '?'}${d.p.name ? ` (${d.p.name.value})` : ''}`).join(', ');
        const candidates = named ? declared.filter((d) => d.p.name) : declared.filter((d) => d.p.containerPort);
        const one = candidates.length === 1 ? candidates[0] : undefined;
        const fixes: Fix[] = one && sp.targetPort ? [{ title: `Set targetPort to ${named ? one.p.name!.value : one.p.containerPort!.value}`, edits: [{ file: s.file, range: sp.targetPort.range, newText: yamlScalar(named ? one.p.name!.value : one.p.containerPort!.value) }] }] : [];
        ctx.report(
          s.file,
          target.range,
          named
            ? `Service ${s.name} sends to the port named "${v}", but no container of the pods it selects has a port of that name (${list}). The endpoints get no port: requests through the Service fail, and ingress-nginx answers 503.`
            : `Service ${s.name} sends to port ${v} of its pods, but their containers declare ${list}. If the app listens on a declared port, connections to ${v} are refused and the ingress answers 502 ("connect() failed (111: Connection refused)").`,
          declared.slice(0, 3).map((d) => ({ file: d.w.file, range: (d.p.containerPort ?? d.p.name)!.range, message: `${d.w.kind} ${d.w.name}, container ${d.c.name}: port ${d.p.containerPort?.value ?? ''}${d.p.name ? ` (${d.p.name.value})` : ''}` })),
          fixes,
          named ? 'error' : 'warning',
        );
      }
    }
  },
};
