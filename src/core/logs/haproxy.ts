// HAProxy logs (option httplog / tcplog, raw or behind a syslog header). The termination state's first
// two characters say who ended the session and in which phase: `SC` the server refused the connect,
// `sH` the server timeout expired before response headers, `sQ` the request waited too long in queue …
import { CauseId, Severity } from '../finding';
import { LogEvent, LogFormat, MONTHS } from './types';

// [accept_date] frontend backend/server Tq/Tw/Tc/Tr/Ta status bytes req_cookie res_cookie state
const HTTP = /\[(\d\d)\/(\w{3})\/(\d{4}):(\d\d:\d\d:\d\d)(?:\.\d+)?\] (\S+) (\S+)\/(\S+) -?\d+\/-?\d+\/-?\d+\/-?\d+\/\+?-?\d+ (-?\d+) \+?\d+ \S+ \S+ ([A-Za-z-]{4}) /;
// [accept_date] frontend backend/server Tw/Tc/Tt bytes state
const TCP = /\[(\d\d)\/(\w{3})\/(\d{4}):(\d\d:\d\d:\d\d)(?:\.\d+)?\] (\S+) (\S+)\/(\S+) -?\d+\/-?\d+\/\+?-?\d+ \+?\d+ ([A-Za-z-]{2}) /;
const SERVER_DOWN = /Server (\S+) is DOWN(?:, reason: ([^,]+))?(?:, info: "([^"]*)")?/;
const NO_SERVER = /backend (\S+) has no server available/;

interface StateVerdict {
  cause: CauseId;
  severity: Severity;
  message: string;
}

const PHASE: Record<string, string> = { R: 'waiting for the request', Q: 'in the queue', C: 'while connecting', H: 'waiting for response headers', D: 'during the data transfer', L: 'sending the last data', T: 'in the tarpit' };

function judgeState(state: string, status: number): StateVerdict | undefined {
  const who = state[0];
  const when = state[1];
  switch (who) {
    case 'S':
      if (when === 'C') return { cause: 'upstream-down', severity: 'error', message: 'The server refused or reset the connection (SC): nothing listens on its address, or it is crashing. Check the server line\'s address/port and that the service runs.' };
      if (when === 'H') return { cause: 'upstream-down', severity: 'error', message: 'The server closed the connection before sending complete response headers (SH): the app crashed or was killed mid-request, or sent something HAProxy could not parse. Check the app\'s log at the same time.' };
      return { cause: 'upstream-down', severity: 'error', message: `The server aborted the session ${PHASE[when] ?? ''} (S${when}): the app crashed, restarted or reset the connection. Check its log at the same time.` };
    case 's':
      if (when === 'C') return { cause: 'upstream-down', severity: 'error', message: '`timeout connect` expired before the server accepted the connection (sC): the host is down, a firewall drops packets, or its backlog is full.' };
      if (when === 'Q') return { cause: 'pool-exhaustion', severity: 'error', message: 'The request waited in the queue longer than `timeout queue` (sQ): every server was at its maxconn. Raise maxconn/servers or find the slow requests.' };
      if (when === 'H') return { cause: 'timeout-mismatch', severity: 'error', message: '`timeout server` expired before the server sent response headers (sH, 504): the app is slower than HAProxy waits. Align `timeout server` with the app\'s own timeout, or speed the request up.' };
      return { cause: 'timeout-mismatch', severity: 'error', message: `\`timeout server\` expired ${PHASE[when] ?? ''} (s${when}): the server went silent. Compare the timeouts of the layers.` };
    case 'P':
      if (when === 'H' || when === 'D') return { cause: 'routing', severity: 'error', message: `HAProxy rejected the server's response as invalid (P${when}, 502): headers with forbidden characters, a malformed status line, or headers too large for tune.bufsize. \`show errors\` on the stats socket shows the offending response.` };
      if (when === 'C') return { cause: 'pool-exhaustion', severity: 'error', message: 'HAProxy could not open a connection to the server because it hit its own socket limit (PC). Raise maxconn / ulimit -n.' };
      if (when === 'R') return { cause: 'client-side', severity: 'info', message: 'HAProxy blocked the request itself (PR): invalid HTTP from the client or a deny rule.' };
      return undefined;
    case 'R':
      return { cause: 'pool-exhaustion', severity: 'error', message: `HAProxy ran out of a resource (memory, sockets, source ports) ${PHASE[when] ?? ''} (R${when}).` };
    case 'I':
      return { cause: 'intermediary', severity: 'error', message: `HAProxy hit an internal error (I${when}): check its version for known bugs and its own log.` };
    case 'D':
      return { cause: 'upstream-down', severity: 'warning', message: `The session was killed because the server was marked down (D${when}, on-marked-down shutdown-sessions). Check the health check failures before it.` };
    case 'C':
    case 'c':
      if (when === 'R' || when === '-') return undefined;
      return { cause: 'client-side', severity: 'info', message: `The client ${who === 'C' ? 'aborted' : 'timed out (timeout client)'} ${PHASE[when] ?? ''} (${who}${when}). Many of these ${when === 'H' || when === 'Q' ? 'mean clients give up waiting for a slow backend' : 'are usually harmless'}.` };
    case 'K':
      return { cause: 'intermediary', severity: 'info', message: `The session was killed by an administrator or a rule (K${when}).` };
    case '-':
      if (status === 503) return { cause: 'overload', severity: 'warning', message: 'The server itself answered 503 (HAProxy passed it through): the app reports overload or maintenance.' };
      if (status === 502 || status === 504) return { cause: 'upstream-down', severity: 'warning', message: `The server itself answered ${status} (HAProxy passed it through): the failing hop is behind it. Look at that server's own logs.` };
      return undefined;
    default:
      return undefined;
  }
}

function classify(line: string): LogEvent | undefined {
  const open = line.indexOf('[');
  if (open < 0) return undefined;
  const m = HTTP.exec(line) ?? TCP.exec(line);
  if (m) {
    const isHttp = m[9] !== undefined;
    const status = isHttp ? Number(m[8]) : 0;
    const state = (isHttp ? m[9] : m[8]).slice(0, 2);
    const v = judgeState(state, status);
    if (!v) return undefined;
    const noServer = m[7] === '<NOSRV>';
    return {
      cause: v.cause,
      severity: v.severity,
      message: noServer && state === 'SC' ? 'No server of the backend was available (<NOSRV>, 503): all are down or in maintenance. Check the health checks.' : v.message,
      upstream: `${m[6]}/${m[7]}`,
      time: `${m[3]}-${MONTHS[m[2]] ?? '01'}-${m[1]}T${m[4]}`,
      code: state,
    };
  }
  const down = SERVER_DOWN.exec(line);
  if (down) {
    const reason = `${down[2] ?? ''} ${down[3] ?? ''}`;
    const tls = /Layer6|SSL|TLS|handshake/i.test(reason);
    return {
      cause: tls ? 'tls' : 'upstream-down',
      severity: 'error',
      message: `HAProxy marked server ${down[1]} DOWN (${reason.trim() || 'health check failed'}). ${tls ? 'The TLS handshake of the check failed: check SNI (check-sni), verify and ca-file.' : 'Its health check fails: check the address, port and check path.'}`,
      upstream: down[1],
      code: 'DOWN',
    };
  }
  const none = NO_SERVER.exec(line);
  if (none) {
    return { cause: 'upstream-down', severity: 'error', message: `Backend ${none[1]} has no server left: every request to it gets 503 until one comes back.`, upstream: none[1], code: 'NOSRV' };
  }
  return undefined;
}

export const haproxy: LogFormat = {
  id: 'haproxy',
  title: 'HAProxy log',
  detect: (line) => HTTP.test(line) || TCP.test(line) || /haproxy\[\d+\]:/.test(line),
  classify,
};
