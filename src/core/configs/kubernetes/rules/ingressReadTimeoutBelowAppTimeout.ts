import type { Fix } from '../../../finding';
import type { KubernetesRule } from '../rule';

const ANNOTATION = 'nginx.ingress.kubernetes.io/proxy-read-timeout';
/** ingress-nginx's default proxy-read-timeout, in seconds. */
const DEFAULT_S = 60;

export const ingressReadTimeoutBelowAppTimeout: KubernetesRule = {
  id: 'kubernetes/ingress-read-timeout-below-app-timeout',
  cause: 'timeout-mismatch',
  severity: 'warning',
  title: "ingress-nginx's proxy-read-timeout is shorter than the request limit of the app server behind the Service",
  check(ctx) {
    for (const ing of ctx.m.ingresses) {
      if (ing.className && !/nginx/.test(ing.className)) continue; // another controller: its own timeouts
      const ann = ing.annotations[ANNOTATION];
      const readS = ann && /^\d+$/.test(ann.value.trim()) ? Number(ann.value.trim()) : ann ? undefined : DEFAULT_S;
      if (readS === undefined) continue;
      const done = new Set<string>();
      for (const b of ing.backends) {
        const s = ctx.services(ing.namespace).find((x) => x.name === b.service.value);
        if (!s) continue;
        for (const w of ctx.podsOf(s))
          for (const c of w.containers) {
            const app = ctx.appOf(w, c);
            const limit = app?.requestTimeout;
            if (!app || !limit || limit.ms <= readS * 1000 || done.has(`${w.file}:${c.name}`)) continue;
            done.add(`${w.file}:${c.name}`);
            const want = Math.ceil(limit.ms / 1000) + 5;
            const fixes: Fix[] = ann ? [{ title: `Set ${ANNOTATION} to "${want}"`, edits: [{ file: ing.file, range: ann.range, newText: `"${want}"` }] }] : [];
            ctx.report(
              ing.file,
              ann ? ann.range : b.service.range,
              `ingress-nginx waits at most ${readS} s for Service ${s.name} (${ann ? ANNOTATION : `${ANNOTATION} not set, the default`}), but container ${c.name} of ${w.kind} ${w.name} runs ${app.kind} with a request limit of ${limit.ms / 1000} s (${limit.setting}${limit.isDefault ? ', its default' : ` ${limit.text}`}): a request that takes longer than ${readS} s gets 504 from the ingress while the app still works on it.${ann ? '' : ` Add the annotation ${ANNOTATION}: "${want}" to the Ingress.`}`,
              [{ file: w.file, range: limit.range, message: `${w.kind} ${w.name}, container ${c.name}: ${app.kind} ${limit.setting}${limit.isDefault ? ' (default)' : ` ${limit.text}`}` }],
              fixes,
            );
          }
      }
    }
  },
};
