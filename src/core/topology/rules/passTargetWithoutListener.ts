import type { AppListener, AppServerConfig } from '../../configs/appServers';
import { isLoopbackHost, isWildcardHost } from '../../configs/appServers/model';
import type { Fix } from '../../finding';
import { NginxTarget, describeListener, isLocalTarget, listenerServes } from '../chain';
import { TopologyContext, TopologyRule, TreeView } from '../rule';

export const passTargetWithoutListener: TopologyRule = {
  id: 'topology/pass-target-without-listener',
  cause: 'routing',
  severity: 'warning',
  title: 'nginx passes requests to a local address or socket where no app server of the workspace listens',
  check(ctx) {
    for (const view of ctx.views) {
      const listeners = view.apps.flatMap((app) => app.listeners.map((l) => ({ app, l })));
      if (listeners.length === 0) continue; // the stack's app servers are not described: nothing to compare
      for (const hop of view.hops)
        for (const t of hop.targets) {
          // A TLS endpoint (a gateway, stunnel, an app with its own certificate) is not among the plain listeners read here.
          if (t.tls) continue;
          // A compose service name: that service's app server must listen on the port, on an address other
          // containers reach (not its own loopback).
          const service = t.host ? view.apps.filter((a) => a.service === t.host) : [];
          if (service.length) {
            reportService(ctx, view, hop.pass.d.name, t, service);
            continue;
          }
          if (!isLocalTarget(t)) continue;
          if (listeners.some((x) => listenerServes(x.l, t)) || ctx.nginxListeners.some((n) => listenerServes(n, t))) continue;
          const same = listeners.filter((x) => x.l.protocol === t.protocol);
          if (same.length === 0) continue; // e.g. a PHP-FPM pool only, and this is proxy_pass: not ours to judge
          const isSocket = t.socket !== undefined;
          // The one listener of the same form (a socket for a socket, a port for a port) is the fix's choice.
          const alike = same.filter((x) => (x.l.socket !== undefined) === isSocket);
          const found = same.slice(0, 4).map((x) => `${x.app.label} on ${describeListener(x.l)}`).join(', ');
          const failure = isSocket ? 'connect() to unix:… failed (2: No such file or directory)' : 'connect() failed (111: Connection refused)';
          ctx.reportAt(
            view,
            t.node,
            `${hop.pass.d.name} sends requests to ${describeListener(t)}, but no app server in the workspace listens there (it has ${found}${same.length > 4 ? ', …' : ''}). nginx logs "${failure} while connecting to upstream" and answers 502.`,
            same.slice(0, 4).map((x) => ({ file: x.l.file, range: x.l.range, message: `${x.app.label} listens on ${describeListener(x.l)}` })),
            alike.length === 1 ? fixTo(ctx, view, t, alike[0].l, alike[0].app) : [],
            t.argIndex,
          );
        }
    }
  },
};

/** Point the target at the one listener of its kind (same socket-or-port form, reachable from here). */
function fixTo(ctx: TopologyContext, view: TreeView, t: NginxTarget, l: AppListener, app: AppServerConfig): Fix[] {
  const arg = t.node.d.args[t.argIndex];
  if (!arg) return [];
  const value = arg.value;
  let next: string | undefined;
  if (t.socket !== undefined && l.socket !== undefined) {
    const at = value.indexOf(t.socket);
    if (at >= 0) next = value.slice(0, at) + l.socket + value.slice(at + t.socket.length);
  } else if (t.port !== undefined && l.port !== undefined && (isWildcardHost(l.host) || isLoopbackHost(l.host))) {
    // Replace the port in the authority (`http://127.0.0.1:8001/x`, `127.0.0.1:9001`, `localhost` → add it).
    const m = /^((?:[a-z][a-z0-9+.-]*:\/\/)?)(\[[^\]]+\]|[^/:]+)(?::(\d+))?(.*)$/i.exec(value);
    if (m) next = `${m[1]}${m[2]}:${l.port}${m[4]}`;
  }
  if (next === undefined || next === value) return [];
  const shown = t.socket !== undefined ? describeListener(l) : describeListener({ host: t.host, port: l.port });
  return [{ title: `Send to ${shown}, where ${app.label} listens`, edits: [view.ctx.replaceArg(t.node, t.argIndex, next)] }];
}

function reportService(ctx: TopologyContext, view: TreeView, pass: string, t: NginxTarget, apps: AppServerConfig[]): void {
  const ls = apps.flatMap((app) => app.listeners.filter((l) => l.protocol === t.protocol && l.socket === undefined).map((l) => ({ app, l })));
  if (!ls.length || ls.some((x) => x.l.port === t.port && isWildcardHost(x.l.host))) return;
  const loop = ls.find((x) => x.l.port === t.port && isLoopbackHost(x.l.host));
  if (loop) {
    // Bound to the container's own loopback: the port is right, the address is not reachable from nginx's container.
    const q = loop.l.quote ?? '';
    const fix: Fix[] = !loop.l.isDefault ? [{ title: `Bind ${loop.app.label} to 0.0.0.0:${t.port}`, edits: [ctx.replaceRange(loop.l.file, loop.l.range, `${q}0.0.0.0:${t.port}${q}`)] }] : [];
    ctx.reportAt(
      view,
      t.node,
      `${pass} sends requests to the compose service ${t.host} on port ${t.port}, and ${loop.app.label} listens on ${describeListener(loop.l)}${loop.l.isDefault ? ' (its default)' : ''}: the loopback of its own container, which nginx's container cannot reach. nginx logs "connect() failed (111: Connection refused) while connecting to upstream" and answers 502. Bind it to 0.0.0.0:${t.port}.`,
      [{ file: loop.l.file, range: loop.l.range, message: `${loop.app.label} listens on ${describeListener(loop.l)}` }],
      fix,
      t.argIndex,
    );
    return;
  }
  const alike = ls.length === 1 ? ls[0] : undefined;
  ctx.reportAt(
    view,
    t.node,
    `${pass} sends requests to the compose service ${t.host} on port ${t.port}, but ${ls.map((x) => `${x.app.label} listens on ${describeListener(x.l)}`).join(', ')}. nginx logs "connect() failed (111: Connection refused) while connecting to upstream" and answers 502.`,
    ls.slice(0, 4).map((x) => ({ file: x.l.file, range: x.l.range, message: `${x.app.label} listens on ${describeListener(x.l)}` })),
    alike && isWildcardHost(alike.l.host) ? fixTo(ctx, view, t, alike.l, alike.app) : [],
    t.argIndex,
  );
}
