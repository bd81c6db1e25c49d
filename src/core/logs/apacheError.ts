// Apache httpd 2.4 error log: `[Mon Jan 15 10:23:45.123456 2024] [proxy:error] [pid 1:tid 2]
// (111)Connection refused: AH00957: HTTP: attempt to connect to 127.0.0.1:9 (127.0.0.1) failed`.
// The AH code names the event; the APR status in front of it (`(70007)`, `(111)`) says why.
import { CauseId, Severity } from '../finding';
import { LogEvent, LogFormat, MONTHS } from './types';

const HEAD = /^\[\w{3} (\w{3}) +(\d{1,2}) (\d\d:\d\d:\d\d)(?:\.\d+)? (\d{4})\] \[([\w-]*):(\w+)\]/;
const AH = /AH(\d{5}):/;

type Verdict = { cause: CauseId; severity: Severity; message: string } | undefined;

const TIMEOUT = 'The backend did not answer within ProxyTimeout (or Timeout): the app is slow or Apache gives up before the app\'s own timeout. Align ProxyTimeout / ProxyPass timeout= with the app server.';

function judge(ah: string, text: string, status: string | undefined): Verdict {
  const timedOut = status === '70007' || text.includes('timeout specified has expired');
  if (text.includes('DNS lookup failure'))
    return { cause: 'dns', severity: 'error', message: 'mod_proxy could not resolve the backend host name: check the name in ProxyPass/BalancerMember and the system resolver.' };
  switch (ah) {
    case '00957': // attempt to connect to X failed
    case '01114': // failed to make connection to backend
    case '00959': // disabling worker
    case '00940': // disabled connection for
    case '01079': // (fcgi) failed to make connection to backend
      if (status === '2' || status === '13')
        return { cause: 'routing', severity: 'error', message: status === '2' ? 'The backend unix socket does not exist: the app server is stopped or listens on another path. Compare the socket path in ProxyPass (unix:…|fcgi://) with its listen setting.' : 'Apache may not connect to the backend socket (permission denied): check the socket owner/mode and SELinux (httpd_can_network_connect).' };
      if (timedOut) return { cause: 'upstream-down', severity: 'error', message: 'The connect to the backend timed out: the host is down or a firewall drops packets. Check the address is reachable (connectiontimeout=).' };
      return { cause: 'upstream-down', severity: 'error', message: `mod_proxy could not connect to the backend${status === '111' ? ' (connection refused: nothing listens there)' : ''}${ah === '00959' ? '; the worker is now disabled for retry= seconds' : ''}. Start the app or fix the host/port in ProxyPass.` };
    case '02454': // FCGI: attempt to connect to Unix domain socket failed
      return { cause: status === '111' ? 'upstream-down' : 'routing', severity: 'error', message: 'mod_proxy_fcgi could not connect to the FastCGI unix socket: PHP-FPM is stopped, listens elsewhere, or the socket permissions exclude Apache. Compare the path with the pool\'s listen setting.' };
    case '01102': // error reading status line from remote server
      if (timedOut) return { cause: 'timeout-mismatch', severity: 'error', message: TIMEOUT };
      return { cause: 'upstream-down', severity: 'error', message: 'The backend closed or reset the connection before sending a status line: the app crashed or was killed, or a reused keep-alive connection was closed by the backend (keep-alive race; set ProxyPass … disablereuse=On or a ttl= shorter than the backend\'s idle timeout).' };
    case '00898': // Error reading from remote server / DNS lookup failure
    case '01110': // error reading response
    case '01084': // pass request body failed
    case '01097': // pass request body failed
    case '01075': // (fcgi) Error dispatching request
      if (timedOut) return { cause: 'timeout-mismatch', severity: 'error', message: TIMEOUT };
      return { cause: 'upstream-down', severity: 'error', message: `The exchange with the backend failed ${ah === '01084' || ah === '01097' ? 'while sending the request body' : 'while reading its response'}: the backend closed or reset the connection. Check the app's log at that time.` };
    case '00961': // failed to enable ssl support
    case '01961': // SSL Proxy requested but not enabled
      return { cause: 'tls', severity: 'error', message: 'ProxyPass points at https:// but SSL proxying is not enabled: add SSLProxyEngine on (and load mod_ssl) in that virtual host.' };
    case '02003': // SSL Proxy connect failed
    case '02005': // peer certificate CN mismatch
    case '02039': // certificate verification error
    case '02004': // peer certificate not yet valid / expired
      return { cause: 'tls', severity: 'error', message: 'The TLS handshake with the backend failed: check SSLProxyVerify / SSLProxyCACertificateFile, SSLProxyCheckPeerName and the backend certificate\'s name and dates.' };
    case '01144': // No protocol handler was valid for the URL
      return { cause: 'routing', severity: 'error', message: 'No proxy module handles this URL scheme: load mod_proxy_http (or mod_proxy_fcgi / mod_proxy_wstunnel) for the scheme in ProxyPass.' };
    case '01071': // (fcgi) Got error 'Primary script unknown'
      if (text.includes('Primary script unknown'))
        return { cause: 'routing', severity: 'warning', message: 'PHP-FPM could not find the script Apache asked for: check the path mapping in ProxyPassMatch / SetHandler and DocumentRoot.' };
      return undefined;
    case '00124':
      return { cause: 'routing', severity: 'error', message: 'A rewrite loop: the request exceeded LimitInternalRecursion internal redirects. Check the RewriteRules for a rule that matches its own output.' };
    case '00484': // server reached MaxRequestWorkers
    case '00485': // scoreboard is full
      return { cause: 'pool-exhaustion', severity: 'error', message: 'Apache used up its worker slots (MaxRequestWorkers): new connections wait in the backlog. Raise MaxRequestWorkers (and ServerLimit) or find slow requests holding workers.' };
    case '00052': // child pid exit signal Segmentation fault
      return { cause: 'upstream-down', severity: 'error', message: 'An Apache child process crashed: requests it held were lost. Check modules and a core dump.' };
    case '01382': // request header read timeout
      return { cause: 'client-side', severity: 'info', message: 'A client did not send its request headers in time (mod_reqtimeout, 408).' };
    default:
      return undefined;
  }
}

function classify(line: string): LogEvent | undefined {
  if (line.charCodeAt(0) !== 91 /* [ */) return undefined;
  if (line.indexOf('AH') < 0) return undefined;
  const m = AH.exec(line);
  if (!m) return undefined;
  const status = /\] \((\d+)\)[^:]*: (?:\[client [^\]]*\] )?AH\d{5}/.exec(line)?.[1];
  const v = judge(m[1], line, status);
  if (!v) return undefined;
  const head = HEAD.exec(line);
  const ev: LogEvent = { cause: v.cause, severity: v.severity, message: v.message, code: `AH${m[1]}` };
  if (head) ev.time = `${head[4]}-${MONTHS[head[1]] ?? '01'}-${head[2].padStart(2, '0')}T${head[3]}`;
  const target = / (?:connect to|remote server|backend:?|for \(|worker for \(|returned by) ?\(?([\w.:\-/[\]]+)/.exec(line.slice(line.indexOf(m[0])));
  if (target) ev.upstream = target[1].replace(/\)$/, '');
  return ev;
}

export const apacheError: LogFormat = {
  id: 'apache-error',
  title: 'Apache httpd error log',
  detect: (line) => HEAD.test(line),
  classify,
};
