import type { HaproxyRule } from '../rule';
import { parseTime } from '../config';
import type { HaproxySection } from '../parser';

/**
 * HAProxy's own start-up check (2.6 cfgparse): a tcp/http proxy that accepts clients needs `timeout client`;
 * one that has servers needs `timeout connect`, and `timeout server` (in tcp mode `timeout tunnel` will do).
 * Zero counts as unset. Only `timeout connect` gets a fix: the manual gives a value for it (a few seconds,
 * a little above a multiple of 3 s to cover a lost SYN); client and server timeouts depend on the traffic.
 */
export const missingTimeouts: HaproxyRule = {
  id: 'haproxy/missing-timeouts',
  cause: 'timeout-mismatch',
  severity: 'warning',
  title: 'A proxy without `timeout client`, `timeout connect` or `timeout server`: HAProxy waits forever',
  appliesTo: ['frontend', 'backend', 'listen'],
  check(ctx) {
    const cfg = ctx.config;
    // A file with neither `global` nor `defaults` may be one of several loaded with `-f`, whose defaults
    // sit in another file: judging it alone would be guessing.
    if (!cfg.keywords.has('global') && !cfg.keywords.has('defaults')) return;
    for (const proxy of cfg.proxies) {
      const mode = cfg.mode(proxy);
      if (mode !== 'tcp' && mode !== 'http') continue;
      const set = (kind: string) => {
        const e = cfg.effective(proxy, 'timeout', kind);
        const v = e?.line.words[2]?.value;
        if (v === undefined) return false;
        if (e!.line.words[2].env) return true;
        const ms = parseTime(v);
        return ms === undefined || ms > 0;
      };
      const missing: string[] = [];
      if (proxy.kind !== 'backend' && !set('client')) missing.push('client');
      const hasServers = proxy.lines.some((l) => l.keyword === 'server' || l.keyword === 'server-template');
      if (proxy.kind !== 'frontend' && hasServers) {
        if (!set('connect')) missing.push('connect');
        if (!set('server') && (mode === 'http' || !set('tunnel'))) missing.push('server');
      }
      if (missing.length === 0) continue;
      const effects: string[] = [];
      if (missing.includes('server')) effects.push('with no `timeout server` HAProxy waits for a hung server forever, so the client or the layer in front gives up first (its own 504) and connections pile up');
      if (missing.includes('client')) effects.push('with no `timeout client` idle and half-closed client connections are never dropped and use up `maxconn`');
      if (missing.includes('connect')) effects.push('with no `timeout connect` a connect to a dead server (SYN unanswered) hangs instead of failing over or retrying');
      const fixes = [];
      if (missing.includes('connect')) {
        const target: HaproxySection = cfg.defaultsChain(proxy)[0] ?? proxy;
        fixes.push({
          title: `Add \`timeout connect 5s\` to ${cfg.label(target)}`,
          edits: [ctx.insertInSection(target, 'timeout connect 5s')],
        });
      }
      ctx.reportSection(
        proxy,
        `${cfg.label(proxy)} has no ${missing.map((m) => `\`timeout ${m}\``).join(', ')} (HAProxy warns "missing timeouts"): ${effects.join('; ')}.` +
          (missing.some((m) => m !== 'connect') ? ' Set the missing value(s) in the `defaults` section to what your clients and servers need.' : ''),
        { fixes },
      );
    }
  },
};
