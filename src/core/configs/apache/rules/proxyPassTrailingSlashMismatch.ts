import type { ApacheRule } from '../rule';
import { backendUrl } from '../config';

/**
 * mod_proxy docs, ProxyPass: "If the first argument ends with a trailing /, the second argument should
 * also end with a trailing /, and vice versa. Otherwise, the resulting requests to the backend may imply
 * some unintended double slashes." httpd appends what follows the path to the URL as is: with Debian's 2.4,
 * `/s/ → http://b/s` sends /s/x as /sx, `/d → http://b/d/` sends /d/x as /d//x, and `/ → http://b:8080`
 * turns /x into host "b:8080x" (500, AH00898 DNS lookup failure). The fix gives the URL the path's slash.
 */
export const proxyPassTrailingSlashMismatch: ApacheRule = {
  id: 'apache/proxypass-trailing-slash-mismatch',
  cause: 'routing',
  severity: 'warning',
  title: '`ProxyPass` path and URL disagree on the trailing slash: the backend gets glued or doubled slashes',
  appliesTo: ['proxypass'],
  check(ctx) {
    const cfg = ctx.config;
    for (const p of cfg.proxyPasses()) {
      if (!p.url || p.url.value === '!' || p.url.value.includes('${')) continue;
      // In <Location /x> the path is the Location's (a <LocationMatch> regex has no prefix to compare).
      const path = p.location ? (p.location.d.key === 'location' ? p.location.d.args[0]?.value : undefined) : p.path?.value;
      if (!path || path.includes('${') || !path.startsWith('/')) continue;
      const full = p.url.value;
      const url = backendUrl(full);
      const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(.*)$/i.exec(url);
      if (!m) continue;
      const pathSlash = path.endsWith('/');
      const urlSlash = url.endsWith('/');
      if (pathSlash === urlSlash) continue;
      const fixedUrl = urlSlash ? full.slice(0, -1) : full + '/';
      const example = pathSlash ? `${path}x becomes ${url}x` : `${path}/x becomes ${url}/x`;
      const hostOnly = m[1] === '' ? ` With no path in the URL the rest is glued to the host and port, so requests fail with 500 (AH00898 "DNS lookup failure").` : '';
      ctx.report(
        p.node,
        `The path ${path} ${pathSlash ? 'ends' : 'does not end'} with a slash but the URL ${url} ${urlSlash ? 'does' : 'does not'}: httpd appends the rest of the request path to the URL as is, so ${example}.${hostOnly}`,
        { start: p.url.start, end: p.url.end, fixes: [{ title: `Use \`${fixedUrl}\``, edits: [ctx.replaceArg(p.node, p.node.d.args.indexOf(p.url), fixedUrl)] }] },
      );
    }
  },
};
