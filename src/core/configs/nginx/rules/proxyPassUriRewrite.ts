import type { NginxRule } from '../rule';
import { parseProxyTarget } from '../upstreamTarget';
import { locationMatch } from '../locationMatch';

export const proxyPassUriRewrite: NginxRule = {
  id: 'nginx/proxy-pass-uri-rewrite',
  cause: 'routing',
  severity: 'warning',
  title: 'proxy_pass URI and location prefix disagree on the trailing slash: paths arrive mangled',
  appliesTo: ['proxy_pass'],
  check(ctx) {
    for (const node of ctx.nodes('proxy_pass')) {
      const value = node.d.args[0]?.value ?? '';
      const target = parseProxyTarget(value);
      const loc = node.parent;
      // With variables nginx passes the URI as written; `rewrite … break` makes it ignore the URI part.
      if (!target?.uri || target.hasVariable || loc?.d.name !== 'location') continue;
      if (loc.children?.some((c) => c.d.name === 'rewrite')) continue;
      const m = locationMatch(loc);
      if (!m || m.kind !== 'prefix') continue;
      const uri = target.uri;
      const locSlash = m.path.endsWith('/');
      if (locSlash === uri.endsWith('/')) continue;
      const request = locSlash ? `${m.path}users` : `${m.path}/users`;
      const sent = uri + request.slice(m.path.length);
      const base = `proxy_pass replaces the matched prefix '${m.path}' with '${uri}', so a request for ${request} reaches the upstream as ${sent}`;
      if (locSlash) {
        ctx.report(node, `${base}: the slash between them is lost and the upstream answers 404 (or the wrong route). End the URI with '/' like the location.`, {
          fixes: [{ title: `Add the trailing slash: proxy_pass ${value}/`, edits: [ctx.replaceArg(node, 0, value + '/')] }],
        });
        continue;
      }
      // `proxy_pass http://b/` in `location /api`: dropping the slash would forward /api/… unchanged, a
      // different meaning, so the location gets the slash instead (nginx then 301s /api to /api/).
      const dupe = uri === '/' && ctx.siblings(loc).some((s) => s !== loc && s.d.name === 'location' && ['prefix', 'exact'].includes(locationMatch(s)?.kind ?? '') && locationMatch(s)?.path === m.path + '/');
      const fix =
        uri === '/'
          ? { title: `Add the trailing slash to the location: ${m.path}/`, edits: [ctx.replaceArg(loc, m.argIndex, loc.d.args[m.argIndex].value + '/')] }
          : { title: `Remove the trailing slash: proxy_pass ${value.slice(0, -1)}`, edits: [ctx.replaceArg(node, 0, value.slice(0, -1))] };
      ctx.report(node, `${base} (a doubled slash, which many apps do not route), and ${m.path}x matches too. Make both end in '/' or neither.`, {
        related: [{ node: loc, message: 'location prefix without a trailing slash' }],
        fixes: dupe ? [] : [fix],
      });
    }
  },
};
