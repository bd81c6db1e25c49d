import type { ApacheRule } from '../rule';
import { backendUrl } from '../config';

/**
 * mod_ssl docs, SSLProxyEngine: TLS towards backends is off by default for the main server and every
 * virtual host. A ProxyPass to https:// (or wss://) in a scope where it is off fails every request with 500
 * and "AH00961: https: failed to enable ssl support for HOST:PORT" (with AH01961 "[Hint: if using mod_ssl,
 * see SSLProxyEngine]"), seen with Debian's httpd 2.4.
 */
export const httpsBackendWithoutSslProxyEngine: ApacheRule = {
  id: 'apache/https-backend-without-ssl-proxy-engine',
  cause: 'tls',
  severity: 'error',
  title: '`ProxyPass` to an `https://` backend where `SSLProxyEngine` is off: every request fails with 500 (AH00961)',
  appliesTo: ['proxypass', 'proxypassmatch', 'balancermember'],
  check(ctx) {
    const cfg = ctx.config;
    for (const scope of cfg.scopes) {
      const engine = cfg.effective(scope, 'sslproxyengine');
      if (engine && /^on$/i.test(engine.d.args[0]?.value ?? '')) continue;
      const offending = scope.all.flatMap((node) => {
        if (node.d.key !== 'proxypass' && node.d.key !== 'proxypassmatch') return [];
        const url = node.d.args[cfg.pathContainer(node) ? 0 : 1];
        return url && /^(https|wss):\/\//i.test(backendUrl(url.value)) ? [{ node, url }] : [];
      });
      if (offending.length === 0) continue;
      // One edit per scope, the same on each of its https lines (applied once): turn this scope's own
      // `SSLProxyEngine off` on, else add the line before the first https one (at server level: not inside <Location>).
      const ownOff = engine && scope.direct.includes(engine) ? engine : undefined;
      const fix = ownOff
        ? { title: 'Set `SSLProxyEngine on`', edits: [ctx.replaceArg(ownOff, 0, 'on')] }
        : { title: 'Add `SSLProxyEngine on`', edits: [ctx.insertBefore(cfg.scopeLevel(offending[0].node), 'SSLProxyEngine on')] };
      const where = scope.vhost ? `in ${scope.label}` : 'in the main server';
      const off = engine ? ` (\`${engine.d.name} ${engine.d.args[0]?.value ?? ''}\` is in effect)` : ' (it is off unless set)';
      // Read on its own, a vhost may get `SSLProxyEngine on` from a main config we do not see: a warning then.
      const unsure = !engine && !cfg.complete;
      for (const { node, url } of offending) {
        ctx.report(
          node,
          `${url.value} needs TLS towards the backend, but SSLProxyEngine is not on ${where}${off}${unsure ? ' and not in this file or what it includes' : ''}: ${unsure ? 'unless the main config (apache2.conf, httpd.conf) turns it on, ' : ''}httpd answers every request with 500 and logs "AH00961: https: failed to enable ssl support". SSLProxyEngine needs mod_ssl loaded (a2enmod ssl).`,
          { start: url.start, end: url.end, severity: unsure ? 'warning' : undefined, related: engine ? [{ node: engine, message: 'SSLProxyEngine set here' }] : [], fixes: [fix] },
        );
      }
    }
  },
};
