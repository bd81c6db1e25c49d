// "Copy as curl": the probe's request as one POSIX shell command, so the user can repeat it outside the
// editor and compare curl's phase timings with the report. Secrets are never copied in clear text:
// credential headers, cookies, token-like query values and proxy passwords become a placeholder.
import { PROBE_USER_AGENT } from './types';
import type { ResolveOverride } from './resolveOverride';
import { isSecretHeader, redactInText, redactUrl, REDACTED } from './redact';

export const CURL_PLACEHOLDER = '<redacted>';

/** What the probe sends on its own (src/core/probe/phases.ts httpPhase); curl sets Host itself. */

export interface CurlRequest {
  /** The URL as given (it may hold secrets: they are replaced here). */
  url: string;
  method?: string;
  /** Headers the probe was asked to send on top of its own. */
  headers?: Record<string, string>;
  resolve?: ResolveOverride[];
  /** undefined: the environment's proxy (curl reads it too); null: none; a string: that proxy. */
  proxy?: string | null;
  /** Hosts that bypass `proxy`, comma-separated (only used with a proxy URL). */
  noProxy?: string;
  timeoutMs?: number;
  /** The probe followed same-origin redirects. */
  followRedirects?: boolean;
  maxRedirects?: number;
}

/** curl's timers are cumulative from the start; the labels say so, the report shows each phase alone. */
const TIMINGS = [
  'dns          %{time_namelookup}s',
  'tcp connect  %{time_connect}s',
  'tls done     %{time_appconnect}s',
  'first byte   %{time_starttransfer}s',
  'total        %{time_total}s',
  'status       %{http_code}',
].join('\\n');

/** Single-quotes `s` for sh/bash/zsh: nothing inside is expanded. */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The URL with credentials and token-like query values replaced by the placeholder. */
function safeUrl(url: string): string {
  return withoutUserInfo(url, redactUrl(url)).split(REDACTED).join(CURL_PLACEHOLDER);
}

/** `shown` with its user:password part replaced when `raw` has one. */
function withoutUserInfo(raw: string, shown: string): string {
  let hasUserInfo: boolean;
  try {
    const u = new URL(raw);
    hasUserInfo = !!(u.username || u.password);
  } catch {
    hasUserInfo = /^[a-z][a-z0-9+.-]*:\/\/[^/@]*@/i.test(raw);
  }
  return hasUserInfo ? shown.replace(/\/\/[^/@]*@/, `//${CURL_PLACEHOLDER}@`) : shown;
}

/** The probe's request as a curl command line (one line, arguments shell-quoted). */
export function curlCommand(req: CurlRequest): string {
  const url = safeUrl(req.url);
  const args: string[] = ['curl', '-sS', '-o', '/dev/null'];
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET') args.push('-X', method);
  const headers = Object.entries(req.headers ?? {});
  // The probe's own User-Agent unless the caller gave one (as the probe does).
  args.push('-A', headers.find(([name]) => name.toLowerCase() === 'user-agent')?.[1] ?? PROBE_USER_AGENT);
  for (const [name, value] of headers) {
    if (['user-agent', 'connection'].includes(name.toLowerCase())) continue;
    args.push('-H', `${name}: ${isSecretHeader(name) ? CURL_PLACEHOLDER : redactInText(value).split(REDACTED).join(CURL_PLACEHOLDER)}`);
  }
  // The probe closes every connection after one response.
  args.push('-H', 'Connection: close');
  for (const r of req.resolve ?? []) {
    const host = r.host.includes(':') ? `[${r.host}]` : r.host;
    const addrs = r.addresses.map((a) => (a.includes(':') ? `[${a}]` : a));
    // Another port needs curl's --connect-to (one address); --resolve keeps the URL's port.
    if (r.connectPort !== undefined && r.connectPort !== r.port) args.push('--connect-to', `${host}:${r.port}:${addrs[0]}:${r.connectPort}`);
    else args.push('--resolve', `${host}:${r.port}:${addrs.join(',')}`);
  }
  if (req.proxy === null) args.push('--noproxy', '*');
  else if (typeof req.proxy === 'string' && req.proxy) {
    args.push('-x', withoutUserInfo(req.proxy, req.proxy));
    if (req.noProxy) args.push('--noproxy', req.noProxy);
  }
  if (req.followRedirects) args.push('-L', '--max-redirs', String(req.maxRedirects ?? 5));
  if (req.timeoutMs) args.push('--max-time', String(Math.round(req.timeoutMs / 100) / 10));
  // Brackets are curl's URL globbing (and IPv6 literals need them off).
  if (/[[\]{}]/.test(url)) args.push('--globoff');
  args.push('-w', `${TIMINGS}\\n`);
  args.push(url);
  return args.map(shellQuote).join(' ');
}
