import * as net from 'net';
import type { NginxRule } from '../rule';
import { enclosing } from '../tree';
import { nearestName as nearest } from '../../../text';

export const proxyPassUnknownUpstream: NginxRule = {
  id: 'nginx/proxy-pass-unknown-upstream',
  cause: 'routing',
  severity: 'error',
  title: '`proxy_pass http://NAME` where no `upstream NAME {}` exists',
  appliesTo: ['proxy_pass'],
  check(ctx) {
    const groups = ctx.nodes('upstream').filter((u) => !enclosing(u, 'stream')).map((u) => u.d.args[0]?.value ?? '');
    const known = new Set(groups.map((g) => g.toLowerCase()));
    for (const node of ctx.nodes('proxy_pass')) {
      const value = node.d.args[0]?.value ?? '';
      // Only a bare word: a dot, a port or a variable makes it a host name or a run-time target.
      const m = /^(https?:\/\/)([^/:.$\[\]]+)(\/[^$]*)?$/i.exec(value);
      if (!m || enclosing(node, 'stream')) continue;
      const host = m[2];
      if (known.has(host.toLowerCase()) || host.toLowerCase() === 'localhost' || net.isIP(host)) continue;
      const near = nearest(host, groups);
      // A conf.d file linted alone may use upstreams defined in a sibling file: only a near miss is telling.
      if (ctx.tree.rootContext !== 'main' && !near) continue;
      if (near) {
        ctx.report(node, `No upstream named '${host}' exists; did you mean '${near}'? nginx would look '${host}' up as a host name, and \`nginx -t\` fails with "host not found in upstream" (nginx does not start or reload).`, {
          fixes: [{ title: `Use upstream '${near}'`, edits: [ctx.replaceArg(node, 0, m[1] + near + (m[3] ?? ''))] }],
        });
      } else {
        ctx.report(
          node,
          `No upstream named '${host}' exists, so nginx treats it as a host name. Unless '${host}' resolves where nginx runs ` +
            '(a docker compose service, /etc/hosts), `nginx -t` fails with "host not found in upstream" and nginx does not start or reload.',
          { severity: 'warning' },
        );
      }
    }
  },
};
