import type { CaddyRule } from '../rule';
import { isHostName, isIpAddress, usesTls } from '../config';

/**
 * An `https://` upstream written as an IP address: Go's TLS client sends no SNI for an address and
 * checks the certificate against the address itself, so a certificate issued for a name fails with
 * "x509: cannot validate certificate for 10.0.0.5 because it doesn't contain any IP SANs" and Caddy
 * answers 502. `transport http { tls_server_name NAME }` sends the name and verifies against it. The fix
 * is offered only when the block already says which name (a literal `header_up Host NAME`).
 */
export const httpsUpstreamByIpWithoutServerName: CaddyRule = {
  id: 'caddy/https-upstream-by-ip-without-server-name',
  cause: 'tls',
  severity: 'warning',
  title: 'An HTTPS upstream given by IP address without `tls_server_name`: no SNI, and the certificate is checked against the IP',
  appliesTo: ['reverse_proxy'],
  check(ctx) {
    const cfg = ctx.config;
    for (const rp of cfg.reverseProxies()) {
      if (rp.incomplete) continue;
      const transport = cfg.transport(rp);
      if (transport.name !== 'http' || transport.incomplete) continue;
      const has = (name: string) => transport.options.some((o) => o.name === name);
      if (has('tls_server_name') || has('tls_insecure_skip_verify')) continue;
      const tlsOn = has('tls');
      const hostHeader = rp.options.find((o) => o.name === 'header_up' && o.args[0]?.text.toLowerCase() === 'host' && o.args.length === 2);
      const name = hostHeader && !hostHeader.args[1].env && isHostName(hostHeader.args[1].text.replace(/:\d+$/, '')) ? hostHeader.args[1].text.replace(/:\d+$/, '') : undefined;
      for (const u of rp.upstreams) {
        if (u.opaque || !isIpAddress(u.host) || !(usesTls(u) || (tlsOn && u.scheme !== 'http' && u.scheme !== 'h2c'))) continue;
        const fixes = [];
        if (name && (transport.directive === undefined || cfg.isOwn(transport.directive))) {
          const edit = transport.directive ? ctx.insertInBlock(transport.directive, `tls_server_name ${name}`) : ctx.insertInBlock(rp.directive, 'transport http', [`tls_server_name ${name}`]);
          fixes.push({ title: `Send SNI ${name} and verify the certificate for it (\`tls_server_name ${name}\`)`, edits: [edit] });
        }
        ctx.report(
          rp.directive,
          `the upstream ${u.token.text} is an IP address over TLS and the transport has no \`tls_server_name\`: Caddy sends no SNI and checks the upstream's certificate against ${u.host}, so a certificate issued for a name fails the handshake and every request gets 502 ("x509: cannot validate certificate for ${u.host} because it doesn't contain any IP SANs"). Set \`tls_server_name\` in \`transport http\` to the name on the certificate.`,
          { at: u.token, fixes },
        );
      }
    }
  },
};
