import type { HaproxyRule } from '../rule';
import { serverOptions } from '../config';
import type { HaproxyLine } from '../parser';

/** Lines that make a backend useful without servers: it answers by itself (stats, redirect, return, its own 503 page …). */
function answersItself(l: HaproxyLine): boolean {
  const w = l.words.map((x) => x.value);
  if (l.keyword === 'stats' || l.keyword === 'redirect' || l.keyword === 'dispatch' || l.keyword === 'use-service') return true;
  if (l.keyword === 'option' && w[1] === 'transparent') return true;
  // A maintenance backend: no servers on purpose, and its own page for the 503 that follows.
  if (/^(errorfile|errorloc|errorloc302|errorloc303)$/.test(l.keyword) && w[1] === '503') return true;
  if (l.keyword === 'http-error' && w[1] === 'status' && w[2] === '503') return true;
  if ((l.keyword === 'http-request' || l.keyword === 'tcp-request') && w.some((x) => /^(redirect|return|deny|tarpit|reject|use-service|silent-drop)$/.test(x))) return true;
  return false;
}

export const backendWithoutServers: HaproxyRule = {
  id: 'haproxy/backend-without-servers',
  cause: 'upstream-down',
  severity: 'warning',
  title: 'A backend with no server, or with every server `disabled`: every request gets 503',
  appliesTo: ['backend', 'listen'],
  check(ctx) {
    const cfg = ctx.config;
    for (const be of cfg.backends()) {
      if (be.lines.some((l) => l.keyword === 'server-template' || answersItself(l))) continue;
      // `.if` blocks may add servers on some hosts only: not ours to judge.
      if (be.lines.some((l) => l.keyword.startsWith('.'))) continue;
      const servers = cfg.servers(be);
      if (be.kind === 'listen' && servers.length === 0 && !be.lines.some((l) => l.keyword === 'bind')) continue;
      if (servers.length === 0) {
        ctx.reportSection(
          be,
          `${cfg.label(be)} has no \`server\` lines: every request routed to it is answered 503 Service Unavailable at once (the log shows \`<NOSRV>\` and termination state \`SC\`).`,
        );
      } else if (servers.every((s) => serverOptions(s).flags.has('disabled'))) {
        ctx.reportSection(
          be,
          `every server of ${cfg.label(be)} is \`disabled\` (in maintenance): HAProxy accepts this, and every request routed to it is answered 503 (\`<NOSRV>\`, termination state \`SC\`).`,
          { related: servers.map((s) => ({ line: s, message: 'disabled' })) },
        );
      }
    }
  },
};
