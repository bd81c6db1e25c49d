import type { ApacheRule } from '../rule';
import { balancerName } from '../config';

/**
 * A <Proxy balancer://NAME> section with no BalancerMember, used by a ProxyPass: httpd starts, then answers
 * 503 with "AH01171: balancer://NAME: No workers in balancer" (Debian's 2.4). Which servers belong there
 * is the user's to say: no fix.
 */
export const balancerWithoutMembers: ApacheRule = {
  id: 'apache/balancer-without-members',
  cause: 'upstream-down',
  severity: 'error',
  title: 'A `balancer://` used by `ProxyPass` has no `BalancerMember`: every request gets 503 (AH01171)',
  appliesTo: ['proxy'],
  check(ctx) {
    const cfg = ctx.config;
    const balancers = cfg.balancers();
    for (const scope of cfg.scopes) {
      for (const node of scope.all) {
        if (node.d.key !== 'proxypass' && node.d.key !== 'proxypassmatch') continue;
        const url = node.d.args[cfg.pathContainer(node) ? 0 : 1];
        const b = balancers.get(balancerName(url?.value) ?? '');
        if (!url || !b || b.members.length > 0 || b.sections.length === 0) continue;
        ctx.report(node, `balancer://${b.name} has no BalancerMember: httpd starts, then answers every request for ${url.value} with 503 and logs "AH01171: balancer://${b.name}: No workers in balancer". Add a BalancerMember line per backend server to its <Proxy> section.`, {
          start: url.start,
          end: url.end,
          related: b.sections.map((s) => ({ node: s, message: `<Proxy balancer://${b.name}> has no BalancerMember` })),
        });
      }
    }
  },
};
