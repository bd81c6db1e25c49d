import type { NginxRule, RuleContext } from '../rule';
import type { ConfNode } from '../tree';
import { ProxyTarget, parseProxyTarget } from '../upstreamTarget';

const PASS = ['proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'grpc_pass'];

export const upstreamHostnameResolvedOnce: NginxRule = {
  id: 'nginx/upstream-hostname-resolved-once',
  cause: 'dns',
  severity: 'info',
  title: 'Upstream host name resolved once at start-up; a changed address is not noticed until reload',
  appliesTo: [...PASS, 'upstream'],
  check(ctx) {
    const groups = new Set(ctx.nodes('upstream').map((u) => u.d.args[0]?.value));
    for (const node of ctx.nodes(...PASS)) {
      const t = literalName(node.d.args[0]?.value);
      if (!t || groups.has(t.host)) continue;
      const host = t.host;
      // A bare word is most likely a group defined in a file not seen here (nginx/proxy-pass-unknown-upstream's case).
      if (!t.host.includes('.') && t.port === undefined) continue;
      ctx.report(
        node,
        `nginx resolves ${host} once, at start or reload, and keeps that address until the next reload. When the name moves to ` +
          'another IP (recreated containers, cloud load balancers, Kubernetes services) requests still go to the old one: 502 or 504. ' +
          `To follow it, put the name in a variable with a \`resolver … valid=30s;\` in scope, or use an upstream {} with ` +
          `\`server ${host}${t.port ? ':' + t.port : ''} resolve;\` and a \`resolver\` (open-source nginx 1.27.3 and later).`,
      );
    }
    for (const node of upstreamServers(ctx)) {
      const host = literalName(node.d.args[0]?.value)?.host;
      if (!host || node.d.args.some((a) => a.value === 'resolve')) continue;
      ctx.report(
        node,
        `nginx resolves ${host} in upstream ${node.parent!.d.args[0]?.value ?? ''} once, at start or reload, and keeps the address ` +
          'until the next reload; if the name moves to another IP, requests go to the old one (502/504). Add `resolve` to this ' +
          'server line, with a `zone` in the upstream and a `resolver` in scope (open-source nginx 1.27.3 and later).',
      );
    }
  },
};

/** The host of a target when it is a literal DNS name (not an IP, localhost, a socket or a variable). */
function literalName(value: string | undefined): ProxyTarget | undefined {
  const t = parseProxyTarget(value ?? '');
  if (!t || t.unixSocket !== undefined || t.hostIsIp || t.hostHasVariable || !t.host) return undefined;
  if (t.host.toLowerCase() === 'localhost') return undefined;
  return t;
}

function upstreamServers(ctx: RuleContext): ConfNode[] {
  return ctx.nodes('server').filter((n) => n.parent?.d.name === 'upstream');
}
