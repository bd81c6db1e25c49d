import type { HaproxyRule } from '../rule';
import { serverOptions } from '../config';

/** `verify none`: the handshake succeeds with any certificate. Not a 502, but it hides a wrong target. */
export const sslVerifyNone: HaproxyRule = {
  id: 'haproxy/ssl-verify-none',
  cause: 'tls',
  severity: 'info',
  title: '`server … ssl verify none`: the server certificate is not checked',
  appliesTo: ['server'],
  check(ctx) {
    const cfg = ctx.config;
    const globalNone = cfg.global('ssl-server-verify');
    for (const be of cfg.backends()) {
      const defaultSsl = cfg.defaultServerLines(be).some((l) => serverOptions(l).flags.has('ssl'));
      for (const s of cfg.servers(be)) {
        const o = serverOptions(s);
        if (o.flags.has('no-ssl') || (!o.flags.has('ssl') && !defaultSsl)) continue;
        const vi = o.values.get('verify');
        if (vi !== undefined && s.words[vi + 1]?.value === 'none') {
          ctx.report(s, `server ${s.words[1]?.value ?? ''} does not verify the certificate (\`verify none\`): any certificate is accepted, so a wrong or intercepted target goes unnoticed. Prefer \`verify required\` with \`ca-file\`.`, {
            start: s.words[vi].start,
            end: s.words[vi + 1].end,
          });
        } else if (vi === undefined && globalNone?.words[1]?.value === 'none') {
          ctx.report(s, `server ${s.words[1]?.value ?? ''} does not verify the certificate (\`ssl-server-verify none\` in the global section): any certificate is accepted.`, {
            related: [{ line: globalNone, message: 'verification turned off for every server' }],
          });
        }
      }
    }
  },
};
