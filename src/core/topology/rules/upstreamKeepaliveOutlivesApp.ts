import { formatTime } from '../../configs/nginx/directives';
import type { AppServerConfig } from '../../configs/appServers';
import type { Fix } from '../../finding';
import type { NginxHop } from '../chain';
import { TopologyContext, TopologyRule, TreeView, seconds } from '../rule';
import { distinctApps, servedBy } from './matches';

export const upstreamKeepaliveOutlivesApp: TopologyRule = {
  id: 'topology/upstream-keepalive-outlives-app',
  cause: 'keepalive-race',
  severity: 'warning',
  title: 'nginx keeps idle upstream connections longer than the app server behind it',
  check(ctx) {
    const done = new Set<string>();
    for (const view of ctx.views)
      for (const hop of view.hops) {
        const ka = hop.keepAlive;
        if (!ka) continue;
        for (const { app } of distinctApps(servedBy(hop, view.apps))) {
          const idle = app.idleKeepAlive;
          // 0: the app closes after every response (nothing idle to race); Infinity: it never closes one itself.
          if (!idle || idle.ms <= 0 || !Number.isFinite(idle.ms) || ka.timeoutMs < idle.ms) continue;
          const key = `${ka.upstream.d.file}:${ka.upstream.d.start}:${app.file}:${app.label}`;
          if (done.has(key)) continue;
          done.add(key);
          const name = ka.upstream.d.args[0]?.value ?? '';
          const at = ka.timeoutNode && ka.timeoutNode.parent === ka.upstream ? ka.timeoutNode : ka.keepaliveNode ?? ka.upstream;
          ctx.reportAt(
            view,
            at,
            `nginx keeps idle connections to upstream ${name} for ${seconds(ka.timeoutMs)} (keepalive_timeout${ka.timeoutNode ? '' : ', the default'}) and reuses them, but ${app.label} closes an idle connection after ${seconds(idle.ms)} (${idle.setting} ${idle.isDefault ? `${seconds(idle.ms)} by default${idle.text.includes('(') ? ' ' + idle.text.slice(idle.text.indexOf('(')) : ''}` : `= ${idle.text}`}). A request sent on a connection the app is closing fails: nginx logs "upstream prematurely closed connection while reading response header from upstream" (or "recv() failed (104: Connection reset by peer)") and answers 502, now and then, mostly under light load. The layer in front must let idle connections go first.`,
            [{ file: idle.file, range: idle.range, message: `${app.label}: ${idle.setting} ${idle.isDefault ? `is ${seconds(idle.ms)} by default (not set in this file)` : `= ${idle.text}`}` }],
            fixesFor(ctx, view, hop, app),
            at === ka.upstream ? 0 : undefined,
          );
        }
      }
  },
};

function fixesFor(ctx: TopologyContext, view: TreeView, hop: NginxHop, app: AppServerConfig): Fix[] {
  const ka = hop.keepAlive!;
  const idle = app.idleKeepAlive!;
  const fixes: Fix[] = appKeepAliveFix(ctx, app, ka.timeoutMs);
  // Or nginx lets idle connections go a second before the app does.
  if (idle.ms >= 2000) {
    const want = formatTime(Math.floor((idle.ms - 1000) / 1000) * 1000);
    const t = ka.timeoutNode && ka.timeoutNode.parent === ka.upstream ? ka.timeoutNode : undefined;
    const edit = t ? view.ctx.replaceArg(t, 0, want) : ka.keepaliveNode ? view.ctx.insertAfter(ka.keepaliveNode, [`keepalive_timeout ${want};`]) : view.ctx.insertAtBlockStart(ka.upstream, [`keepalive_timeout ${want};`]);
    fixes.push({ title: `Set the upstream's keepalive_timeout to ${want} (below the app's ${seconds(idle.ms)})`, edits: [edit] });
  }
  return fixes;
}

/**
 * The app keeps idle connections longer than the layer in front (`frontMs`): that layer's timeout and a
 * margin, in the app's unit. A config file gets a new line; a command line only has its flag's value
 * changed (no flag: no fix there); Node only where keepAliveTimeout is written.
 */
export function appKeepAliveFix(ctx: TopologyContext, app: AppServerConfig, frontMs: number): Fix[] {
  const idle = app.idleKeepAlive!;
  const appWantsMs = frontMs + 5000;
  if (app.kind === 'gunicorn' && !(app.fromCommand && idle.isDefault)) {
    const v = String(Math.ceil(appWantsMs / 1000));
    const q = idle.quote ?? '';
    const edit = idle.isDefault ? ctx.appendToFile(app.file, [`keepalive = ${v}  # longer than the proxy's idle keep-alive (${seconds(frontMs)})`]) : ctx.replaceRange(app.file, idle.range, q + v + q);
    return edit ? [{ title: `Raise gunicorn's keepalive to ${v} s (longer than the proxy's ${seconds(frontMs)})`, edits: [edit] }] : [];
  }
  if (app.kind === 'node' && !idle.isDefault) return [{ title: `Raise keepAliveTimeout to ${appWantsMs} ms (longer than the proxy's ${seconds(frontMs)})`, edits: [ctx.replaceRange(app.file, idle.range, String(appWantsMs))] }];
  return [];
}
