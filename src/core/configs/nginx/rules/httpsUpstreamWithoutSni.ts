import type { NginxRule } from '../rule';
import { parseProxyTarget } from '../upstreamTarget';

export const httpsUpstreamWithoutSni: NginxRule = {
  id: 'nginx/https-upstream-without-sni',
  cause: 'tls',
  severity: 'warning',
  title: 'https upstream addressed by name without `proxy_ssl_server_name on`',
  appliesTo: ['proxy_pass'],
  check(ctx) {
    for (const node of ctx.nodes('proxy_pass')) {
      const target = parseProxyTarget(node.d.args[0]?.value ?? '');
      if (!target || target.scheme !== 'https' || target.hostIsIp || target.hostHasVariable) continue;
      const eff = ctx.effective(node.parent, 'proxy_ssl_server_name');
      if (eff.args[0] === 'on') continue;
      const explicitOff = eff.nodes[0];
      // For an upstream{} group, SNI would send the group's name: the real name is the user's to choose.
      const isGroup = ctx.nodes('upstream').some((u) => u.d.args[0]?.value === target.host);
      if (isGroup && ctx.effective(node.parent, 'proxy_ssl_name').source === 'unset') {
        ctx.report(
          node,
          `nginx connects to upstream group '${target.host}' over TLS without SNI. If the servers behind it serve several names, ` +
            'the handshake fails and nginx answers 502. Set `proxy_ssl_name` to the name on their certificate and `proxy_ssl_server_name on;`.',
          { related: explicitOff ? [{ node: explicitOff, message: 'SNI turned off here' }] : [] },
        );
        continue;
      }
      ctx.report(
        node,
        `nginx connects to ${target.host} over TLS without sending SNI (proxy_ssl_server_name is ${explicitOff ? 'off here' : 'off by default'}). ` +
          'Upstreams that serve several names (CDNs, PaaS, shared load balancers) then fail the handshake and nginx answers 502 ' +
          '("SSL_do_handshake() failed … sslv3 alert handshake failure").',
        {
          related: explicitOff ? [{ node: explicitOff, message: 'SNI turned off here' }] : [],
          fixes: [
            explicitOff && explicitOff.d.file === node.d.file && explicitOff.parent === node.parent
              ? { title: 'Turn on proxy_ssl_server_name', edits: [ctx.replaceArg(explicitOff, 0, 'on')] }
              : { title: 'Add `proxy_ssl_server_name on;`', edits: [ctx.insertAfter(node, ['proxy_ssl_server_name on;'])] },
          ],
        },
      );
    }
  },
};
