import type { ApacheRule } from '../rule';
import { balancerName } from '../config';
import { nearestName } from '../../../text';

/**
 * A ProxyPass to balancer://NAME that no <Proxy balancer://NAME> or BalancerMember defines: httpd starts,
 * then answers 503 and logs "AH01171: balancer://NAME: No workers in balancer" (Debian's 2.4).
 */
export const unknownBalancer: ApacheRule = {
  id: 'apache/unknown-balancer',
  cause: 'routing',
  severity: 'error',
  title: '`ProxyPass` to a `balancer://` that is not defined: every request gets 503 (AH01171)',
  appliesTo: ['proxypass', 'proxypassmatch'],
  check(ctx) {
    const cfg = ctx.config;
    const balancers = cfg.balancers();
    const names = [...balancers.keys()];
    // A balancer may live in a file we could not follow or in a main config we do not see: then say so instead of insisting.
    const partial = !cfg.complete;
    for (const scope of cfg.scopes) {
      for (const node of scope.all) {
        if (node.d.key !== 'proxypass' && node.d.key !== 'proxypassmatch') continue;
        const index = cfg.pathContainer(node) ? 0 : 1;
        const url = node.d.args[index];
        const name = balancerName(url?.value);
        if (!url || !name || name.includes('${') || balancers.has(name)) continue;
        const near = nearestName(name, names);
        const consequence = `httpd starts, then answers every request for it with 503 and logs "AH01171: balancer://${name}: No workers in balancer"`;
        if (near) {
          const fixed = url.value.replace(/^(balancer:\/\/)[^/]+/i, `$1${near}`);
          ctx.report(node, `No balancer named '${name}' is defined (did you mean '${near}'?): ${consequence}.`, {
            start: url.start,
            end: url.end,
            fixes: [{ title: `Use balancer://${near}`, edits: [ctx.replaceArg(node, index, fixed)] }],
          });
        } else {
          ctx.report(
            node,
            partial
              ? `No <Proxy balancer://${name}> in this file or what it includes. Unless the main config (apache2.conf, httpd.conf) or a file it includes defines it, ${consequence}.`
              : `No <Proxy balancer://${name}> section or BalancerMember defines this balancer: ${consequence}.`,
            { start: url.start, end: url.end, severity: partial ? 'warning' : 'error' },
          );
        }
      }
    }
  },
};
