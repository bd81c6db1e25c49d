import type { HaproxyRule } from '../rule';
import { serverOptions } from '../config';

/**
 * Without `check` a server is always considered up (configuration manual, "check"): when one of several
 * dies, its share of the requests keeps going to it and fails. One server alone has nowhere else to go.
 */
export const serversWithoutCheck: HaproxyRule = {
  id: 'haproxy/servers-without-check',
  cause: 'upstream-down',
  severity: 'warning',
  title: 'Several servers and no health checks: a dead server keeps getting its share of requests',
  appliesTo: ['server'],
  check(ctx) {
    const cfg = ctx.config;
    for (const be of cfg.backends()) {
      const servers = cfg.servers(be).filter((s) => !serverOptions(s).flags.has('disabled'));
      if (servers.length < 2) continue;
      // `default-server check` (here or in the defaults) turns checks on for every server.
      const defaultCheck = cfg.defaultServerLines(be).some((l) => serverOptions(l).flags.has('check'));
      if (defaultCheck) continue;
      for (const s of servers) {
        const o = serverOptions(s);
        if (o.flags.has('check') || o.flags.has('no-check')) continue;
        const name = s.words[1]?.value ?? '';
        ctx.report(
          s,
          `server ${name} in ${cfg.label(be)} has no \`check\`: HAProxy considers it always up, so if it dies its share of requests still goes to it and fails (503 after the connect retries, termination state \`SC\`, or 502 \`SH\` when it dies mid-response).`,
          { fixes: [{ title: `Add \`check\` to server ${name}`, edits: [ctx.appendWords(s, ['check'])] }] },
        );
      }
    }
  },
};
