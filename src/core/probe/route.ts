// The way to the server for one request: DNS and TCP to the server itself, or to the forward proxy
// that applies (then an https URL gets a CONNECT tunnel through it, an http URL is sent in absolute
// form). Everything measured is recorded into the sample: with a proxy the dns and connect phases are
// the proxy's, and the CONNECT exchange counts into connect.
import type * as net from 'net';
import type * as tls from 'tls';
import { performance } from 'perf_hooks';
import { PROBE_USER_AGENT } from './types';
import type { DnsInfo, ProxyUse, Sample } from './types';
import { Budget, PhaseError, connectOne, dnsPhase } from './phases';
import { ResolveOverride, defaultPort, overrideFor } from './resolveOverride';
import { ProxyChoice, proxyAuthorization, proxyPort } from './proxy';
import { RawResponse, readRawResponse } from './rawHttp';

export interface RouteOptions {
  resolve?: ResolveOverride[];
  maxHeaderBytes: number;
  /** Ask the resolver for the CNAME chain of the server's name (not asked for a proxy's). */
  cnames?: boolean;
}

export interface Route {
  socket: net.Socket;
  /** The request line must carry the absolute URL (plain http through a proxy). */
  absoluteForm: boolean;
  /** Proxy-Authorization for requests sent to the proxy in absolute form. */
  proxyAuthorization?: string;
  /** The proxy answered CONNECT with something other than 2xx: its own response, socket closed. */
  tunnelRefused?: RawResponse;
}

const r3 = (ms: number) => Math.round(ms * 1000) / 1000;

function tlsToProxy(raw: net.Socket, proxy: URL, budget: Budget): Promise<tls.TLSSocket> {
  let s: tls.TLSSocket | undefined;
  const host = proxy.hostname.replace(/^\[|\]$/g, '');
  return budget.race<tls.TLSSocket>(
    'connect',
    (done) => {
      const tlsMod = require('tls') as typeof import('tls');
      s = tlsMod.connect({ socket: raw, servername: /^[\d.]+$|:/.test(host) ? undefined : host, ALPNProtocols: ['http/1.1'] });
      s.once('secureConnect', () => {
        s!.removeAllListeners('error');
        done(null, s!);
      });
      s.once('error', (e: NodeJS.ErrnoException) => done(new PhaseError('connect', e.code ?? 'ETLS', `TLS to the proxy failed: ${e.code ?? e.message}`)));
    },
    () => {
      s?.destroy();
      raw.destroy();
    },
  );
}

/** DNS → TCP (→ TLS to an https proxy → CONNECT) for `url`. Throws PhaseError; records what it saw. */
export async function openRoute(url: URL, proxy: ProxyChoice | undefined, budget: Budget, sample: Sample, o: RouteOptions): Promise<Route> {
  const targetHost = url.hostname.replace(/^\[|\]$/g, '');
  const targetPort = defaultPort(url);
  const via = proxy && !proxy.bypassed ? proxy : undefined;
  const dialUrl = via ? via.url : url;
  const host = dialUrl.hostname.replace(/^\[|\]$/g, '');
  const override = overrideFor(dialUrl, o.resolve ?? []);
  const port = override?.connectPort ?? (via ? proxyPort(via.url) : targetPort);
  let use: ProxyUse | undefined;
  if (via) {
    use = { url: via.display, mode: url.protocol === 'https:' ? 'connect' : 'absolute-form', target: `${targetHost.includes(':') ? `[${targetHost}]` : targetHost}:${targetPort}` };
    sample.proxy = use;
  }
  const fail = (at: NonNullable<ProxyUse['failedAt']>, err: unknown) => {
    if (use && !(err instanceof PhaseError && err.phase === 'cancelled')) use.failedAt = at;
    return err;
  };

  // DNS (or the --resolve override, which skips it like curl does)
  let t = performance.now();
  let dns: DnsInfo;
  try {
    dns = override
      ? { host, addresses: override.addresses.map((a) => ({ address: a, family: a.includes(':') ? 6 : 4 })), cnames: [], source: 'resolve' as const }
      : await dnsPhase(host, budget, { cnames: !via && o.cnames });
  } catch (err) {
    throw fail('dns', err);
  } finally {
    sample.phases.dnsMs += performance.now() - t;
  }
  sample.dns = dns;

  // TCP: addresses in order until one accepts; every attempt is recorded.
  t = performance.now();
  let connected: Awaited<ReturnType<typeof connectOne>> | undefined;
  let lastErr: unknown;
  for (const a of dns.addresses) {
    try {
      connected = await connectOne(a.address, port, budget);
      connected.attempt.ms = r3(connected.attempt.ms);
      sample.connects.push(connected.attempt);
      break;
    } catch (err) {
      lastErr = err;
      sample.connects.push({ address: a.address, port, ms: r3(performance.now() - t), ok: false, error: (err as PhaseError).code });
      if (err instanceof PhaseError && (err.phase === 'timeout' || err.phase === 'cancelled')) break;
    }
  }
  if (!connected) {
    sample.phases.connectMs += performance.now() - t;
    throw fail('connect', lastErr ?? new PhaseError('connect', 'ENOADDR', `no address to connect to for ${host}`));
  }
  let socket: net.Socket = connected.socket;
  if (!via) {
    sample.phases.connectMs += performance.now() - t;
    return { socket, absoluteForm: false };
  }
  try {
    if (via.url.protocol === 'https:') socket = await tlsToProxy(socket, via.url, budget);
  } catch (err) {
    sample.phases.connectMs += performance.now() - t;
    throw fail('connect', err);
  }
  const auth = proxyAuthorization(via.url);
  if (use!.mode === 'absolute-form') {
    sample.phases.connectMs += performance.now() - t;
    return { socket, absoluteForm: true, proxyAuthorization: auth };
  }

  // CONNECT host:port, then the proxy's answer: 2xx opens the tunnel, anything else is its own response.
  const t1 = performance.now();
  let res: RawResponse;
  try {
    socket.write(`CONNECT ${use!.target} HTTP/1.1\r\nHost: ${use!.target}\r\nUser-Agent: ${PROBE_USER_AGENT}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`);
    res = await readRawResponse(socket, budget, { maxHeaderBytes: o.maxHeaderBytes, keepBodyBytes: 16 * 1024, maxBodyBytes: 64 * 1024, connect: true, unframedIdleMs: 1000 });
  } catch (err) {
    socket.destroy();
    throw fail('tunnel', err instanceof PhaseError && err.phase === 'http' ? new PhaseError('connect', err.code, `CONNECT ${use!.target} through the proxy ${via.display} failed: ${err.message}`) : err);
  } finally {
    use!.tunnelMs = r3(performance.now() - t1);
    sample.phases.connectMs += performance.now() - t;
  }
  use!.tunnelStatus = res.status;
  if (res.status < 200 || res.status >= 300) {
    use!.failedAt = 'tunnel';
    socket.destroy();
    return { socket, absoluteForm: false, tunnelRefused: res };
  }
  return { socket, absoluteForm: false };
}
