import type { Fix } from '../../../finding';
import { editDistance } from '../../../text';
import { KubernetesRule, yamlScalar } from '../rule';

export const ingressBackendUnknownService: KubernetesRule = {
  id: 'kubernetes/ingress-backend-unknown-service',
  cause: 'routing',
  severity: 'error',
  title: 'An Ingress backend names a Service (or a port of it) that the workspace does not define',
  check(ctx) {
    for (const ing of ctx.m.ingresses) {
      const services = ctx.services(ing.namespace);
      if (!services.length) continue; // the Services live elsewhere: nothing to compare
      for (const b of ing.backends) {
        const s = services.find((x) => x.name === b.service.value);
        if (!s) {
          const near = services.map((x) => ({ x, d: editDistance(x.name, b.service.value) })).filter((n) => n.d <= 2).sort((p, q) => p.d - q.d)[0];
          const fixes: Fix[] = near ? [{ title: `Use Service ${near.x.name}`, edits: [{ file: ing.file, range: b.service.range, newText: yamlScalar(near.x.name) }] }] : [];
          ctx.report(
            ing.file,
            b.service.range,
            `Ingress ${ing.name} sends ${b.path ?? 'its default backend'} to Service ${b.service.value}, which no manifest of namespace ${ing.namespace} in the workspace defines${near ? ` (did you mean ${near.x.name}?)` : ''}. ingress-nginx logs "Error obtaining Endpoints for Service" and answers 503.`,
            services.slice(0, 3).map((x) => ({ file: x.file, range: x.range, message: `Service ${x.name}` })),
            fixes,
          );
          continue;
        }
        if (!b.port) continue;
        const v = b.port.value;
        const ok = typeof v === 'number' ? s.ports.some((p) => p.port?.value === v) : s.ports.some((p) => p.name === v);
        if (ok) continue;
        const ports = s.ports.map((p) => `${p.port?.value ?? '?'}${p.name ? ` (${p.name})` : ''}`).join(', ');
        const one = s.ports.length === 1 ? s.ports[0] : undefined;
        const newValue = one ? (typeof v === 'number' ? one.port?.value : one.name) : undefined;
        ctx.report(
          ing.file,
          b.port.range,
          `Ingress ${ing.name} sends ${b.path ?? 'its default backend'} to port ${v} of Service ${s.name}, which has ${ports || 'no ports'}. ingress-nginx finds no endpoint for that port and answers 503.`,
          [{ file: s.file, range: s.range, message: `Service ${s.name}: ports ${ports}` }],
          newValue !== undefined ? [{ title: `Use port ${newValue}`, edits: [{ file: ing.file, range: b.port.range, newText: yamlScalar(newValue) }] }] : [],
        );
      }
    }
  },
};
