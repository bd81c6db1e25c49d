import type { NginxRule } from '../rule';

export const upstreamWithoutServers: NginxRule = {
  id: 'nginx/upstream-without-servers',
  cause: 'upstream-down',
  severity: 'error',
  title: 'An upstream group with no server that can take requests (none, only backup, or all down)',
  appliesTo: ['upstream'],
  check(ctx) {
    for (const up of ctx.nodes('upstream')) {
      const children = up.children ?? [];
      // Servers may sit in an include we could not read: then we cannot know.
      if (children.some((c) => c.d.name === 'include')) continue;
      const servers = children.filter((c) => c.d.name === 'server');
      const flags = (s: (typeof servers)[number]) => new Set(s.d.args.slice(1).map((a) => a.value));
      const name = up.d.args[0]?.value ?? '';
      const primary = servers.filter((s) => !flags(s).has('backup'));
      if (servers.length === 0) {
        ctx.report(up, `upstream ${name} has no server lines. nginx -t rejects the config ("no servers are inside upstream"), so nginx cannot start or reload.`, { end: up.d.args[0]?.end ?? up.d.nameEnd });
      } else if (primary.length === 0) {
        ctx.report(up, `upstream ${name} has only backup servers, and a backup is used only when a primary fails. nginx -t rejects the config ("no servers in upstream "${name}"").`, {
          end: up.d.args[0]?.end ?? up.d.nameEnd,
          related: servers.map((s) => ({ node: s, message: 'backup server' })),
        });
      } else if (servers.every((s) => flags(s).has('down'))) {
        ctx.report(up, `every server in upstream ${name} is marked down: nginx accepts this, but every request to it fails with 502 ("no live upstreams while connecting to upstream").`, {
          end: up.d.args[0]?.end ?? up.d.nameEnd,
          related: servers.map((s) => ({ node: s, message: 'marked down' })),
        });
      }
    }
  },
};
