import type { NginxRule } from '../rule';

export const errorLogOff: NginxRule = {
  id: 'nginx/error-log-off',
  cause: 'observability',
  severity: 'warning',
  title: '`error_log off` writes to a file named "off"; `/dev/null` throws away the reasons for 502s',
  appliesTo: ['error_log'],
  check(ctx) {
    for (const node of ctx.nodes('error_log')) {
      const target = node.d.args[0]?.value;
      if (target === 'off') {
        ctx.report(
          node,
          '`error_log off` does not turn logging off: nginx writes to a file named "off" in its prefix (e.g. /usr/share/nginx/off). ' +
            'The lines that say why a request got 502 ("connect() failed", "upstream timed out", "upstream prematurely closed") ' +
            'end up where nobody looks. Log to a real file, `stderr`, or syslog, at level `error` or `warn`.',
          { start: node.d.args[0].start, end: node.d.args[0].end },
        );
      } else if (target === '/dev/null') {
        ctx.report(
          node,
          '`error_log /dev/null` discards the lines that say why a request got 502 ("connect() failed", "upstream timed out", ' +
            '"upstream prematurely closed"). To keep the volume down, log to a file or `stderr` at level `error` or `crit` instead.',
          { start: node.d.args[0].start, end: node.d.args[0].end, severity: 'info' },
        );
      }
    }
  },
};
