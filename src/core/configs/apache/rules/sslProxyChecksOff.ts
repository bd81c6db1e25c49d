import type { ApacheRule } from '../rule';

/** What each directive turns off when set so (mod_ssl docs; the CheckPeer ones are on by default). */
const WEAKENING: Record<string, { value: RegExp; what: string }> = {
  sslproxyverify: { value: /^none$/i, what: 'the backend certificate’s chain is not verified against a CA' },
  sslproxycheckpeername: { value: /^off$/i, what: 'the backend certificate is not checked against the backend’s host name' },
  sslproxycheckpeercn: { value: /^off$/i, what: 'the backend certificate’s CN is not checked against the backend’s host name' },
  sslproxycheckpeerexpire: { value: /^off$/i, what: 'an expired backend certificate is accepted' },
};

/**
 * Verification towards the backend switched off on purpose. Nothing fails, which is the point: a wrong or
 * intercepted backend answers too. Informational, no fix: turning it on needs a CA file that is yours to pick.
 */
export const sslProxyChecksOff: ApacheRule = {
  id: 'apache/ssl-proxy-checks-off',
  cause: 'tls',
  severity: 'info',
  title: '`SSLProxyVerify none` or an `SSLProxyCheckPeer*` check turned off: any backend certificate is accepted',
  appliesTo: Object.keys(WEAKENING),
  check(ctx) {
    for (const scope of ctx.config.scopes) {
      for (const node of scope.direct) {
        const w = WEAKENING[node.d.key];
        const value = node.d.args[0];
        if (!w || !value || !w.value.test(value.value)) continue;
        ctx.report(node, `${node.d.name} ${value.value} in ${scope.label}: ${w.what}, so a misrouted or impersonated backend is accepted without a word in the error log. Fine for a backend on loopback; for anything else, verify (SSLProxyVerify require with SSLProxyCACertificateFile).`, {
          start: value.start,
          end: value.end,
        });
      }
    }
  },
};
