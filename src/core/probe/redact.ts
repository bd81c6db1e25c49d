// Secrets never leave the probe: credentials in headers, cookies both ways, and token-like query
// parameters are replaced before anything is stored in a report, printed or logged.
export const REDACTED = '[redacted]';

const SECRET_HEADERS = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|x-amz-security-token|x-csrf-token|x-xsrf-token)$/i;
const SECRET_PARAMS = /^(access_token|id_token|refresh_token|token|auth|authorization|api[_-]?key|apikey|key|secret|client_secret|password|passwd|pwd|sig|signature|session|sessionid|jwt|code|x-amz-signature|x-amz-credential|x-amz-security-token)$|token|secret|passw/i;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.test(name.trim());
}

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    if (isSecretHeader(k)) out[k] = Array.isArray(v) ? v.map(() => REDACTED) : REDACTED;
    else out[k] = Array.isArray(v) ? v.map((x) => redactInText(x)) : redactInText(v);
  }
  return out;
}

/** A URL with user:password and token-like query values replaced. Unparseable input is returned
 * with the same replacements applied textually. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username) u.username = 'redacted';
    if (u.password) u.password = 'redacted';
    for (const key of [...u.searchParams.keys()]) if (SECRET_PARAMS.test(key)) u.searchParams.set(key, REDACTED);
    return u.toString().replace(/%5Bredacted%5D/g, REDACTED);
  } catch {
    return redactInText(url);
  }
}

/** Replaces secrets inside free text (error messages, log lines, header values that carry URLs). */
export function redactInText(text: string): string {
  return text
    .replace(/\b(authorization|proxy-authorization|cookie|set-cookie)(\s*[:=]\s*)[^\r\n]*/gi, (_m, k, sep) => `${k}${sep}${REDACTED}`)
    .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, (_m, k) => `${k} ${REDACTED}`)
    .replace(/([?&;])([^=&\s#"']+)=([^&\s#"']*)/g, (m, sep, k, _v) => (SECRET_PARAMS.test(k) ? `${sep}${k}=${REDACTED}` : m))
    .replace(/(\/\/)[^/@\s:]+:[^/@\s]+@/g, '$1redacted:redacted@');
}
