import type { ApacheRule } from '../rule';

/**
 * `ErrorLog /dev/null` throws away the lines that explain a 502/503 (AH01102, AH00957, AH01171 …). Where
 * the log should go is the user's to choose: no fix.
 */
export const errorLogDiscarded: ApacheRule = {
  id: 'apache/error-log-discarded',
  cause: 'observability',
  severity: 'warning',
  title: '`ErrorLog /dev/null`: the proxy errors that explain a 502 are thrown away',
  appliesTo: ['errorlog'],
  check(ctx) {
    for (const scope of ctx.config.scopes) {
      for (const node of scope.direct) {
        if (node.d.key !== 'errorlog') continue;
        const target = node.d.args[0];
        if (!target || !/^(\/dev\/null|nul)$/i.test(target.value)) continue;
        ctx.report(node, `ErrorLog ${target.value} in ${scope.label} discards the error log: when a backend refuses, times out or closes early, the AH codes that say so (AH00957, AH01102, AH01171 …) are lost. Log to a file (or syslog) and rotate it instead.`, {
          start: target.start,
          end: target.end,
        });
      }
    }
  },
};
