import { describeListener, isLocalTarget, listenerServes } from '../chain';
import { TopologyRule } from '../rule';

const PASS_FOR: Record<string, string> = { http: 'proxy_pass', uwsgi: 'uwsgi_pass', fastcgi: 'fastcgi_pass' };
const SOCKET_FOR: Record<string, string> = { http: 'http-socket', uwsgi: 'socket', fastcgi: 'fastcgi-socket' };

export const passProtocolMismatch: TopologyRule = {
  id: 'topology/pass-protocol-mismatch',
  cause: 'routing',
  severity: 'error',
  title: 'nginx speaks one protocol (HTTP, uwsgi, FastCGI) to a listener that speaks another',
  check(ctx) {
    for (const view of ctx.views)
      for (const hop of view.hops)
        for (const t of hop.targets)
          for (const app of view.apps)
            for (const l of app.listeners) {
              if (l.protocol === t.protocol || !listenerServes(l, t)) continue;
              // An error needs certainty: a name (a compose service, say) matched to a wildcard bind by port is a guess.
              if (!isLocalTarget(t) && (l.host ?? '').toLowerCase() !== (t.host ?? '').toLowerCase()) continue;
              const hint =
                app.kind === 'uwsgi'
                  ? `use ${PASS_FOR[l.protocol]} (with its params) in nginx, or make uWSGI listen with ${SOCKET_FOR[t.protocol]} there`
                  : `use ${PASS_FOR[l.protocol]} in nginx`;
              ctx.reportAt(
                view,
                t.node,
                `${hop.pass.d.name} speaks ${t.protocol === 'http' ? 'HTTP' : t.protocol === 'uwsgi' ? 'the uwsgi protocol' : 'FastCGI'} to ${describeListener(t)}, but ${app.label} listens there with ${l.protocol === 'http' ? 'HTTP' : l.protocol === 'uwsgi' ? 'the uwsgi protocol' : 'FastCGI'}: nginx gets no valid response ("upstream sent invalid header" or "upstream prematurely closed connection") and answers 502. ${hint[0].toUpperCase()}${hint.slice(1)}.`,
                [{ file: l.file, range: l.range, message: `${app.label} listens with ${l.protocol === 'http' ? 'HTTP' : l.protocol === 'uwsgi' ? 'the uwsgi protocol' : 'FastCGI'} here` }],
                [],
                t.argIndex,
              );
            }
  },
};
