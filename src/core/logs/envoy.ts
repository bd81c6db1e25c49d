// Envoy access logs, default text format (`[START_TIME] "METHOD PATH PROTO" CODE FLAGS …`) or JSON
// with a response_flags field. The response flags say why Envoy ended the request itself.
import { CauseId, Severity } from '../finding';
import { LogEvent, LogFormat } from './types';

const TEXT = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)[^\]]*\] "[^"]*" (\d{3}|0) ([A-Z,-]+) /;
const JSON_FLAGS = /"response_flags"\s*:\s*"([A-Z,-]+)"/;

interface FlagInfo {
  cause: CauseId;
  severity: Severity;
  message: string;
}

// In priority order: when several flags are set, the first listed here explains the failure best.
const FLAGS: [string, FlagInfo][] = [
  ['UH', { cause: 'upstream-down', severity: 'error', message: 'No healthy host in the upstream cluster (UH, 503): every endpoint fails its health check or the cluster is empty. Check the endpoints and the health check.' }],
  ['NC', { cause: 'routing', severity: 'error', message: 'The route names a cluster that does not exist (NC): check the cluster name in the route and that it was delivered (CDS).' }],
  ['NR', { cause: 'routing', severity: 'error', message: 'No route matched the request (NR, 404): check the virtual host domains (Host/:authority) and the route matches.' }],
  ['DF', { cause: 'dns', severity: 'error', message: 'DNS resolution of the upstream failed (DF): check the cluster\'s host names and the DNS resolver Envoy uses.' }],
  ['UF', { cause: 'upstream-down', severity: 'error', message: 'The connection to the upstream failed (UF, 503): refused, timed out (connect_timeout) or TLS failed. UPSTREAM_TRANSPORT_FAILURE_REASON in the log says which.' }],
  ['URX', { cause: 'upstream-down', severity: 'error', message: 'The retry limit was reached and every attempt failed (URX): the upstream is failing; look at the flags of the individual attempts.' }],
  ['UO', { cause: 'pool-exhaustion', severity: 'error', message: 'The circuit breaker tripped (UO, 503): max_connections / max_pending_requests / max_requests of the cluster are exhausted. Raise the thresholds or add capacity.' }],
  ['UT', { cause: 'timeout-mismatch', severity: 'error', message: 'The route timeout expired before the upstream answered (UT, 504, default 15 s). Align the route timeout with the time the app needs.' }],
  ['UMSDR', { cause: 'timeout-mismatch', severity: 'error', message: 'The upstream request reached max_stream_duration (UMSDR). Raise it or speed the request up.' }],
  ['SI', { cause: 'timeout-mismatch', severity: 'error', message: 'The stream idle timeout expired (SI): no bytes moved for idle_timeout. Raise it for slow or streaming endpoints.' }],
  ['DT', { cause: 'timeout-mismatch', severity: 'error', message: 'The request exceeded max_connection_duration / max_downstream_connection_duration (DT).' }],
  ['UC', { cause: 'keepalive-race', severity: 'error', message: 'The upstream closed the connection (UC, 503). On pooled connections this is the idle-timeout race: the app closes idle connections before Envoy\'s common_http_protocol_options.idle_timeout (1 h by default). Make Envoy\'s idle timeout shorter than the app\'s keep-alive timeout.' }],
  ['UR', { cause: 'upstream-down', severity: 'error', message: 'The upstream reset the stream (UR): the app crashed or was killed while answering. Check its log at the same time.' }],
  ['UPE', { cause: 'routing', severity: 'error', message: 'The upstream response broke the HTTP protocol (UPE): often an HTTP/2 vs HTTP/1.1 mismatch (http2_protocol_options on a cluster that speaks HTTP/1.1) or invalid headers.' }],
  ['LH', { cause: 'upstream-down', severity: 'error', message: 'The local service failed its health check (LH).' }],
  ['OM', { cause: 'overload', severity: 'error', message: 'The overload manager rejected the request (OM, 503): Envoy itself is at its resource limits.' }],
  ['DO', { cause: 'overload', severity: 'warning', message: 'The request was dropped by overload protection / drop_overload (DO).' }],
  ['RL', { cause: 'overload', severity: 'warning', message: 'The request was rate-limited locally (RL, 429).' }],
  ['RLSE', { cause: 'overload', severity: 'warning', message: 'The rate-limit service failed and requests were rejected (RLSE).' }],
  ['LR', { cause: 'intermediary', severity: 'error', message: 'Envoy reset the stream locally (LR): check Envoy\'s own stats and configuration for the reason.' }],
  ['UAEX', { cause: 'intermediary', severity: 'warning', message: 'The external authorisation service denied the request (UAEX).' }],
  ['FI', { cause: 'intermediary', severity: 'warning', message: 'A fault was injected by the fault filter (FI): not a real failure unless the filter is left on by mistake.' }],
  ['IH', { cause: 'client-side', severity: 'info', message: 'The request had invalid headers for strict header checking (IH, 400).' }],
  ['DPE', { cause: 'client-side', severity: 'info', message: 'The downstream request broke the HTTP protocol (DPE, 400).' }],
  ['DC', { cause: 'client-side', severity: 'info', message: 'The client closed the connection before the response (DC). Many of these can mean the upstream is slower than clients wait.' }],
];

function fromFlags(flags: string): [string, FlagInfo] | undefined {
  if (flags === '-' || flags === '') return undefined;
  const set = new Set(flags.split(','));
  return FLAGS.find(([f]) => set.has(f));
}

function classify(line: string): LogEvent | undefined {
  let flags: string | undefined;
  let time: string | undefined;
  let upstream: string | undefined;
  const t = TEXT.exec(line);
  if (t) {
    flags = t[3];
    time = t[1];
    const quoted = line.match(/"([^"]*)"\s*$/);
    if (quoted && quoted[1] !== '-') upstream = quoted[1];
  } else if (line.charCodeAt(0) === 123 /* { */) {
    flags = JSON_FLAGS.exec(line)?.[1];
    time = /"start_time"\s*:\s*"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)/.exec(line)?.[1];
    upstream = /"upstream_host"\s*:\s*"([^"]+)"/.exec(line)?.[1];
  }
  if (!flags) return undefined;
  const hit = fromFlags(flags);
  if (!hit) return undefined;
  const [flag, info] = hit;
  let { cause, message } = info;
  // UF with a TLS transport failure reason is a handshake problem, not a dead upstream.
  if (flag === 'UF' && /TLS|SSL|CERTIFICATE|handshake/i.test(line)) {
    cause = 'tls';
    message = 'The TLS handshake with the upstream failed (UF with a TLS transport failure reason): check the cluster\'s transport_socket sni, the trusted CA and the protocols the upstream accepts.';
  }
  const ev: LogEvent = { cause, severity: info.severity, message, code: flags };
  if (time) ev.time = time;
  if (upstream) ev.upstream = upstream;
  return ev;
}

export const envoy: LogFormat = {
  id: 'envoy',
  title: 'Envoy access log',
  detect: (line) => TEXT.test(line) || (line.charCodeAt(0) === 123 && JSON_FLAGS.test(line)),
  classify,
};
