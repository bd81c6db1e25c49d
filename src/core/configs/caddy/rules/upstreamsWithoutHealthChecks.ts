import type { CaddyRule } from '../rule';
import { parseDuration } from '../parser';
import type { CaddyDirective } from '../parser';

/** A duration option that is set to more than zero (a placeholder counts as set: only the server knows it). */
function positive(d: CaddyDirective | undefined): boolean {
  const v = d?.args[0];
  if (!v) return false;
  if (v.env || v.text.includes('{')) return true;
  const ms = parseDuration(v.text);
  return ms !== undefined && ms > 0;
}

/**
 * reverse_proxy docs: with several upstreams Caddy load-balances (random by default); retries are off
 * (`lb_try_duration` 0, `lb_retries` 0), passive health checks are off (`fail_duration` 0) and active ones
 * need `health_uri`/`health_port`. With none of them, a dead upstream keeps its share of requests, and
 * each of those is a 502. The fixes use the docs' suggested starting points (5s, 30s).
 */
export const upstreamsWithoutHealthChecks: CaddyRule = {
  id: 'caddy/upstreams-without-health-checks',
  cause: 'upstream-down',
  severity: 'warning',
  title: 'Several upstreams, no health checks and no retries: a dead upstream keeps getting its share of requests (502)',
  appliesTo: ['reverse_proxy'],
  check(ctx) {
    const cfg = ctx.config;
    for (const rp of cfg.reverseProxies()) {
      if (rp.dynamic || rp.incomplete || rp.upstreams.length < 2) continue;
      const opt = (name: string) => cfg.option(rp, name);
      if (opt('health_uri') || opt('health_port') || opt('health_path')) continue;
      if (positive(opt('fail_duration')) || positive(opt('lb_try_duration'))) continue;
      const retries = opt('lb_retries')?.args[0];
      if (retries && (retries.env || retries.text.includes('{') || Number(retries.text) > 0)) continue;
      const n = rp.upstreams.length;
      // An option written as 0 is changed in place (the last one is the one in effect); otherwise added.
      const setTo = (name: string, value: string) => {
        const existing = opt(name);
        if (existing && cfg.isOwn(existing) && existing.args[0]) return ctx.replaceToken(existing.args[0], value);
        return ctx.insertInBlock(rp.directive, `${name} ${value}`);
      };
      ctx.report(
        rp.directive,
        `reverse_proxy balances over ${n} upstreams with no health checks (\`health_uri\`, \`fail_duration\`) and no retries (\`lb_try_duration\` is 0 by default): when one of them is down, Caddy keeps choosing it for its share of requests and answers each of those with 502 ("dial tcp …: connect: connection refused" in the log).`,
        {
          fixes: [
            { title: 'Retry another upstream for up to 5s (`lb_try_duration 5s`, the docs’ starting point)', edits: [setTo('lb_try_duration', '5s')] },
            { title: 'Take a failing upstream out for 30s (passive health check `fail_duration 30s`)', edits: [setTo('fail_duration', '30s')] },
          ],
        },
      );
    }
  },
};
