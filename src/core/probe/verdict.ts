// From what the probe observed to one cause id. Order of trust: what the proxy itself logged during the
// probe, then how the connection failed, then the status and which hop generated it.
import type { CauseId } from '../finding';
import type { EdgeComparison, ErrorLogLine, Hop, KeepAliveInfo, Percentiles, ProbeError, Sample, Verdict } from './types';
import { sideOutcome } from './edgeCompare';
import { isFailure } from './sample';
import type { ProxyChoice } from './proxy';

export interface VerdictInput {
  samples: Sample[];
  percentiles: Percentiles;
  hop: Hop;
  errorLog?: ErrorLogLine[];
  /** Findings from the config mapping (e.g. header size vs proxy_buffer_size). */
  configNotes?: Array<{ cause: CauseId; text: string; ruleId?: string }>;
  /** The forward proxy that was configured for the URL (used, or bypassed by NO_PROXY). */
  proxy?: ProxyChoice;
  keepAlive?: KeepAliveInfo;
  upstreamKeepAlive?: KeepAliveInfo;
  /** With --resolve: the same URL probed the normal way (the edge) next to these samples (the origin). */
  edgeComparison?: EdgeComparison;
}

const fmtMs = (v: number) => `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ms`;

const EDGE_STEPS = [
  "Read the edge's own error log or origin-error analytics for this host: it names the upstream it tried and how that failed.",
  'Compare what the edge sends to the origin with this direct probe: origin address and port, Host header, SNI (proxy_ssl_server_name), scheme, timeouts and health checks.',
  'Check that the origin accepts connections from the edge (firewall, allow-lists, security groups), not only from here.',
];

/** nginx's words for a connection the upstream closed or reset under it: what a keep-alive race looks like. */
const RACE_LOG = /upstream prematurely closed connection|reset by peer|while reading response header/i;

const PROXY_STEPS = [
  'Probe again without the proxy (--no-proxy) or from a machine without it: if that works, the proxy is the failing hop.',
  "Read the proxy's own log for this request (Squid: access.log with the ERR_* code); ask whoever runs it whether the site and port are allowed.",
  'If the site is internal, add it to NO_PROXY (and to http.noProxy in VS Code) so it is not sent through the proxy.',
];

const NEXT_STEPS: Record<CauseId, string[]> = {
  'upstream-down': [
    'Check that the upstream process is running and listening on the host/port the proxy forwards to (ss -ltnp).',
    "Read the app's own log around the probe time for crashes, OOM kills or restarts.",
    'Add a health endpoint and a health check so a dead upstream is taken out of rotation.',
  ],
  'timeout-mismatch': [
    "Compare the proxy's read/connect timeouts with how long the upstream really takes (p95/p99 of the upstream probed directly).",
    'Make timeouts shrink towards the back: each layer should give up after the layer behind it.',
    'If the request is legitimately slow, move it off the request path (queue, streaming) instead of raising timeouts without bound.',
  ],
  'keepalive-race': [
    "Make the upstream's idle keep-alive timeout longer than the proxy's (e.g. Node keepAliveTimeout > nginx keepalive_timeout in the upstream block).",
    'Retry idempotent requests on a reset connection (proxy_next_upstream error).',
  ],
  dns: [
    'Check the name resolves where the proxy runs (getent hosts NAME), with every expected address.',
    'For names that change, resolve at run time (nginx: resolver + a variable in proxy_pass, or `server … resolve`).',
  ],
  routing: [
    'Check the proxy forwards to the right scheme, host, port or socket, and that path rewrites produce a path the upstream serves.',
    'Probe the upstream directly with --resolve to compare with the edge.',
  ],
  tls: [
    'Check the certificate: full chain served, not expired, and its names cover the host (openssl s_client -connect HOST:443 -servername HOST).',
    'For a proxy talking TLS to its upstream: enable SNI (proxy_ssl_server_name on) and align protocols/ciphers.',
  ],
  'buffer-limits': [
    "Measure the upstream's response header size and compare with proxy_buffer_size (and proxy_buffers); raise it or shrink the headers (large Set-Cookie, CSP).",
    'For request bodies, compare with client_max_body_size and the limits of the app behind.',
  ],
  'pool-exhaustion': ['Check worker/connection pool saturation (worker_connections, app workers, DB pool) under the same load.'],
  intermediary: ['Bypass the CDN / load balancer (--resolve to the origin) and compare: if the origin works, the fault is at the edge.'],
  overload: ['Check capacity and maintenance mode; a 503 with Retry-After is usually deliberate.', 'Look at rate limits (limit_req/limit_conn) and autoscaling.'],
  'client-side': ['Retry from another network path, without VPN or corporate proxy, and with a clean cache.'],
  observability: ['Turn on the error log at level error or lower, and add a health endpoint.'],
  none: ['Nothing failed in this probe. If users still see errors, probe with more samples (--samples 50) to catch intermittent failures.'],
};

function errorCause(err: ProbeError): { cause: CauseId; summary: string } {
  const c = err.code;
  switch (err.phase) {
    case 'dns':
      return { cause: 'dns', summary: `the name does not resolve (${c})` };
    case 'connect':
      if (c === 'ECONNREFUSED') return { cause: 'upstream-down', summary: 'connection refused: nothing listens on that address and port' };
      if (c === 'EHOSTUNREACH' || c === 'ENETUNREACH') return { cause: 'routing', summary: `no route to the address (${c})` };
      return { cause: 'upstream-down', summary: `TCP connect failed (${c})` };
    case 'tls':
      return { cause: 'tls', summary: `TLS handshake failed (${c})` };
    case 'timeout':
      return { cause: 'timeout-mismatch', summary: 'no complete answer within the timeout: something on the path holds the request without answering' };
    case 'cancelled':
      return { cause: 'none', summary: 'the probe was cancelled before it finished' };
    case 'http':
      if (c === 'UND_ERR_HEADERS_OVERFLOW') return { cause: 'buffer-limits', summary: 'the response headers exceeded the header size limit' };
      if (c === 'HPE_INVALID_CONSTANT' || c === 'HPE_INVALID_VERSION' || c === 'HPE_INVALID_STATUS' || c.startsWith('HPE_'))
        return { cause: 'routing', summary: `the server did not answer with valid HTTP (${c}): wrong port or protocol behind this address?` };
      if (c === 'UND_ERR_SOCKET' || c === 'ECONNRESET' || c === 'UND_ERR_CLOSED')
        return { cause: 'upstream-down', summary: `the connection was closed before a complete response (${c})` };
      return { cause: 'upstream-down', summary: `the HTTP exchange failed (${c})` };
  }
}

function statusCause(status: number, hop: Hop): { cause: CauseId; summary: string; confidence: Verdict['confidence'] } {
  const by = hop.generatedBy === 'origin' ? 'the origin' : hop.generatedBy;
  const cdn = ['cloudflare', 'cloudfront', 'akamai', 'fastly', 'azure-front-door', 'gfe'].includes(hop.generatedBy);
  switch (status) {
    case 502:
      return { cause: 'upstream-down', confidence: 'medium', summary: `502 generated by ${by}: it got no valid response from the hop behind it` };
    case 504:
      return { cause: 'timeout-mismatch', confidence: 'high', summary: `504 generated by ${by}: it gave up waiting for the hop behind it` };
    case 503:
      return { cause: 'overload', confidence: 'medium', summary: `503 generated by ${by}: no capacity, maintenance or no healthy upstream` };
    case 520:
    case 521:
      return { cause: 'upstream-down', confidence: 'high', summary: `${status} from ${by}: the origin refused or answered with nothing usable` };
    case 522:
    case 524:
      return { cause: 'timeout-mismatch', confidence: 'high', summary: `${status} from ${by}: the origin did not answer in time` };
    case 523:
      return { cause: 'routing', confidence: 'medium', summary: `${status} from ${by}: the origin is unreachable` };
    case 525:
    case 526:
      return { cause: 'tls', confidence: 'high', summary: `${status} from ${by}: TLS between the edge and the origin failed` };
    case 413:
    case 414:
    case 431:
    case 494:
      return { cause: 'buffer-limits', confidence: 'high', summary: `${status} from ${by}: the request is larger than a limit` };
    case 421:
    case 404:
      return { cause: 'routing', confidence: 'low', summary: `${status} from ${by}: the request reached a server that does not serve it` };
    case 429:
      return { cause: 'overload', confidence: 'medium', summary: `429 from ${by}: rate limited` };
  }
  if (status >= 500) return { cause: cdn ? 'intermediary' : 'upstream-down', confidence: 'low', summary: `${status} generated by ${by}` };
  if (status === 403 && cdn) return { cause: 'intermediary', confidence: 'medium', summary: `403 from ${by}: the CDN/WAF blocked the request` };
  return { cause: 'none', confidence: 'high', summary: `${status} from ${by}` };
}

export function decideVerdict(input: VerdictInput): Verdict {
  const { samples, percentiles, hop } = input;
  const failing = samples.find(isFailure);
  const primary = failing ?? samples[0];
  const evidence: string[] = [];
  const logHits = (input.errorLog ?? []).filter((l) => l.cause && l.cause !== 'none');
  let cause: CauseId = 'none';
  let confidence: Verdict['confidence'] = 'high';
  let summary = '';

  const proxyName = input.proxy ? `${input.proxy.display} (${input.proxy.source === 'env' ? `from ${input.proxy.envName ?? 'the environment'}` : 'configured'})` : 'the forward proxy';
  // An error on the way to or through the proxy (a refused CONNECT with a response is not an error).
  const proxyFailed = !!(primary?.error && primary.proxy?.failedAt);
  if (proxyFailed) {
    const e = primary!.error!;
    cause = 'client-side';
    confidence = e.phase === 'timeout' ? 'medium' : 'high';
    summary =
      e.phase === 'timeout'
        ? primary!.proxy!.failedAt === 'tunnel'
          ? `the forward proxy ${proxyName} did not answer CONNECT ${primary!.proxy!.target} within the timeout (it may still be trying to reach the site)`
          : `the forward proxy ${proxyName} did not accept the connection within the timeout`
        : primary!.proxy!.failedAt === 'tunnel'
          ? `the forward proxy ${proxyName} dropped the CONNECT to ${primary!.proxy!.target} without an answer (${e.code})`
          : `the forward proxy ${proxyName} could not be reached (${e.phase}: ${e.code}): nothing got as far as the site`;
    evidence.push(`${e.phase} phase (${primary!.proxy!.failedAt === 'tunnel' ? 'CONNECT through the proxy' : 'to the proxy'}): ${e.message}`);
  } else if (hop.generatedBy === 'forward-proxy' && primary?.status !== undefined) {
    const st = primary.status;
    cause = 'client-side';
    confidence = st === 407 || st === 403 ? 'high' : 'medium';
    const what =
      st === 407
        ? 'the proxy wants credentials (Proxy-Authorization) the probe did not have'
        : st === 403
          ? "the proxy's policy blocks this site or port"
          : 'the proxy could not get a valid answer from the site, or would not try';
    summary = `${st} generated by ${proxyName}, not by the site: ${what}`;
    evidence.push(`HTTP ${st}; ${hop.evidence[0] ?? ''}`.trim());
  } else if (primary?.error) {
    const e = errorCause(primary.error);
    cause = e.cause;
    summary = e.summary;
    evidence.push(`${primary.error.phase} phase: ${primary.error.message}`);
  } else if (primary?.status !== undefined) {
    const s = statusCause(primary.status, hop);
    cause = s.cause;
    confidence = s.confidence;
    summary = s.summary;
    evidence.push(`HTTP ${primary.status}; ${hop.evidence[0] ?? ''}`.trim());
  }
  const tlsProblems = primary?.tls?.problems ?? [];
  if (primary?.error?.phase === 'tls' || (tlsProblems.length && primary?.error?.code === 'CERT')) {
    for (const p of tlsProblems) evidence.push(`certificate: ${p}`);
    const cmp = primary?.tls?.sniComparison;
    if (cmp) evidence.push(`same handshake ${cmp.servername ? `with SNI ${cmp.servername}` : 'without SNI'}: ${cmp.ok ? 'succeeded — the failure depends on SNI' : `failed too (${cmp.error})`}`);
    if (cmp?.ok && cmp.servername && cause === 'tls') summary = `${summary} without SNI, and succeeds with SNI ${cmp.servername}: the server needs SNI to choose its certificate (a proxy in front needs proxy_ssl_server_name on / sni)`;
  }

  // The proxy's own log line is the strongest evidence: it names the failure it saw behind it.
  if (logHits.length && (cause !== 'none' || failing)) {
    const hit = logHits.find((l) => l.cause === 'buffer-limits') ?? logHits[0];
    cause = hit.cause!;
    confidence = 'high';
    summary = `${primary?.status ?? 'failure'} ${hop.generatedBy !== 'origin' && hop.generatedBy !== 'no-response' ? `from ${hop.generatedBy} ` : ''}explained by its error log: ${hit.message?.split('. ')[0] ?? hit.line}`;
    for (const l of logHits.slice(0, 5)) evidence.push(`error log ${l.file}: ${l.line}`);
  } else if (input.errorLog && input.errorLog.length === 0 && failing && hop.generatedBy === 'nginx') {
    evidence.push('the error log given got no new lines during the probe (wrong file, or error_log level above error?)');
  }

  // Keep-alive race: the upstream closes idle connections sooner than nginx stops reusing them. With
  // a 502 whose log line shows a connection closed or reset under nginx, that is the cause.
  const race = (input.configNotes ?? []).find((n) => n.cause === 'keepalive-race');
  const raceLine = (input.errorLog ?? []).find((l) => RACE_LOG.test(l.line));
  if (race && failing && primary?.status === 502 && hop.generatedBy === 'nginx') {
    if (raceLine) {
      cause = 'keepalive-race';
      confidence = 'high';
      summary = `502 from nginx on a reused upstream connection: the upstream closes idle keep-alive connections sooner than nginx stops reusing them (error log: ${raceLine.line.replace(/^.*?\[error\]\s*/, '').slice(0, 120)})`;
      if (!evidence.some((e) => e.includes(raceLine.line))) evidence.push(`error log ${raceLine.file}: ${raceLine.line}`);
    } else if (cause === 'upstream-down' && confidence !== 'high') {
      cause = 'keepalive-race';
      confidence = 'medium';
      summary = '502 from nginx, and the upstream closes idle keep-alive connections sooner than nginx stops reusing them';
    }
  }

  // The configs say where the request went wrong: nginx sends it where no app server of the workspace
  // listens, or speaks the wrong protocol to it. That is more precise than "refused".
  const misrouted = (input.configNotes ?? []).find((n) => n.ruleId === 'topology/pass-target-without-listener' || n.ruleId === 'topology/pass-protocol-mismatch');
  if (misrouted && failing && cause === 'upstream-down') {
    cause = 'routing';
    confidence = 'high';
    const what = misrouted.ruleId === 'topology/pass-protocol-mismatch' ? 'it speaks the wrong protocol to the app server' : 'it forwards to an address where no app server of the workspace listens';
    const where = misrouted.text.split(': ')[0];
    summary = `${primary?.status ?? 'the failure'} from ${hop.generatedBy}: ${what} (${where})`;
  }

  for (const n of input.configNotes ?? []) {
    evidence.push(n.text);
    if (n.cause === 'buffer-limits' && failing && cause === 'upstream-down' && confidence !== 'high') {
      cause = 'buffer-limits';
      confidence = 'medium';
      summary = `${primary?.status} likely from headers larger than the proxy buffer`;
    }
  }

  if (primary?.redirects.some((r) => r.note)) {
    const r = primary.redirects.find((x) => x.note)!;
    if (r.note!.includes('loop') || r.note!.includes('too many')) {
      cause = 'routing';
      confidence = 'high';
      summary = `redirect ${r.note}`;
    }
    evidence.push(`redirect ${r.from} → ${r.location}: ${r.note}`);
  }

  // Edge vs origin. The origin answering while the edge fails puts the fault in front of the origin.
  const cmp = input.edgeComparison;
  if (cmp) {
    const originHost = cmp.origin.addresses.join(', ');
    const edgeLine = `edge (${cmp.edge.addresses.join(', ') || 'the URL over DNS'}): ${sideOutcome(cmp.edge)}${cmp.edge.samples > 1 ? `, ${Math.round(cmp.edge.errorRate * 100)}% of ${cmp.edge.samples} samples failed` : ''}; median total ${fmtMs(cmp.edge.totalMsP50)}${cmp.edge.error ? ` — ${cmp.edge.error}` : ''}`;
    const originLine = `origin (${originHost}, --resolve): ${sideOutcome(cmp.origin)}; median total ${fmtMs(cmp.origin.totalMsP50)}${cmp.origin.error ? ` — ${cmp.origin.error}` : ''}`;
    if (cmp.outcome === 'edge-fails') {
      cause = 'intermediary';
      confidence = cmp.edge.status !== null && cmp.edge.status >= 500 ? 'high' : 'medium';
      summary = `the edge answers ${sideOutcome(cmp.edge)} while the origin ${originHost} answers ${cmp.origin.status ?? 'nothing'} directly: the fault is in front of the origin (CDN, load balancer or proxy), or in how it reaches the origin`;
      evidence.unshift(edgeLine, originLine);
    } else {
      evidence.push(`edge vs origin: ${cmp.conclusion}`, edgeLine, originLine);
    }
  }

  if (percentiles.intermittent) {
    const pct = Math.round(percentiles.errorRate * 100);
    summary = `intermittent: ${pct}% of ${percentiles.count} samples failed — ${summary}`;
    evidence.push(`outcomes: ${Object.entries(percentiles.statuses).map(([k, n]) => `${k}×${n}`).join(', ')}`);
    if (confidence === 'high') confidence = 'medium';
  }
  for (const e of hop.evidence.slice(1, 4)) evidence.push(e);
  if (input.proxy?.bypassed) evidence.push(`proxy ${proxyName} not used: NO_PROXY entry '${input.proxy.bypassEntry}' matches this URL, so the probe went direct`);
  else if (primary?.proxy && !proxyFailed) {
    const p = primary.proxy;
    evidence.push(`through the forward proxy ${proxyName}: ${p.mode === 'connect' ? `CONNECT ${p.target} → ${p.tunnelStatus ?? 'no answer'}${p.tunnelMs !== undefined ? ` in ${p.tunnelMs} ms` : ''}` : 'http request sent to it in absolute form'}; DNS and TCP timings are the proxy's`);
  }
  const ka = input.keepAlive;
  if (ka?.idleTimeoutMs !== undefined) evidence.push(`idle keep-alive: ${ka.target} closed an idle connection after ${ka.idleTimeoutMs} ms${ka.note ? ` (${ka.note})` : ''}`);
  else if (ka?.openAfterMs !== undefined) evidence.push(`idle keep-alive: ${ka.target} still kept the idle connection open after ${ka.openAfterMs} ms (stopped waiting)`);
  else if (ka?.error) evidence.push(`idle keep-alive on ${ka.target} not measured: ${ka.error}`);

  let nextSteps = NEXT_STEPS[cause];
  if (cmp?.outcome === 'edge-fails') nextSteps = EDGE_STEPS;
  else if (cause === 'client-side' && (proxyFailed || hop.generatedBy === 'forward-proxy')) nextSteps = PROXY_STEPS;
  else if (race && cause !== 'keepalive-race') nextSteps = [...nextSteps, ...NEXT_STEPS['keepalive-race'].map((x) => `Keep-alive: ${x}`)];
  // A cross-layer finding on this path has a place to change: say it first.
  const onPath = (input.configNotes ?? []).find((n) => n.ruleId && n.cause === cause);
  const parts = onPath && /^(\S+) \(([^)]+)\): (.*)$/s.exec(onPath.text);
  if (parts) nextSteps = [`Change ${parts[2]} or the app server's setting it names (${parts[1]}): ${parts[3].split(/(?<=[.:]) /)[0].replace(/[.:]$/, '')}. The editor offers a quick fix there when the right value is clear.`, ...nextSteps];
  return { cause, confidence, summary: summary || 'no response', evidence, nextSteps };
}
