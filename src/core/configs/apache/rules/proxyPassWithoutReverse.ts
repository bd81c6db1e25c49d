import type { ApacheRule } from '../rule';
import { backendUrl } from '../config';

/**
 * Does ProxyPassReverse URL `r` rewrite redirects to `url`? httpd rewrites a Location header that starts
 * with r, so yes when url is r or below it (a trailing slash more or less makes no difference).
 */
function rewrites(r: string, url: string): boolean {
  const a = r.replace(/\/$/, '').toLowerCase();
  const b = url.replace(/\/$/, '').toLowerCase();
  return b === a || (b.startsWith(a) && b[a.length] === '/');
}

/**
 * mod_proxy docs, ProxyPassReverse: it rewrites Location, Content-Location and URI on redirects, which is
 * "essential" in a reverse proxy so the backend's redirects do not send clients to the backend's own host.
 * Without it a backend redirect (a login, a missing trailing slash) points the browser at a host it cannot
 * reach. The fix is the documented pair: ProxyPassReverse with the same path and URL.
 */
export const proxyPassWithoutReverse: ApacheRule = {
  id: 'apache/proxypass-without-reverse',
  cause: 'routing',
  severity: 'warning',
  title: '`ProxyPass` without a matching `ProxyPassReverse`: backend redirects leak the backend host',
  appliesTo: ['proxypass'],
  check(ctx) {
    const cfg = ctx.config;
    const reverses = cfg.scopes.flatMap((scope) => scope.all.filter((n) => n.d.key === 'proxypassreverse').map((n) => ({ n, scope, location: cfg.pathContainer(n) })));
    for (const p of cfg.proxyPasses()) {
      if (!p.url || p.url.value === '!' || p.url.value.includes('${')) continue;
      const url = backendUrl(p.url.value);
      if (!/^(https?|balancer):\/\//i.test(url)) continue; // fcgi://, ajp:// … answer redirects through httpd itself
      const covered = reverses.some((r) => {
        // In <Location> ProxyPassReverse takes only the URL; elsewhere a path and then the URL.
        const rUrl = r.location ? r.n.d.args[0]?.value : r.n.d.args[1]?.value;
        if (!rUrl || !rewrites(backendUrl(rUrl), url)) return false;
        // Server-level lines apply to every URL of the scope (and the main server's to every virtual host).
        if (r.location) return r.location === p.location;
        return r.scope === p.scope || r.scope === cfg.main;
      });
      if (covered) continue;
      const text = p.location ? `ProxyPassReverse ${p.url.value}` : `ProxyPassReverse ${p.path?.value ?? '/'} ${p.url.value}`;
      ctx.report(
        p.node,
        `No ProxyPassReverse for ${url}: when the backend answers with a redirect (Location: ${url.replace(/\/$/, '')}/…), httpd passes it on unchanged and the browser goes straight to the backend's host, which clients usually cannot reach (or reach without the proxy).`,
        { start: p.url.start, end: p.url.end, fixes: [{ title: `Add \`${text}\``, edits: [ctx.insertAfter(p.node, text)] }] },
      );
    }
  },
};
