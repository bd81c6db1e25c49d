// What the product knows about the nginx directives that matter for 502s: the documented default
// (version-aware where it changed), whether the value is inherited as a list, and why it matters.
// Used by rules (effective values) and by the editor's hover.
import { NginxVersion, http11ByDefault } from './version';

export interface DirectiveInfo {
  /** Documented default as nginx shows it, or undefined when there is none. */
  default?: string | ((v: NginxVersion | undefined) => string | undefined);
  /** Array-like directives (proxy_set_header …): a level that sets one drops every inherited one. */
  list?: boolean;
  /** Not inherited by inner blocks (upstream-only, server-only …). */
  notInherited?: boolean;
  /**
   * The same name is also a directive of its own inside `upstream {}` (the keepalive module's
   * keepalive_timeout …): there it is never inherited from http/server, and this is its default.
   */
  upstreamDefault?: string;
  why: string;
}

const proxyFamilies = ['proxy', 'fastcgi', 'uwsgi', 'scgi', 'grpc'] as const;

const table: Record<string, DirectiveInfo> = {
  proxy_pass: { notInherited: true, why: 'Where requests go. A wrong host, port or URI part sends them where nothing serves them (502 or 404).' },
  proxy_http_version: {
    default: (v) => (http11ByDefault(v) ? '1.1' : '1.0'),
    why: 'HTTP/1.0 to the upstream closes every connection, so upstream `keepalive` never reuses one.',
  },
  proxy_set_header: {
    list: true,
    default: 'Host $proxy_host; Connection close',
    why: 'Setting any header in a block drops every `proxy_set_header` inherited from outer blocks (Host, X-Forwarded-*).',
  },
  proxy_connect_timeout: { default: '60s', why: 'How long nginx waits for the TCP (and TLS) connect; it usually cannot exceed 75 s. A timeout here is a 504, a refusal a 502.' },
  proxy_read_timeout: { default: '60s', why: 'How long nginx waits between two reads from the upstream. If the app works longer, nginx answers 504 and logs "upstream timed out".' },
  proxy_send_timeout: { default: '60s', why: 'How long nginx waits between two writes of the request to the upstream.' },
  proxy_buffer_size: { default: '4k|8k', why: 'Holds the upstream response headers. Headers larger than this give "upstream sent too big header" and a 502.' },
  proxy_buffers: { default: '8 4k|8k', why: 'Buffers for the response body; their sizes bound `proxy_busy_buffers_size`.' },
  proxy_busy_buffers_size: { default: '8k|16k', why: 'Must be at least one buffer and less than all `proxy_buffers` but one, or `nginx -t` rejects the config.' },
  proxy_ssl_server_name: { default: 'off', why: 'Without SNI, an upstream that hosts several names (CDNs, PaaS, shared load balancers) fails the TLS handshake: 502.' },
  proxy_ssl_verify: { default: 'off', why: 'Whether nginx checks the upstream certificate.' },
  proxy_next_upstream: { default: 'error timeout', why: 'Which failures are retried on the next upstream server before nginx gives up with 502/504.' },
  proxy_intercept_errors: { default: 'off', why: 'Whether upstream error responses are replaced by nginx `error_page`s, hiding which hop produced them.' },
  fastcgi_pass: { notInherited: true, why: 'The PHP-FPM (or other FastCGI) address: a wrong socket path or port is "connect() failed" and a 502.' },
  fastcgi_buffer_size: { default: '4k|8k', why: 'Holds the FastCGI response headers; too small gives "upstream sent too big header" and a 502.' },
  fastcgi_read_timeout: { default: '60s', why: 'How long nginx waits for PHP-FPM between reads; shorter than `request_terminate_timeout` means 504s.' },
  uwsgi_pass: { notInherited: true, why: 'The uWSGI address: a wrong socket or protocol mismatch gives "upstream prematurely closed" and a 502.' },
  uwsgi_buffer_size: { default: '4k|8k', why: 'Holds the uWSGI response headers; too small gives "upstream sent too big header" and a 502.' },
  uwsgi_read_timeout: { default: '60s', why: 'How long nginx waits for uWSGI between reads.' },
  grpc_pass: { notInherited: true, why: 'The gRPC upstream; it needs HTTP/2 on the upstream side.' },
  resolver: { why: 'Needed whenever `proxy_pass` has a variable in its host: without it nginx cannot resolve at run time and answers 502.' },
  resolver_timeout: { default: '30s', why: 'How long a run-time name lookup may take.' },
  keepalive: { notInherited: true, default: (v) => (http11ByDefault(v) ? '32 (since 1.29.7)' : undefined), why: 'Idle connections cached per worker to the upstream group. They must close before the upstream closes them, or requests race the close (502).' },
  keepalive_timeout: {
    default: '75s',
    upstreamDefault: '60s',
    why: 'In `http`/`server`/`location`: how long an idle client connection is kept. In `upstream`: how long nginx keeps an idle upstream connection for reuse; it must be shorter than the app server\'s own idle timeout, or nginx reuses connections the app is closing (502).',
  },
  keepalive_requests: { default: '1000', upstreamDefault: '1000', why: 'Requests per kept-alive connection before nginx closes it.' },
  keepalive_time: { default: '1h', upstreamDefault: '1h', why: 'The longest a kept-alive connection is used for requests before nginx closes it.' },
  error_log: { default: 'logs/error.log error', why: 'Where nginx says *why* it answered 502 ("connect() failed", "upstream timed out"). There is no `off`.' },
  client_max_body_size: { default: '1m', why: 'Bodies above it are refused with 413 before the upstream sees them.' },
  large_client_header_buffers: { default: '4 8k', why: 'Request headers (cookies) above it are refused with 400/414.' },
  worker_connections: { default: '512', why: 'Each proxied request uses two connections (client and upstream); running out gives "worker_connections are not enough" and 502s.' },
  listen: { why: 'Where this server accepts connections.' },
  server: { why: 'In `upstream`: one backend address. Host names here are resolved once, when nginx starts, unless `resolve` is set.' },
  upstream: { why: 'A named group of backends; `proxy_pass http://NAME` uses it.' },
};

for (const fam of proxyFamilies) {
  for (const suffix of ['connect_timeout', 'read_timeout', 'send_timeout', 'buffer_size', 'buffers', 'busy_buffers_size', 'next_upstream']) {
    const key = `${fam}_${suffix}`;
    if (!table[key]) table[key] = { ...table[`proxy_${suffix}`] };
  }
}

/** A Map, not the object: rules ask once per block and directive, and Map lookups stay fast at any size. */
const infoByName = new Map(Object.entries(table));

export function directiveInfo(name: string): DirectiveInfo | undefined {
  return infoByName.get(name);
}

export function documentedDefault(name: string, version: NginxVersion | undefined, inUpstream = false): string | undefined {
  const info = directiveInfo(name);
  if (inUpstream && info?.upstreamDefault !== undefined) return info.upstreamDefault;
  if (!info || info.default === undefined) return undefined;
  return typeof info.default === 'function' ? info.default(version) : info.default;
}

/** nginx size syntax: 512, 4k, 8K, 1m … → bytes; undefined when not a size. */
export function parseSize(value: string): number | undefined {
  const m = /^(\d+)([kKmMgG]?)$/.exec(value.trim());
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1048576, g: 1073741824 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return +m[1] * mult;
}

export function formatSize(bytes: number): string {
  if (bytes % 1048576 === 0 && bytes >= 1048576) return `${bytes / 1048576}m`;
  if (bytes % 1024 === 0 && bytes >= 1024) return `${bytes / 1024}k`;
  return String(bytes);
}

/** nginx time syntax: 60, 60s, 1m, 500ms, 1h30m … → milliseconds. */
export function parseTime(value: string): number | undefined {
  const v = value.trim();
  if (/^\d+$/.test(v)) return +v * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000, w: 604800000, M: 2592000000, y: 31536000000 };
  let total = 0;
  let rest = v;
  let matched = false;
  const re = /^(\d+)(ms|s|m|h|d|w|M|y)/;
  while (rest.length) {
    const m = re.exec(rest);
    if (!m) return undefined;
    total += +m[1] * units[m[2]];
    rest = rest.slice(m[0].length).trimStart();
    matched = true;
  }
  return matched ? total : undefined;
}

export function formatTime(ms: number): string {
  if (ms % 1000 !== 0) return `${ms}ms`;
  const s = ms / 1000;
  if (s % 3600 === 0 && s >= 3600) return `${s / 3600}h`;
  if (s % 60 === 0 && s >= 60) return `${s / 60}m`;
  return `${s}s`;
}

/** Default system page size assumed for '4k|8k' style defaults (x86-64 Linux). */
export const PAGE_SIZE = 4096;
