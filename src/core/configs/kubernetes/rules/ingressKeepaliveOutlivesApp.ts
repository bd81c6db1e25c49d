import type { Fix } from '../../../finding';
import type { KubernetesRule } from '../rule';

/** ingress-nginx keeps idle upstream connections (upstream-keepalive-timeout in its ConfigMap) this long by default. */
const INGRESS_KEEPALIVE_S = 60;

export const ingressKeepaliveOutlivesApp: KubernetesRule = {
  id: 'kubernetes/ingress-keepalive-outlives-app',
  cause: 'keepalive-race',
  severity: 'warning',
  title: 'ingress-nginx keeps idle upstream connections longer than the app server behind the Service',
  check(ctx) {
    const done = new Set<string>();
    for (const ing of ctx.m.ingresses) {
      // Only ingress-nginx (the annotations say so, or no class names another controller).
      if (ing.className && !/nginx/.test(ing.className)) continue;
      for (const b of ing.backends) {
        const s = ctx.services(ing.namespace).find((x) => x.name === b.service.value);
        if (!s) continue;
        for (const w of ctx.podsOf(s))
          for (const c of w.containers) {
            const key = `${ing.file}:${ing.name}:${w.file}:${c.name}`;
            if (done.has(key)) continue;
            const app = ctx.appOf(w, c);
            const idle = app?.idleKeepAlive;
            if (!app || !idle || idle.ms <= 0 || !Number.isFinite(idle.ms) || idle.ms >= INGRESS_KEEPALIVE_S * 1000) continue;
            done.add(key);
            const q = idle.quote ?? '';
            const fixes: Fix[] = idle.isDefault ? [] : [{ title: `Raise --keep-alive to ${INGRESS_KEEPALIVE_S + 5} s (longer than ingress-nginx's ${INGRESS_KEEPALIVE_S} s)`, edits: [{ file: w.file, range: idle.range, newText: `${q}${INGRESS_KEEPALIVE_S + 5}${q}` }] }];
            ctx.report(
              ing.file,
              b.service.range,
              `ingress-nginx keeps idle connections to Service ${s.name}'s pods for ${INGRESS_KEEPALIVE_S} s (its default upstream-keepalive-timeout, unless its ConfigMap changes it) and reuses them, but container ${c.name} of ${w.kind} ${w.name} runs ${app.kind} that closes an idle connection after ${idle.ms / 1000} s (${idle.setting}${idle.isDefault ? ', its default' : ` ${idle.text}`}). A request sent on a connection the app is closing fails: "upstream prematurely closed connection while reading response header from upstream" and 502, now and then. Let the app keep idle connections longer than ${INGRESS_KEEPALIVE_S} s${idle.isDefault ? ` (add "--keep-alive", "${INGRESS_KEEPALIVE_S + 5}" to its command)` : ''}.`,
              [{ file: w.file, range: idle.range, message: `${w.kind} ${w.name}, container ${c.name}: ${app.kind} ${idle.setting}${idle.isDefault ? ` ${idle.ms / 1000} s (default)` : ` ${idle.text}`}` }],
              fixes,
            );
          }
      }
    }
  },
};
