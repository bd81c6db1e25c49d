import type { ApacheRule } from '../rule';
import type { ProxyPassLine } from '../config';

/**
 * Does ProxyPass path `p` catch every URL that `q` would? httpd matches a path as a prefix that ends at a
 * segment boundary (`/app` takes /app and /app/x, not /application; seen with Debian's 2.4), so yes when q
 * starts with p at such a boundary.
 */
export function covers(p: string, q: string): boolean {
  if (!q.startsWith(p)) return false;
  return p.endsWith('/') || q.length === p.length || q[p.length] === '/';
}

/**
 * mod_proxy docs, ProxyPass ordering: the rules are checked in the order they are written, the first
 * match wins, so longer paths must come first: "later rules for longer URLS will be hidden by any earlier
 * rule which uses a leading substring of the URL". httpd starts without a word and sends those requests to
 * the earlier line's backend. The fix moves the hidden line above the one that hides it.
 */
export const proxyPassShadowed: ApacheRule = {
  id: 'apache/proxypass-shadowed',
  cause: 'routing',
  severity: 'warning',
  title: 'A `ProxyPass` for a longer path comes after a shorter one that already matches it: it never applies',
  appliesTo: ['proxypass'],
  check(ctx) {
    const cfg = ctx.config;
    const byScope = new Map<unknown, ProxyPassLine[]>();
    for (const p of cfg.proxyPasses()) {
      if (p.location || !p.path || !p.url || p.path.value.includes('${')) continue;
      let l = byScope.get(p.scope);
      if (!l) byScope.set(p.scope, (l = []));
      l.push(p);
    }
    for (const lines of byScope.values()) {
      for (let j = 1; j < lines.length; j++) {
        const later = lines[j];
        const earlier = lines.slice(0, j).find((e) => covers(e.path!.value, later.path!.value));
        if (!earlier) continue;
        const ep = earlier.path!.value;
        const lp = later.path!.value;
        const eu = earlier.url!.value;
        const lu = later.url!.value;
        // Same destination either way (`/a http://b/a` then `/a/b http://b/a/b`): hidden, but harmless.
        if (eu !== '!' && lu !== '!' && eu + lp.slice(ep.length) === lu && later.params.size === 0) continue;
        const where = `${earlier.node.d.file === later.node.d.file ? 'line' : earlier.node.d.file + ':'} ${earlier.node.d.line + 1}`;
        const goes = eu === '!' ? 'are not proxied at all (its `!` excludes them)' : `go to ${eu}${lp.slice(ep.length)}`;
        const what = lu === '!' ? `the exclusion \`ProxyPass ${lp} !\` never applies` : `\`ProxyPass ${lp} ${lu}\` never applies`;
        const move = ctx.moveBefore(later.node, earlier.node);
        ctx.report(
          later.node,
          `${what}: the earlier \`ProxyPass ${ep} ${eu}\` (${where}) already matches every URL under ${lp}, and httpd uses the first ProxyPass that matches, so those requests ${goes}. Put the longer path first.`,
          {
            start: later.path!.start,
            end: later.path!.end,
            related: [{ node: earlier.node, message: `ProxyPass ${ep} matches first` }],
            fixes: move ? [{ title: `Move \`ProxyPass ${lp}\` above \`ProxyPass ${ep}\``, edits: move }] : [],
          },
        );
      }
    }
  },
};
