// One request taken apart: DNS (node:dns), TCP connect per address (node:net), TLS (node:tls) and HTTP
// (undici over the socket made here, so each phase has its own clock). Every phase is bounded by the
// caller's deadline and stops its sockets when the AbortSignal fires.
import * as dns from 'dns';
import * as net from 'net';
import type * as tls from 'tls';
import { performance } from 'perf_hooks';
import type { Client as UndiciClient } from 'undici';
import { PROBE_USER_AGENT } from './types';
import type { ConnectAttempt, DnsInfo, HttpInfo, TlsInfo } from './types';
import { redactHeaders } from './redact';

export class PhaseError extends Error {
  constructor(
    readonly phase: 'dns' | 'connect' | 'tls' | 'http' | 'timeout' | 'cancelled',
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A deadline plus an abort signal, shared by the phases of one request. */
export class Budget {
  private readonly end: number;
  constructor(
    timeoutMs: number,
    readonly signal?: AbortSignal,
  ) {
    this.end = performance.now() + timeoutMs;
  }
  remaining(): number {
    return Math.max(0, this.end - performance.now());
  }
  check(phase: PhaseError['phase']): void {
    if (this.signal?.aborted) throw new PhaseError('cancelled', 'ABORTED', 'probe cancelled');
    if (this.remaining() <= 0) throw new PhaseError('timeout', 'ETIMEDOUT', `timed out before the ${phase} phase`);
  }
  /** Runs `start` and settles with its result, a timeout or a cancel — whichever comes first; `cleanup`
   * runs on timeout/cancel so nothing keeps running behind the caller's back. */
  race<T>(phase: PhaseError['phase'], start: (done: (err: Error | null, v?: T) => void) => void, cleanup: () => void): Promise<T> {
    this.check(phase);
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | null, v?: T) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.signal?.removeEventListener('abort', onAbort);
        if (err) {
          cleanup();
          reject(err);
        } else resolve(v as T);
      };
      const onAbort = () => finish(new PhaseError('cancelled', 'ABORTED', 'probe cancelled'));
      const timer = setTimeout(() => finish(new PhaseError('timeout', 'ETIMEDOUT', `${phase} did not finish within the timeout`)), this.remaining());
      this.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        start(finish);
      } catch (err) {
        finish(err as Error);
      }
    });
  }
}

/** net.isIP without its cost on first use: node compiles a large IPv6 regular expression the first time
 * isIPv6 runs (several ms of a one-shot CLI run), and a name without ':' can never be IPv6. */
export function ipFamily(host: string): 0 | 4 | 6 {
  if (host.includes(':')) return net.isIPv6(host) ? 6 : 0;
  return net.isIPv4(host) ? 4 : 0;
}

/** node:tls on first use: plain-http probes never load it (and the crypto modules behind it). */
function tlsModule(): typeof import('tls') {
  return require('tls');
}

/** RFC 6761 special names that never resolve: answered here, so no resolver is ever asked. */
function neverResolves(host: string): boolean {
  return /(^|\.)invalid\.?$/i.test(host);
}

function mayHaveCname(host: string): boolean {
  return ipFamily(host) === 0 && !/(^|\.)(localhost|invalid|test|local|internal|home\.arpa)\.?$/i.test(host) && host.includes('.');
}

export async function dnsPhase(host: string, budget: Budget, opts: { cnames?: boolean } = {}): Promise<DnsInfo> {
  const bare = host.replace(/^\[|\]$/g, '');
  const family = ipFamily(bare);
  if (family) return { host: bare, addresses: [{ address: bare, family }], cnames: [], source: 'literal' };
  // Like curl (and RFC 6761): localhost is loopback without asking the resolver.
  if (/^localhost\.?$/i.test(bare)) return { host: bare, addresses: [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }], cnames: [], source: 'literal' };
  if (neverResolves(bare)) throw new PhaseError('dns', 'ENOTFOUND', `${bare} does not resolve (the .invalid domain never exists, RFC 6761)`);
  const addresses = await budget.race<dns.LookupAddress[]>(
    'dns',
    (done) =>
      dns.lookup(bare, { all: true, verbatim: true }, (err, addrs) => {
        if (err) done(new PhaseError('dns', (err as NodeJS.ErrnoException).code ?? 'EDNS', `${bare} does not resolve: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
        else done(null, addrs);
      }),
    () => undefined,
  );
  const info: DnsInfo = { host: bare, addresses: addresses.map((a) => ({ address: a.address, family: a.family })), cnames: [], source: 'dns' };
  if (opts.cnames && mayHaveCname(bare)) info.cnames = await cnameChain(bare, budget);
  return info;
}

/** Follows CNAME records up to 8 deep; a failure just ends the chain (lookup already answered). */
async function cnameChain(host: string, budget: Budget): Promise<string[]> {
  const chain: string[] = [];
  const resolver = new dns.promises.Resolver({ timeout: Math.max(1, Math.min(2000, budget.remaining())), tries: 1 });
  let name = host;
  for (let i = 0; i < 8 && budget.remaining() > 0; i++) {
    try {
      const next = await resolver.resolveCname(name);
      if (!next.length || chain.includes(next[0])) break;
      chain.push(next[0]);
      name = next[0];
    } catch {
      break;
    }
  }
  resolver.cancel();
  return chain;
}

export interface Connected {
  socket: net.Socket;
  attempt: ConnectAttempt;
}

/** TCP connect to one address; the socket is destroyed on failure, timeout or cancel. */
export function connectOne(address: string, port: number, budget: Budget): Promise<Connected> {
  let socket: net.Socket | undefined;
  const t0 = performance.now();
  return budget.race<Connected>(
    'connect',
    (done) => {
      socket = net.connect({ host: address, port, noDelay: true });
      socket.once('connect', () => {
        socket!.removeAllListeners('error');
        done(null, { socket: socket!, attempt: { address, port, ms: performance.now() - t0, ok: true } });
      });
      socket.once('error', (err: NodeJS.ErrnoException) => done(new PhaseError('connect', err.code ?? 'ECONNECT', `connect to ${fmtAddr(address, port)} failed: ${err.code ?? err.message}`)));
    },
    () => socket?.destroy(),
  );
}

export function fmtAddr(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export interface TlsResult {
  socket: tls.TLSSocket;
  info: TlsInfo;
}

/** TLS handshake over a connected socket. Certificates are checked here, not by node, so a bad
 * certificate is described (chain, expiry, name) instead of only refused. */
export function tlsPhase(raw: net.Socket, host: string, budget: Budget, sni: boolean): Promise<TlsResult> {
  const servername = sni && ipFamily(host) === 0 ? host : undefined;
  let socket: tls.TLSSocket | undefined;
  return budget.race<TlsResult>(
    'tls',
    (done) => {
      socket = tlsModule().connect({ socket: raw, servername, ALPNProtocols: ['http/1.1'], rejectUnauthorized: false });
      socket.once('secureConnect', () => {
        socket!.removeAllListeners('error');
        done(null, { socket: socket!, info: describeTls(socket!, host, servername) });
      });
      socket.once('error', (err: NodeJS.ErrnoException) => done(new PhaseError('tls', err.code ?? 'ETLS', `TLS handshake failed: ${err.code ?? ''} ${err.message}`.trim())));
    },
    () => {
      socket?.destroy();
      raw.destroy();
    },
  );
}

function describeTls(s: tls.TLSSocket, host: string, servername: string | undefined): TlsInfo {
  const cert = s.getPeerCertificate(true);
  const chain: string[] = [];
  const seen = new Set<string>();
  for (let c: tls.DetailedPeerCertificate | undefined = cert; c && c.subject && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    chain.push(`${c.subject.CN ?? JSON.stringify(c.subject)} ← ${c.issuer?.CN ?? '?'}`);
  }
  const problems: string[] = [];
  const authErr = s.authorizationError ? String(s.authorizationError) : undefined;
  if (authErr) problems.push(authErr);
  let nameMatches: boolean | undefined;
  if (cert && cert.subject) {
    const mismatch = tlsModule().checkServerIdentity(host, cert);
    nameMatches = !mismatch;
    if (mismatch) problems.push(`name mismatch: ${mismatch.message}`);
  }
  const validTo = cert?.valid_to;
  const daysLeft = validTo ? Math.floor((Date.parse(validTo) - Date.now()) / 86400000) : undefined;
  // Said explicitly: node reports only the first verification error, and self-signed hides expiry.
  if (validTo && Date.parse(validTo) < Date.now() && !problems.includes('CERT_HAS_EXPIRED')) problems.push(`CERT_HAS_EXPIRED: expired ${validTo}`);
  if (cert?.valid_from && Date.parse(cert.valid_from) > Date.now() && !problems.includes('CERT_NOT_YET_VALID')) problems.push(`CERT_NOT_YET_VALID: valid from ${cert.valid_from}`);
  const cipher = s.getCipher();
  return {
    servername,
    version: s.getProtocol() ?? undefined,
    cipher: cipher?.standardName ?? cipher?.name,
    alpn: s.alpnProtocol ?? false,
    chain,
    validFrom: cert?.valid_from,
    validTo,
    daysLeft,
    nameMatches,
    authorized: s.authorized,
    problems,
  };
}

export interface HttpOptions {
  url: URL;
  method: string;
  headers: Record<string, string>;
  maxHeaderBytes: number;
  maxBodyBytes: number;
  /** Bytes of the body kept as text for fingerprints. */
  snippetBytes: number;
  /** Through a forward proxy (plain http): the request line carries the whole URL. */
  absoluteForm?: boolean;
  /** Sent to the proxy with an absolute-form request. */
  proxyAuthorization?: string;
}

export interface HttpResult {
  info: HttpInfo;
  ttfbMs: number;
  /** Raw (unredacted) location header, for redirects. */
  location?: string;
}

let undiciCache: { Client: typeof import('undici').Client; request: UndiciClient['request'] } | undefined;

/** undici's Client and its request() API, loaded on first use and without the rest of the package:
 * `require('undici')` also loads fetch, WebSocket, cookies, the mock agents and caches, and through
 * them Node's own bundled copy of undici — about 40 ms of a one-shot CLI run for code a probe never
 * calls. Same package, same classes: index.js adds the api methods to Dispatcher.prototype the same way. */
function undiciCore(): NonNullable<typeof undiciCache> {
  undiciCache ??= {
    Client: require('undici/lib/dispatcher/client'),
    request: require('undici/lib/api/api-request'),
  };
  return undiciCache;
}

/** Sends one request over an established socket with undici and reads a bounded response. */
export async function httpPhase(socket: net.Socket, opts: HttpOptions, budget: Budget): Promise<HttpResult> {
  budget.check('http');
  const origin = opts.url.origin;
  const remaining = Math.max(1, Math.floor(budget.remaining()));
  const { Client, request } = undiciCore();
  const client: UndiciClient = new Client(origin, {
    connect: (_o, cb) => {
      // Hand undici the socket this probe built and timed; a second connect means ours was lost.
      // Answered on the next tick: undici ignores a connect callback made synchronously inside connect.
      const s = socket;
      socket = undefined as unknown as net.Socket;
      if (!s || s.destroyed) process.nextTick(cb as (e: Error | null, s: null) => void, new Error('connection closed before the request'), null);
      else process.nextTick(cb as (e: null, s: net.Socket) => void, null, s);
    },
    maxHeaderSize: opts.maxHeaderBytes,
    headersTimeout: remaining,
    bodyTimeout: remaining,
    pipelining: 1,
    keepAliveTimeout: 1,
  });
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  budget.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => ac.abort(new PhaseError('timeout', 'ETIMEDOUT', 'HTTP response did not finish within the timeout')), budget.remaining());
  const t0 = performance.now();
  try {
    const res = await request.call(client, {
      path: (opts.absoluteForm ? `${opts.url.protocol}//${opts.url.host}` : '') + opts.url.pathname + opts.url.search,
      method: opts.method as 'GET',
      headers: {
        host: opts.url.host,
        'user-agent': PROBE_USER_AGENT,
        accept: '*/*',
        ...opts.headers,
        ...(opts.proxyAuthorization ? { 'proxy-authorization': opts.proxyAuthorization } : {}),
        connection: 'close',
      },
      signal: ac.signal,
      maxRedirections: 0,
      // Given, so undici does not work it out with net.isIP (which compiles node's IPv6 regex on a
      // name: ~5-10 ms of a one-shot run). Our connect callback ignores it; TLS is done already.
      servername: ipFamily(opts.url.hostname.replace(/^\[|\]$/g, '')) ? undefined : opts.url.hostname,
    } as Parameters<UndiciClient['request']>[0]);
    const ttfbMs = performance.now() - t0;
    let bodyBytes = 0;
    let truncated = false;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      bodyBytes += chunk.length;
      if (keptBytes < opts.snippetBytes) {
        kept.push(chunk.subarray(0, opts.snippetBytes - keptBytes));
        keptBytes += Math.min(chunk.length, opts.snippetBytes - keptBytes);
      }
      if (bodyBytes >= opts.maxBodyBytes) {
        truncated = true;
        res.body.destroy();
        break;
      }
    }
    const headers = res.headers as Record<string, string | string[]>;
    let headerBytes = `HTTP/1.1 ${res.statusCode} \r\n\r\n`.length;
    for (const [k, v] of Object.entries(headers)) for (const one of Array.isArray(v) ? v : [v]) headerBytes += k.length + 4 + String(one).length;
    const loc = headers['location'];
    return {
      info: {
        status: res.statusCode,
        statusText: '',
        headers: redactHeaders(headers),
        headerBytes,
        bodyBytes,
        bodyTruncated: truncated,
        bodySnippet: Buffer.concat(kept).toString('utf8'),
      },
      ttfbMs,
      location: Array.isArray(loc) ? loc[0] : loc,
    };
  } catch (err) {
    throw asHttpError(err, ac.signal);
  } finally {
    clearTimeout(timer);
    budget.signal?.removeEventListener('abort', onAbort);
    client.destroy().catch(() => undefined);
    socket?.destroy();
  }
}

function asHttpError(err: unknown, signal: AbortSignal): PhaseError {
  if (err instanceof PhaseError) return err;
  if (signal.aborted) {
    const reason = signal.reason;
    if (reason instanceof PhaseError) return reason;
    return new PhaseError('cancelled', 'ABORTED', 'probe cancelled');
  }
  const e = err as NodeJS.ErrnoException & { code?: string };
  const code = e?.code ?? ((e as Error)?.name === 'HTTPParserError' ? 'HPE_INVALID' : 'EHTTP');
  const message = e?.message ?? String(err);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return new PhaseError('timeout', 'ETIMEDOUT', `HTTP response did not finish within the timeout (${message})`);
  return new PhaseError('http', code, message);
}
