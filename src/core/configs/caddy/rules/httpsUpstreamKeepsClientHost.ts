import type { CaddyRule } from '../rule';
import { isHostName, usesTls } from '../config';

/**
 * reverse_proxy docs (Headers, HTTPS): Caddy passes the client's `Host` through unchanged, while the TLS
 * ServerName it sends is the upstream's name. A name-based upstream (a CDN, a PaaS, another vhost
 * server) then routes by a Host it does not serve: 404/421, or a default site. The docs' fix is
 * `header_up Host {upstream_hostport}`.
 */
export const httpsUpstreamKeepsClientHost: CaddyRule = {
  id: 'caddy/https-upstream-keeps-client-host',
  cause: 'routing',
  severity: 'warning',
  title: 'An HTTPS upstream by name gets the client’s Host header, not its own name (no `header_up Host`)',
  appliesTo: ['reverse_proxy'],
  check(ctx) {
    const cfg = ctx.config;
    for (const rp of cfg.reverseProxies()) {
      if (rp.incomplete) continue;
      if (rp.options.some((o) => o.name === 'header_up' && /^[-+]?host$/i.test(o.args[0]?.text ?? ''))) continue;
      const named = rp.upstreams.filter((u) => !u.opaque && usesTls(u) && isHostName(u.host));
      if (named.length === 0) continue;
      const u = named[0];
      ctx.report(
        rp.directive,
        `Caddy sends the client's own Host header to ${u.token.text} (it passes Host through unchanged), while the TLS handshake names ${u.host}: an upstream that serves several names (a CDN, a hosting platform, a vhost server) routes the request by that foreign Host and answers 404/421 or a wrong site. Send the upstream's name with \`header_up Host {upstream_hostport}\` (the docs' HTTPS example).`,
        { at: u.token, fixes: [{ title: 'Send the upstream’s own name as Host (`header_up Host {upstream_hostport}`)', edits: [ctx.insertInBlock(rp.directive, 'header_up Host {upstream_hostport}')] }] },
      );
    }
  },
};
