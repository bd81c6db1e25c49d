// How long a server keeps an idle keep-alive connection: one request on a fresh connection that asks
// for keep-alive, the whole response read, then a wait for the server to close the connection. The
// wait is bounded by maxWaitMs (the connection is still open after it: openAfterMs) and by the
// caller's AbortSignal. A proxy in front (layer A) must stop reusing idle connections before the
// server behind it (layer B) closes them, or requests race the close: this number is B's side.
import { performance } from 'perf_hooks';
import type * as net from 'net';
import { PROBE_USER_AGENT } from './types';
import type { KeepAliveInfo, Sample } from './types';
import { Budget, PhaseError, tlsPhase } from './phases';
import { defaultPort } from './resolveOverride';
import type { ResolveOverride } from './resolveOverride';
import { ProxyChoice, proxyPort } from './proxy';
import { openRoute } from './route';
import { readRawResponse } from './rawHttp';
import { redactInText } from './redact';

export interface KeepAliveOptions {
  timeoutMs?: number;
  resolve?: ResolveOverride[];
  headers?: Record<string, string>;
  signal?: AbortSignal;
  maxHeaderBytes?: number;
  maxBodyBytes?: number;
}

const r1 = (ms: number) => Math.round(ms * 10) / 10;

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function header(h: Record<string, string | string[]>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Never throws: a failure is in `error`. */
export async function measureKeepAlive(url: URL, opts: KeepAliveOptions, maxWaitMs: number, proxy?: ProxyChoice): Promise<KeepAliveInfo> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const via = proxy && !proxy.bypassed ? proxy : undefined;
  const absolute = !!via && url.protocol === 'http:';
  const info: KeepAliveInfo = {
    target: absolute ? hostPort(via!.url.hostname.replace(/^\[|\]$/g, ''), proxyPort(via!.url)) : hostPort(host, defaultPort(url)),
  };
  const notes: string[] = [];
  if (absolute) notes.push(`measured on the forward proxy ${via!.display}: an http URL goes to it in absolute form, so this is the proxy's idle timeout`);
  else if (via) notes.push(`measured through a CONNECT tunnel via ${via.display}: the proxy may close an idle tunnel sooner than the server`);
  const budget = new Budget(opts.timeoutMs ?? 10000, opts.signal);
  const scratch: Sample = { url: '', phases: { dnsMs: 0, connectMs: 0, tlsMs: 0, ttfbMs: 0, totalMs: 0 }, connects: [], redirects: [] };
  let socket: net.Socket | undefined;
  try {
    const route = await openRoute(url, via, budget, scratch, { resolve: opts.resolve, maxHeaderBytes: opts.maxHeaderBytes ?? 64 * 1024 });
    if (route.tunnelRefused) throw new PhaseError('connect', 'ETUNNEL', `the proxy answered CONNECT with ${route.tunnelRefused.status}`);
    socket = route.socket;
    if (url.protocol === 'https:') socket = (await tlsPhase(socket, host, budget, true)).socket;
    const path = (route.absoluteForm ? `${url.protocol}//${url.host}` : '') + url.pathname + url.search;
    const extra = Object.entries(opts.headers ?? {})
      .filter(([k]) => !/^(host|connection|proxy-authorization)$/i.test(k))
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: ${PROBE_USER_AGENT}\r\nAccept: */*\r\n${extra}` +
        `${route.proxyAuthorization ? `Proxy-Authorization: ${route.proxyAuthorization}\r\n` : ''}Connection: keep-alive\r\n\r\n`,
    );
    const res = await readRawResponse(socket, budget, { maxHeaderBytes: opts.maxHeaderBytes ?? 64 * 1024, keepBodyBytes: 0, maxBodyBytes: opts.maxBodyBytes ?? 4 * 1024 * 1024 });
    const conn = (header(res.headers, 'connection') ?? '').toLowerCase();
    const ka = header(res.headers, 'keep-alive');
    if (ka) notes.push(`the server announced Keep-Alive: ${ka}`);
    if (!res.complete) {
      info.error = res.closedByPeer
        ? `the response had no length and ended with the connection (HTTP ${res.status}): this server keeps no idle connections`
        : `the response body is larger than the ${opts.maxBodyBytes ?? 4 * 1024 * 1024}-byte cap: not measured`;
      return done(info, notes);
    }
    if (conn.includes('close')) notes.push(`the server answered Connection: close (HTTP ${res.status}): it closes after each response`);
    else if (res.version === '1.0' && !conn.includes('keep-alive')) notes.push('the server answered HTTP/1.0 without keep-alive: it closes after each response');
    const t0 = performance.now();
    if (res.closedByPeer) {
      info.idleTimeoutMs = 0;
      notes.push('the connection was closed together with the response');
      return done(info, notes);
    }
    await waitForClose(socket, budget.signal, maxWaitMs, t0, info, notes);
  } catch (err) {
    const e = err as PhaseError;
    info.error = redactInText(e.phase === 'cancelled' ? 'cancelled before the measurement finished' : `${e.phase ?? 'http'}: ${e.message ?? String(err)}`);
  } finally {
    socket?.destroy();
  }
  return done(info, notes);
}

function done(info: KeepAliveInfo, notes: string[]): KeepAliveInfo {
  if (notes.length) info.note = notes.join('; ');
  return info;
}

/** Waits for the peer to close (FIN or reset), at most maxWaitMs after t0; cancel stops it at once. */
function waitForClose(socket: net.Socket, signal: AbortSignal | undefined, maxWaitMs: number, t0: number, info: KeepAliveInfo, notes: string[]): Promise<void> {
  return new Promise<void>((resolve) => {
    let finished = false;
    const finish = (what: 'closed' | 'reset' | 'open' | 'cancelled') => {
      if (finished) return;
      finished = true;
      const ms = r1(performance.now() - t0);
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('end', onEnd);
      socket.off('close', onClose);
      socket.off('error', onError);
      socket.off('data', onData);
      if (what === 'closed' || what === 'reset') {
        info.idleTimeoutMs = ms;
        if (what === 'reset') notes.push('the server reset the connection (RST) instead of closing it');
      } else {
        info.openAfterMs = ms;
        if (what === 'cancelled') info.error = 'cancelled while waiting for the server to close the idle connection';
      }
      resolve();
    };
    const onEnd = () => finish('closed');
    const onClose = () => finish('closed');
    const onError = (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNRESET' ? 'reset' : 'closed');
    const onData = (d: Buffer) => notes.push(`the server sent ${d.length} unexpected bytes on the idle connection`);
    const onAbort = () => finish('cancelled');
    const timer = setTimeout(() => finish('open'), Math.max(0, maxWaitMs - (performance.now() - t0)));
    if (signal?.aborted) return finish('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('end', onEnd);
    socket.on('close', onClose);
    socket.on('error', onError);
    socket.on('data', onData);
    socket.resume();
  });
}
