import type { HaproxyRule } from '../rule';
import { isHostName, serverHost, serverOptions } from '../config';

/**
 * HAProxy sends no SNI to a server unless the server line has `sni <expression>` (configuration manual,
 * "sni"): a host behind a CDN or a shared TLS front needs it to pick the certificate. The manual says to
 * use `req.hdr(host)` for HTTPS, so that is the fix in http mode; in tcp mode the server's own name is
 * the only name there is.
 */
export const sslServerWithoutSni: HaproxyRule = {
  id: 'haproxy/ssl-server-without-sni',
  cause: 'tls',
  severity: 'warning',
  title: '`server … ssl` to a host name without `sni`: the TLS handshake sends no server name',
  appliesTo: ['server'],
  check(ctx) {
    const cfg = ctx.config;
    for (const be of cfg.backends()) {
      const defaults = cfg.defaultServerLines(be).map(serverOptions);
      const defaultSsl = defaults.some((o) => o.flags.has('ssl'));
      const defaultSni = defaults.some((o) => o.values.has('sni'));
      if (defaultSni) continue;
      const http = cfg.mode(be) === 'http';
      for (const s of cfg.servers(be)) {
        const o = serverOptions(s);
        if (o.values.has('sni') || o.flags.has('no-ssl')) continue;
        if (!o.flags.has('ssl') && !defaultSsl) continue;
        const addr = s.words[2];
        const host = addr && !addr.env ? serverHost(addr.value) : undefined;
        if (!isHostName(host)) continue;
        const byName = { title: `Send SNI ${host} (\`sni str(${host})\`)`, edits: [ctx.appendWords(s, ['sni', `str(${host})`])] };
        const byHost = { title: 'Send the request’s Host as SNI (`sni req.hdr(host)`)', edits: [ctx.appendWords(s, ['sni', 'req.hdr(host)'])] };
        ctx.report(
          s,
          `server ${s.words[1]?.value ?? ''} connects to ${host} over TLS without sending SNI: a server that hosts several names (a CDN, a shared load balancer, most managed platforms) ` +
            'then presents a default certificate or aborts the handshake, and HAProxy answers 503 (`SC`, connection error) or fails its health checks.' +
            (http ? ' For HTTPS the manual recommends `sni req.hdr(host)`; use `sni str(' + host + ')` when the server expects its own name whatever Host the client sent.' : ''),
          { start: addr.start, end: addr.end, fixes: http ? [byHost, byName] : [byName] },
        );
      }
    }
  },
};
