// nginx error.log: `2024/01/15 10:23:45 [error] 1234#1234: *56 connect() failed (111: Connection refused)
// while connecting to upstream, client: …, upstream: "http://127.0.0.1:9/", host: …`.
// The text between the connection number and `, client:` repeats across millions of lines, so it is
// classified once and memoised; per line only the time and the upstream are cut out.
import { CauseId, Severity } from '../finding';
import { flat, LogEvent, LogFormat } from './types';

const LINE = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[(?:debug|info|notice|warn|error|crit|alert|emerg)\] \d+#\d+: /;

interface Verdict {
  cause: CauseId;
  severity: Severity;
  code?: string;
  message: string;
}

const errnoOf = (text: string): string | undefined => /\((\d+): [^)]*\)/.exec(text)?.[1];
const unixPath = (text: string): string | undefined => /(unix:[^\s"]+?)(?: failed|"|\s|$)/.exec(text)?.[1];
const phase = (text: string): string => / while ([^,]+)/.exec(text)?.[1] ?? '';

/** The message kernel → verdict. Order matters: the most specific text first. */
function judge(k: string): Verdict | null {
  const errno = errnoOf(k);
  const code = errno ? `errno ${errno}` : undefined;
  const sock = unixPath(k);
  const during = phase(k);

  if (k.includes('no live upstreams'))
    return { cause: 'upstream-down', severity: 'error', code: 'no live upstreams', message: 'Every server of the upstream group is marked failed (max_fails/fail_timeout), so nginx did not even try one. Find out why the servers failed first: the lines before this one say which error took them out.' };
  if (k.includes('upstream sent too big header'))
    return { cause: 'buffer-limits', severity: 'error', code: 'too big header', message: 'The upstream\'s response headers do not fit in proxy_buffer_size (fastcgi_/uwsgi_buffer_size for those modules); large Set-Cookie or CSP headers are the usual culprits. Raise the buffer size (and proxy_buffers) or shrink the headers.' };
  if (k.includes('could not be resolved'))
    return { cause: 'dns', severity: 'error', code: errno ? `resolver ${errno}` : 'resolver', message: `nginx's resolver could not resolve the upstream name (${/^(\S+) could not be resolved/.exec(k)?.[1] ?? 'see line'}): check the resolver directive points at a DNS server that knows the name, and the name itself.` };
  if (k.includes(' while resolving'))
    return { cause: 'dns', severity: 'error', code: errno ? `resolver ${errno}` : 'resolver', message: `nginx could not talk to its DNS server (${/resolver: (\S+)/.exec(k)?.[1] ?? 'the resolver'}${errno === '111' ? ': connection refused' : ''}), so names looked up at run time fail with 502. Check the address in the resolver directive (127.0.0.11 inside Docker) and that the DNS server is up.` };
  if (k.includes('no resolver defined to resolve'))
    return { cause: 'dns', severity: 'error', code: 'no resolver', message: 'proxy_pass uses a variable (or a name resolved at run time) but no resolver is configured: add `resolver <dns-ip> valid=30s;` to the http or server block.' };
  if (k.includes('host not found in upstream'))
    return { cause: 'dns', severity: 'error', code: 'host not found', message: 'An upstream host name did not resolve when the configuration was loaded, so nginx refused to start or reload. Fix the name, or resolve it at run time with a resolver and a variable.' };
  if (k.includes('worker_connections are not enough'))
    return { cause: 'pool-exhaustion', severity: 'error', code: 'worker_connections', message: 'Each nginx worker ran out of connection slots (client plus upstream connections count). Raise worker_connections (and worker_rlimit_nofile), or find what holds connections open.' };
  if (errno === '24' || k.includes('Too many open files'))
    return { cause: 'pool-exhaustion', severity: 'error', code, message: 'nginx hit its open-files limit, so new client or upstream sockets fail. Raise worker_rlimit_nofile / LimitNOFILE and check for leaking connections.' };
  if (k.includes('SSL_do_handshake() failed') || k.includes('while SSL handshaking to upstream') || k.includes('upstream SSL certificate') || k.includes('peer closed connection in SSL handshake'))
    return { cause: 'tls', severity: 'error', code: 'ssl handshake', message: 'The TLS handshake with the upstream failed. Check proxy_ssl_server_name on (SNI), proxy_ssl_name, the protocols/ciphers both sides accept, and proxy_ssl_trusted_certificate if verification is on.' };
  if (k.includes('upstream sent invalid header') || k.includes('upstream sent no valid HTTP/1.0 header') || k.includes('upstream sent duplicate header') || k.includes('upstream sent invalid status'))
    return { cause: 'routing', severity: 'error', code: 'invalid header', message: 'The upstream did not answer with valid HTTP headers: usually nginx speaks plain HTTP to a TLS, HTTP/2-only, FastCGI or uwsgi port, or an app writes junk before its headers. Check the scheme, port and *_pass directive.' };
  if (k.includes('upstream sent unexpected FastCGI record') || k.includes('upstream sent invalid FastCGI'))
    return { cause: 'routing', severity: 'error', code: 'fastcgi protocol', message: 'The upstream did not speak FastCGI: fastcgi_pass probably points at an HTTP port. Use proxy_pass for HTTP apps or point fastcgi_pass at the PHP-FPM listener.' };
  if (k.includes('Primary script unknown'))
    return { cause: 'routing', severity: 'warning', code: 'Primary script unknown', message: 'PHP-FPM could not find the script nginx asked for: check SCRIPT_FILENAME ($document_root$fastcgi_script_name), root, and that the pool can read the path (chroot, open_basedir).' };
  if (k.includes('client intended to send too large body'))
    return { cause: 'buffer-limits', severity: 'warning', code: '413', message: 'A request body exceeded client_max_body_size, so nginx answered 413. Raise client_max_body_size where uploads are expected (and the matching limit of the app behind).' };
  if (k.includes('limiting requests'))
    return { cause: 'overload', severity: 'warning', code: 'limit_req', message: 'limit_req rejected or delayed requests over the configured rate (503 by default, or limit_req_status). Expected under load; if legitimate traffic is hit, raise rate/burst.' };
  if (k.includes('limiting connections'))
    return { cause: 'overload', severity: 'warning', code: 'limit_conn', message: 'limit_conn rejected connections over the configured count (503 by default). If legitimate traffic is hit, raise the limit.' };
  if (k.includes('upstream server temporarily disabled'))
    return { cause: 'upstream-down', severity: 'warning', code: 'disabled', message: 'nginx took an upstream server out of rotation for fail_timeout after max_fails failures. Look at the errors just before this line for why it failed.' };

  if (k.includes('upstream timed out') || (errno === '110' && k.includes('upstream'))) {
    if (during.startsWith('connecting'))
      return { cause: 'upstream-down', severity: 'error', code: 'timeout connect', message: 'The TCP connect to the upstream got no answer within proxy_connect_timeout: the host is down, a firewall drops packets, or its listen backlog is full. Check the address is reachable from this machine.' };
    if (during.startsWith('reading response header'))
      return { cause: 'timeout-mismatch', severity: 'error', code: 'timeout header', message: 'The upstream accepted the request but sent no response headers within proxy_read_timeout (504). Either the app is slow (profile that request) or nginx gives up before the app\'s own timeout: align proxy_read_timeout with the app server\'s.' };
    if (during.startsWith('reading upstream'))
      return { cause: 'timeout-mismatch', severity: 'error', code: 'timeout body', message: 'The upstream stopped sending the response body for longer than proxy_read_timeout. Check slow streaming endpoints and align the timeouts of the layers.' };
    if (during.startsWith('sending request'))
      return { cause: 'timeout-mismatch', severity: 'error', code: 'timeout send', message: 'The upstream stopped reading the request for longer than proxy_send_timeout (large uploads to a busy app). Check the app reads request bodies promptly, or raise proxy_send_timeout.' };
    return { cause: 'timeout-mismatch', severity: 'error', code: 'timeout', message: 'An upstream timeout expired. Compare nginx\'s proxy_*_timeout with the time the app needs and with its own timeout.' };
  }
  if (k.includes('upstream prematurely closed'))
    return { cause: 'upstream-down', severity: 'error', code: 'prematurely closed', message: `The upstream closed the connection ${during.startsWith('reading response header') ? 'before sending response headers' : 'in the middle of the response'}: the app crashed, was killed (OOM, worker timeout such as gunicorn's --timeout or PHP's request_terminate_timeout) or restarted. Check the app server's log at the same time; if it happens only on reused keep-alive connections, compare idle timeouts.` };

  const isConnect = k.includes('connect()') || k.includes('connect to ');
  if (isConnect && sock && (errno === '2' || errno === '13')) {
    return errno === '2'
      ? { cause: 'routing', severity: 'error', code, message: `The unix socket ${sock.slice(5)} does not exist: the app server (PHP-FPM, gunicorn, uWSGI) is stopped or listens on another path. Compare the path in the *_pass directive with the app server's listen setting.` }
      : { cause: 'routing', severity: 'error', code, message: `nginx may not connect to the unix socket ${sock.slice(5)} (permission denied): the socket's owner/mode (PHP-FPM listen.owner/listen.group/listen.mode) must allow the nginx user, and every parent directory must be searchable.` };
  }
  if (isConnect || during.includes('connecting to upstream')) {
    if (errno === '111')
      return { cause: 'upstream-down', severity: 'error', code, message: `Connection refused${sock ? ` on ${sock.slice(5)}` : ''}: nothing listens at the upstream address. Start the app, or fix the host/port (or socket) in proxy_pass / the upstream block to where it listens.` };
    if (errno === '113' || errno === '101')
      return { cause: 'upstream-down', severity: 'error', code, message: 'No route to the upstream host: the machine is down, off the network, or a firewall rejects the traffic. Check the address and the route from this host.' };
    if (errno === '99')
      return { cause: 'pool-exhaustion', severity: 'error', code, message: 'No local port was free for a new upstream connection (ephemeral ports exhausted by short-lived connections in TIME_WAIT). Enable upstream keepalive (proxy_http_version 1.1, keepalive N) or widen net.ipv4.ip_local_port_range.' };
    if (errno === '11')
      return { cause: 'pool-exhaustion', severity: 'error', code, message: 'The upstream\'s listen queue is full (EAGAIN on a unix socket): every app worker is busy. Raise the app server\'s workers/backlog (PHP-FPM pm.max_children, listen.backlog) or find the slow requests.' };
    if (errno === '13')
      return { cause: 'routing', severity: 'error', code, message: 'The system denied nginx the upstream connection (permission denied): typically SELinux (setsebool -P httpd_can_network_connect 1) or a local firewall rule.' };
    if (errno === '104')
      return { cause: 'upstream-down', severity: 'error', code, message: 'The upstream reset the connection while nginx was connecting. Check the app server is healthy and accepts connections.' };
  }
  if (k.includes('Connection reset by peer') || errno === '104') {
    if (during.startsWith('reading response header') || during.startsWith('sending request'))
      return { cause: 'keepalive-race', severity: 'error', code, message: 'The upstream reset the connection before answering. On reused keep-alive connections this is the idle-timeout race: the app closes idle connections sooner than nginx stops reusing them. Make the app\'s keep-alive timeout longer than nginx\'s upstream keepalive_timeout; otherwise check the app crashed.' };
    if (during.includes('upstream'))
      return { cause: 'upstream-down', severity: 'error', code, message: 'The upstream reset the connection in the middle of the response: the app crashed or was killed while answering. Check its log at the same time.' };
    return { cause: 'upstream-down', severity: 'error', code, message: 'The upstream reset the connection. Check the app server is healthy at that time.' };
  }
  if ((k.includes('Broken pipe') || errno === '32') && during.includes('to upstream'))
    return { cause: 'keepalive-race', severity: 'error', code, message: 'The upstream had already closed the connection nginx wrote the request to. On reused keep-alive connections this is the idle-timeout race: make the app\'s keep-alive timeout longer than nginx\'s keepalive_timeout.' };
  if (k.includes('prematurely closed connection') && during.includes('upstream'))
    return { cause: 'client-side', severity: 'info', code: '499', message: 'The client gave up before the upstream answered (499). Many of these mean the upstream is slower than the clients are willing to wait.' };
  if (errno === '13' && k.includes('open()'))
    return { cause: 'routing', severity: 'warning', code, message: 'nginx may not read a file it was asked to serve (403): check the owner and mode of the file and its directories against the nginx user.' };
  return null;
}

// Kernels that can be failures without naming the upstream; any other kernel without "upstream" is quiet.
export const OTHER_FAILURES = /worker_connections|could not be resolved| while resolving|no resolver|intended to send too large|limiting |Too many open|Permission denied|Cannot assign|host not found/;

/**
 * Recently seen kernels and their verdicts. A log repeats a handful of kernels, so a short list checked by
 * length then startsWith on the line beats hashing the text (measured: hashing a slice per line cost
 * more than all the rest of the classifier). Variable kernels only cost a judge() call each.
 */
const RECENT = 32;
const recentKernels: string[] = [];
const recentVerdicts: (Verdict | null)[] = [];
let nextSlot = 0;

function verdictFor(line: string, start: number, end: number): Verdict | null {
  const len = end - start;
  for (let i = 0; i < recentKernels.length; i++) {
    const k = recentKernels[i];
    if (k.length === len && line.startsWith(k, start)) return recentVerdicts[i];
  }
  const kernel = flat(line.slice(start, end));
  const verdict = judge(kernel);
  recentKernels[nextSlot] = kernel;
  recentVerdicts[nextSlot] = verdict;
  nextSlot = (nextSlot + 1) % RECENT;
  return verdict;
}

function kernelBounds(line: string): [number, number] {
  // After `] 1234#1234: ` and an optional `*56 ` connection number.
  let start = line.indexOf(': ', 22);
  if (start < 0) return [-1, -1];
  start += 2;
  if (line.charCodeAt(start) === 42 /* * */) {
    const sp = line.indexOf(' ', start);
    if (sp > 0) start = sp + 1;
  }
  let end = line.indexOf(', client: ', start);
  if (end < 0) end = line.length;
  return [start, end];
}

// Consecutive lines mostly share their second: reuse the normalised time.
let lastSecond = '';
let lastTime = '';

function timeOf(line: string): string {
  if (lastSecond !== '' && line.startsWith(lastSecond)) return lastTime;
  lastSecond = flat(line.slice(0, 19));
  lastTime = `${line.slice(0, 4)}-${line.slice(5, 7)}-${line.slice(8, 10)}T${line.slice(11, 19)}`;
  return lastTime;
}

/** `http://10.0.3.1:8080/api?x=1` → `http://10.0.3.1:8080`; `http://unix:/run/app.sock:/` → `http://unix:/run/app.sock`. */
export function upstreamAddress(u: string): string {
  const scheme = u.indexOf('://');
  const from = scheme < 0 ? 0 : scheme + 3;
  if (u.startsWith('unix:', from)) {
    const colon = u.indexOf(':', from + 5);
    return colon < 0 ? u : u.slice(0, colon);
  }
  const slash = u.indexOf('/', from);
  return slash < 0 ? u : u.slice(0, slash);
}

function classify(line: string): LogEvent | undefined {
  // Prefilter: a timestamp and a level that can carry a failure.
  if (line.length < 30 || line.charCodeAt(4) !== 47 || line.charCodeAt(20) !== 91) return undefined;
  if (line.startsWith('debug', 21)) return undefined;
  const [start, end] = kernelBounds(line);
  if (start < 0) return undefined;
  // Quiet lines (static-file misses, keep-alive chatter) vary per request: reject them before the memo.
  const up = line.indexOf('upstream', start);
  if ((up < 0 || up >= end) && !OTHER_FAILURES.test(line)) return undefined;
  const verdict = verdictFor(line, start, end);
  if (!verdict) return undefined;
  const ev: LogEvent = { cause: verdict.cause, severity: verdict.severity, message: verdict.message, time: timeOf(line) };
  if (verdict.code) ev.code = verdict.code;
  const u = line.indexOf(' upstream: "', end);
  if (u > 0) {
    const q = line.indexOf('"', u + 12);
    if (q > 0) ev.upstream = upstreamAddress(line.slice(u + 12, q));
  }
  return ev;
}

// ---- The streaming fast path: classify(text.slice(a, b)) without the slice. ----
// Same rules as classify() above, with every search bounded to [a, b) (a match only counts when it ends
// inside the line), reordered so that a line whose message kernel was seen recently costs a few compares:
//  - A remembered kernel K is stored with the `, client: ` that ended it. K + `, client: ` found at the
//    kernel start means the first `, client: ` of the line is right after K (an earlier one would lie inside
//    that same text, and did not in the line K came from), so the kernel is K without searching for its end.
//  - Whether K names "upstream" or matches OTHER_FAILURES is remembered with it; only kernels that do neither
//    test OTHER_FAILURES on the whole line, as classify() does.
//  - A remembered upstream address A (`scheme://host:port`, not unix:) followed by `/` or `"` is the address
//    upstreamAddress() would cut from the value, so only the closing quote is searched for.
// The caches hand back the same string instances for repeated values, so the aggregator's map lookups hit
// strings whose hash V8 already knows. test/unit/logsFast.test.ts compares this with classify().
interface Kernel {
  /** The kernel text. */
  k: string;
  /** k + ', client: ' when the kernel ended there, else k (it ran to the end of the line). */
  full: string;
  client: boolean;
  /** The kernel alone passes the quiet-line filter. */
  gate: boolean;
  /** k's first and last character codes, a cheap test before the compare. */
  c0: number;
  cl: number;
  verdict: Verdict | null;
}
const atKernels: Kernel[] = [];
let atNext = 0;
let atSecond = '';
let atTime = '';
const RECENT_UPSTREAMS = 16;
const atUpstreams: string[] = [];
/** The address is scheme://host[:port] with no unix: socket, so the shortcut above applies. */
const atUpSimple: boolean[] = [];
let atUpNext = 0;

/**
 * text.startsWith(k, at) for a k known to fit. A slice compared with === (V8 compares the characters word by
 * word) measured cheaper than startsWith and than a charCodeAt loop for kernels of 20-100 characters.
 */
function eqAt(text: string, k: string, at: number): boolean {
  return text.slice(at, at + k.length) === k;
}

/** Index of `pat` in text[from, end), or -1. */
function findIn(text: string, pat: string, from: number, end: number): number {
  const i = text.indexOf(pat, from);
  return i >= 0 && i + pat.length <= end ? i : -1;
}

/** upstreamAddress(text.slice(from, to)), as a cached string instance. */
function upstreamAt(text: string, from: number, to: number): string {
  let a = to;
  const scheme = findIn(text, '://', from, to);
  const host = scheme < 0 ? from : scheme + 3;
  const unix = host + 5 <= to && text.startsWith('unix:', host);
  if (unix) {
    const colon = findIn(text, ':', host + 5, to);
    if (colon >= 0) a = colon;
  } else {
    const slash = findIn(text, '/', host, to);
    if (slash >= 0) a = slash;
  }
  const len = a - from;
  for (let i = 0; i < atUpstreams.length; i++) {
    const u = atUpstreams[i];
    if (u.length === len && eqAt(text, u, from)) return u;
  }
  const u = flat(text.slice(from, a));
  atUpstreams[atUpNext] = u;
  atUpSimple[atUpNext] = scheme >= 0 && !unix && !u.includes('"');
  atUpNext = (atUpNext + 1) % RECENT_UPSTREAMS;
  return u;
}

function classifyAt(text: string, a: number, b: number): LogEvent | undefined {
  if (b - a < 30 || text.charCodeAt(a + 4) !== 47 || text.charCodeAt(a + 20) !== 91) return undefined;
  if (text.charCodeAt(a + 21) === 100 /* d */ && text.startsWith('debug', a + 21)) return undefined;
  // kernelBounds()
  let start = findIn(text, ': ', a + 22, b);
  if (start < 0) return undefined;
  start += 2;
  if (start < b && text.charCodeAt(start) === 42 /* * */) {
    const sp = findIn(text, ' ', start, b);
    if (sp >= 0) start = sp + 1;
  }
  let hit: Kernel | undefined;
  const c0 = text.charCodeAt(start);
  for (let i = 0; i < atKernels.length; i++) {
    const e = atKernels[i];
    const kEnd = start + e.k.length;
    if (e.c0 !== c0 || text.charCodeAt(kEnd - 1) !== e.cl) continue;
    if (e.client ? kEnd + 10 <= b && eqAt(text, e.full, start) : kEnd === b && eqAt(text, e.k, start)) {
      hit = e;
      break;
    }
  }
  let end: number;
  let verdict: Verdict | null;
  if (hit) {
    end = start + hit.k.length;
    if (!hit.gate && !OTHER_FAILURES.test(text.slice(a, b))) return undefined;
    verdict = hit.verdict;
  } else {
    end = findIn(text, ', client: ', start, b);
    const client = end >= 0;
    if (!client) end = b;
    const up = findIn(text, 'upstream', start, b);
    if ((up < 0 || up >= end) && !OTHER_FAILURES.test(text.slice(a, b))) return undefined;
    const k = flat(text.slice(start, end));
    verdict = judge(k);
    atKernels[atNext] = { k, full: client ? k + ', client: ' : k, client, gate: k.includes('upstream') || OTHER_FAILURES.test(k), c0: k.charCodeAt(0), cl: k.charCodeAt(k.length - 1), verdict };
    atNext = (atNext + 1) % RECENT;
  }
  if (!verdict) return undefined;
  // timeOf()
  if (atSecond === '' || !eqAt(text, atSecond, a)) {
    atSecond = flat(text.slice(a, a + 19));
    atTime = `${text.slice(a, a + 4)}-${text.slice(a + 5, a + 7)}-${text.slice(a + 8, a + 10)}T${text.slice(a + 11, a + 19)}`;
  }
  const ev: LogEvent = { cause: verdict.cause, severity: verdict.severity, message: verdict.message, time: atTime };
  if (verdict.code) ev.code = verdict.code;
  const u = findIn(text, ' upstream: "', end, b);
  if (u >= 0) {
    const from = u + 12;
    for (let i = 0; i < atUpstreams.length; i++) {
      const A = atUpstreams[i];
      const next = text.charCodeAt(from + A.length);
      if (!atUpSimple[i] || (next !== 47 /* / */ && next !== 34 /* " */) || !eqAt(text, A, from)) continue;
      if (next === 34 ? from + A.length < b : findIn(text, '"', from + A.length, b) >= 0) ev.upstream = A;
      return ev;
    }
    const q = findIn(text, '"', from, b);
    if (q >= 0) ev.upstream = upstreamAt(text, from, q);
  }
  return ev;
}

/** The verdict on one message kernel (what classify() decides once per distinct kernel); for the WebAssembly scanner. */
export function nginxKernelVerdict(kernel: string): { cause: CauseId; severity: Severity } | null {
  return judge(kernel);
}

export const nginxError: LogFormat = {
  id: 'nginx-error',
  title: 'nginx error.log',
  detect: (line) => LINE.test(line),
  classify,
  classifyAt,
};
