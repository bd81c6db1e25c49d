import type { NginxRule, RuleContext } from '../rule';
import { parseProxyTarget } from '../upstreamTarget';

const PASS = ['proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'grpc_pass'];

export const variableProxyPassWithoutResolver: NginxRule = {
  id: 'nginx/variable-proxy-pass-without-resolver',
  cause: 'dns',
  severity: 'error',
  title: 'A variable in the upstream host, and no `resolver` to look it up at run time',
  appliesTo: PASS,
  check(ctx) {
    for (const node of ctx.nodes(...PASS)) {
      // `$scheme://host` is a variable scheme, not a variable host.
      const value = (node.d.args[0]?.value ?? '').replace(/^\$\{?\w+\}?:\/\//, 'http://');
      const target = parseProxyTarget(value);
      if (!target || target.unixSocket !== undefined || !target.hostHasVariable) continue;
      if (ctx.effective(node.parent, 'resolver').source !== 'unset') continue;
      if (needsNoLookup(ctx, target.host, target.port !== undefined)) continue;
      ctx.report(
        node,
        `The host in \`${node.d.args[0].value}\` contains a variable, so nginx looks the name up per request, but no \`resolver\` ` +
          'applies here. Every request fails with "no resolver defined to resolve …" and a 502. Add `resolver ADDRESS valid=30s;` ' +
          '(your DNS server; 127.0.0.11 inside Docker) to this server or to http {}.',
      );
    }
  },
};

/**
 * True when the host is one variable whose every assigned value (from `set` or `map`) is an upstream
 * group name or an IP address: nginx then never asks DNS (the blue/green `map` pattern). A group only
 * matches when no port is given, as in ngx_http_upstream_init_request.
 */
function needsNoLookup(ctx: RuleContext, host: string, withPort: boolean): boolean {
  const m = /^\$\{?(\w+)\}?$/.exec(host);
  if (!m) return false;
  const name = '$' + m[1];
  const values: string[] = [];
  for (const s of ctx.nodes('set')) if (s.d.args[0]?.value === name && s.d.args[1]) values.push(s.d.args[1].value);
  for (const map of ctx.nodes('map')) {
    if (map.d.args[1]?.value !== name) continue;
    for (const entry of map.children ?? []) {
      if (['hostnames', 'volatile', 'include'].includes(entry.d.name)) continue;
      const v = entry.d.args[entry.d.args.length - 1]?.value;
      if (v !== undefined) values.push(v);
    }
  }
  if (values.length === 0) return false;
  const groups = new Set(ctx.nodes('upstream').map((u) => u.d.args[0]?.value));
  return values.every((v) => {
    const t = parseProxyTarget(v);
    return !!t && !t.hasVariable && (t.unixSocket !== undefined || t.hostIsIp || (!withPort && t.port === undefined && groups.has(t.host)));
  });
}
