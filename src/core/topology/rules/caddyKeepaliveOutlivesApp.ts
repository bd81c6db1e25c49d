import { listenerServes } from '../chain';
import type { Fix } from '../../finding';
import { TopologyRule, seconds } from '../rule';
import { appKeepAliveFix } from './upstreamKeepaliveOutlivesApp';

export const caddyKeepaliveOutlivesApp: TopologyRule = {
  id: 'topology/caddy-keepalive-outlives-app',
  cause: 'keepalive-race',
  severity: 'warning',
  title: "Caddy's reverse_proxy keeps idle upstream connections longer than the app server behind it",
  check(ctx) {
    for (const cv of ctx.caddy)
      for (const p of cv.proxies) {
        if (p.keepAliveMs <= 0) continue; // keepalive off: every request on a new connection
        const seen = new Set<string>();
        for (const t of p.targets)
          for (const app of cv.apps) {
            const idle = app.idleKeepAlive;
            if (!idle || idle.ms <= 0 || !Number.isFinite(idle.ms) || p.keepAliveMs < idle.ms) continue;
            if (!app.listeners.some((l) => l.protocol === 'http' && listenerServes(l, t)) || seen.has(app.label + app.file)) continue;
            seen.add(app.label + app.file);
            const own = cv.config.isOwn(p.rp.directive);
            const fixes: Fix[] = appKeepAliveFix(ctx, app, p.keepAliveMs);
            if (own && idle.ms >= 2000) {
              const want = `${Math.floor((idle.ms - 1000) / 1000)}s`;
              const opt = p.keepAliveOption && cv.config.isOwn(p.keepAliveOption) ? p.keepAliveOption : undefined;
              const tr = p.transport?.directive && cv.config.isOwn(p.transport.directive) ? p.transport.directive : undefined;
              const edit = opt?.args[0] ? cv.edit.replaceToken(opt.args[0], want) : tr ? cv.edit.insertInBlock(tr, `keepalive ${want}`) : !p.transport?.directive ? cv.edit.insertInBlock(p.rp.directive, 'transport http', [`keepalive ${want}`]) : undefined;
              if (edit) fixes.push({ title: `Set the transport's keepalive to ${want} (below the app's ${seconds(idle.ms)})`, edits: [edit] });
            }
            const at = p.keepAliveOption && cv.config.isOwn(p.keepAliveOption) ? p.keepAliveOption : p.rp.directive;
            ctx.findings.push({
              ruleId: ctx.rule.id,
              cause: ctx.rule.cause,
              severity: ctx.rule.severity,
              message: `Caddy keeps idle connections to ${t.token.text} for ${seconds(p.keepAliveMs)} (transport http keepalive${p.keepAliveOption ? '' : ', the default'}) and reuses them, but ${app.label} closes an idle connection after ${seconds(idle.ms)} (${idle.setting} ${idle.isDefault ? `${seconds(idle.ms)} by default` : `= ${idle.text}`}). A request sent on a connection the app is closing fails: Caddy answers 502 and logs "EOF" or "connection reset by peer". Its HTTP client sends an idempotent request (GET, HEAD…) again on a new connection, so the 502s land mostly on POST, PUT and PATCH. The layer in front must let idle connections go first.`,
              file: cv.config.file,
              range: cv.config.lines.range(at.start, at.args.length ? at.args[at.args.length - 1].end : at.tokens[0].end),
              related: [{ file: idle.file, range: idle.range, message: `${app.label}: ${idle.setting} ${idle.isDefault ? `is ${seconds(idle.ms)} by default (not set in this file)` : `= ${idle.text}`}` }],
              fixes,
            });
          }
      }
  },
};
