import type { HaproxyRule } from '../rule';
import { serverOptions } from '../config';

/**
 * `verify required` is the default for servers (unless the global section says `ssl-server-verify none`),
 * and verifying needs CAs: without `ca-file` HAProxy refuses to start ("verify is enabled by default but
 * no CA file specified"). Which CAs to trust is the user's choice, so there is no fix.
 */
export const sslServerWithoutCaFile: HaproxyRule = {
  id: 'haproxy/ssl-server-without-ca-file',
  cause: 'tls',
  severity: 'error',
  title: '`server … ssl` verifies the certificate (the default) but names no `ca-file`: HAProxy does not start',
  appliesTo: ['server'],
  check(ctx) {
    const cfg = ctx.config;
    if (cfg.global('ssl-server-verify')?.words[1]?.value === 'none') return;
    for (const be of cfg.backends()) {
      const defaults = cfg.defaultServerLines(be).map(serverOptions);
      const has = (o: { values: Map<string, number> }, k: string) => o.values.has(k);
      const lineValue = (k: string) => {
        for (const d of cfg.defaultServerLines(be)) {
          const o = serverOptions(d);
          const i = o.values.get(k);
          if (i !== undefined) return d.words[i + 1]?.value;
        }
        return undefined;
      };
      const defaultSsl = defaults.some((o) => o.flags.has('ssl'));
      const defaultCa = defaults.some((o) => has(o, 'ca-file'));
      const defaultVerify = lineValue('verify');
      for (const s of cfg.servers(be)) {
        const o = serverOptions(s);
        if (o.flags.has('no-ssl') || (!o.flags.has('ssl') && !defaultSsl)) continue;
        const vi = o.values.get('verify');
        const verify = vi !== undefined ? s.words[vi + 1]?.value : defaultVerify;
        if (verify === 'none' || has(o, 'ca-file') || defaultCa) continue;
        ctx.report(
          s,
          `server ${s.words[1]?.value ?? ''} uses \`ssl\` with certificate verification (on by default) but no \`ca-file\`: \`haproxy -c\` fails ("verify is enabled by default but no CA file specified") and HAProxy does not start or reload. ` +
            'Add `ca-file` with the CA that signed the server\'s certificate (`ca-file @system-ca` for a publicly trusted one).',
        );
      }
    }
  },
};
