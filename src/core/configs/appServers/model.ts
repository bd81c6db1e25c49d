// What the topology checks need to know about an app server behind the proxy: where it listens, how long
// it lets one request run, and how long it keeps an idle keep-alive connection. Each parser (gunicorn,
// uWSGI, PHP-FPM, Node) reads its own format into this shape, with the source range of every value.
import type { Range } from '../../finding';
import { LineIndex } from '../../text';

export type AppServerKind = 'gunicorn' | 'uwsgi' | 'php-fpm' | 'node';

/** The protocol a listener speaks: what the proxy must use (proxy_pass, uwsgi_pass, fastcgi_pass). */
export type AppProtocol = 'http' | 'uwsgi' | 'fastcgi';

/** Where a value came from: a line of the file, or the server's documented default. */
export interface Located {
  file: string;
  /** The value's range; for a default, the range of what it is the default for (the section or file start). */
  range: Range;
  isDefault: boolean;
  /** The text as written (or the default, as the server's docs write it). */
  text: string;
  /** The quote the value is written in (a command-line word: `"5"` in a JSON array), kept by a fix. */
  quote?: string;
}

export interface AppListener extends Located {
  protocol: AppProtocol;
  /** Host or IP it binds; undefined or a wildcard ('0.0.0.0', '::', '*') means every address. */
  host?: string;
  port?: number;
  /** A unix socket path, instead of host and port. */
  socket?: string;
}

export interface AppTimeout extends Located {
  /** Milliseconds; 0 means never (the server does not limit it). */
  ms: number;
}

export interface AppServerConfig {
  kind: AppServerKind;
  file: string;
  /** A name for messages: "gunicorn (gunicorn.conf.py)", "PHP-FPM pool www". */
  label: string;
  listeners: AppListener[];
  /** How long one request may run before the server gives up on it (kills the worker, ends the request). */
  requestTimeout?: AppTimeout & { setting: string; effect: string };
  /**
   * How long an idle keep-alive connection stays open after a response. 0: the server closes every
   * connection after one response (no reuse, so no race); Infinity: it never closes an idle one itself.
   * Undefined: not known.
   */
  idleKeepAlive?: AppTimeout & { setting: string };
  /** Read from a command line (Procfile, Dockerfile, compose `command:`): settings are flags, not lines. */
  fromCommand?: boolean;
  /** The compose service it runs in: other containers reach it by this name. */
  service?: string;
  /** Problems reading it (not a config we can read); reported as findings by the caller. */
  problems: { message: string; range: Range }[];
}

/** Seconds (a number) → ms, rounding like the servers do (they take whole seconds). */
export const seconds = (s: number): number => Math.round(s * 1000);

export function wholeFileRange(lines: LineIndex): Range {
  return lines.range(0, Math.min(lines.text.length, lines.lineEnd(0)));
}

/** host:port, [v6]:port, :port or port alone, as app servers write their bind addresses. */
export function parseHostPort(text: string): { host?: string; port?: number } | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return { port: +t };
  const v6 = /^\[([^\]]*)\]:(\d+)$/.exec(t);
  if (v6) return { host: v6[1] || undefined, port: +v6[2] };
  const m = /^([^:\s]*):(\d+)$/.exec(t);
  if (m) return { host: m[1] || undefined, port: +m[2] };
  return undefined;
}

const WILDCARDS = new Set(['', '0.0.0.0', '::', '*', '[::]']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', 'ip6-localhost']);

export function isWildcardHost(host: string | undefined): boolean {
  return host === undefined || WILDCARDS.has(host);
}

export function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && (LOOPBACK.has(host.toLowerCase()) || /^127\./.test(host));
}
