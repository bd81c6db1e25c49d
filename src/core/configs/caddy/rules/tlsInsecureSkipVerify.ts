import type { CaddyRule } from '../rule';
import { walkDirectives } from '../parser';

/**
 * transport http docs: `tls_insecure_skip_verify` "turns off security. Do not use in production." It also
 * hides the next certificate problem (an expired or wrong certificate still gets through). No fix: the
 * right certificate setup (`tls_trusted_ca_certs`, `tls_server_name`) is the user's to choose.
 */
export const tlsInsecureSkipVerify: CaddyRule = {
  id: 'caddy/tls-insecure-skip-verify',
  cause: 'tls',
  severity: 'info',
  title: '`tls_insecure_skip_verify`: the upstream’s certificate is not checked at all',
  appliesTo: ['tls_insecure_skip_verify'],
  check(ctx) {
    for (const top of ctx.config.parsed.blocks) {
      for (const { directive, parents } of walkDirectives(top.body)) {
        if (directive.name !== 'tls_insecure_skip_verify' || parents[parents.length - 1]?.name !== 'transport') continue;
        ctx.report(
          directive,
          '`tls_insecure_skip_verify` turns off certificate checks to the upstream (the docs: "Do not use in production"): anyone on the path can impersonate it, and an expired or wrong certificate goes unnoticed until the skip is removed. Trust the upstream\'s CA with `tls_trusted_ca_certs` (and name it with `tls_server_name`) instead.',
        );
      }
    }
  },
};
