// The app servers behind the proxy: PHP-FPM, gunicorn and uWSGI. Their lines explain the proxy's 502s
// from the other side: a worker killed for a timeout, a full pool, a request on the wrong protocol.
import { LogEvent, LogFormat, MONTHS } from './types';

const FPM = /^\[(\d\d)-(\w{3})-(\d{4}) (\d\d:\d\d:\d\d)(?:\.\d+)?\] (?:NOTICE|WARNING|ERROR|ALERT|DEBUG): /;
const GUNICORN = /^\[(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?: [+-]\d{4})?\] \[\d+\] \[[A-Z]+\] /;
const UWSGI = /uWSGI|uwsgi|\*\*\* (?:HARAKIRI|Starting uWSGI)|invalid request block size|DAMN ! worker/;

function timeOf(line: string): string | undefined {
  const f = FPM.exec(line);
  if (f) return `${f[3]}-${MONTHS[f[2]] ?? '01'}-${f[1]}T${f[4]}`;
  const g = GUNICORN.exec(line);
  if (g) return `${g[1]}T${g[2]}`;
  return undefined;
}

function judge(line: string): Omit<LogEvent, 'time'> | undefined {
  // PHP-FPM
  if (line.includes('reached pm.max_children') || line.includes('reached max_children'))
    return { cause: 'pool-exhaustion', severity: 'error', code: 'pm.max_children', upstream: /\[pool ([^\]]+)\]/.exec(line)?.[1], message: 'The PHP-FPM pool has every child busy (pm.max_children): further requests queue in the listen backlog until the proxy gives up. Raise pm.max_children if memory allows, or find the slow scripts (slowlog).' };
  if (line.includes('execution timed out'))
    return { cause: 'timeout-mismatch', severity: 'error', code: 'request_terminate_timeout', upstream: /\[pool ([^\]]+)\]/.exec(line)?.[1], message: 'PHP-FPM killed a script that ran longer than request_terminate_timeout; the proxy then sees the connection close (502). Align request_terminate_timeout, max_execution_time and the proxy\'s fastcgi_read_timeout, or speed the script up.' };
  if (line.includes('seems busy (you may need to increase'))
    return { cause: 'pool-exhaustion', severity: 'warning', code: 'pm busy', upstream: /\[pool ([^\]]+)\]/.exec(line)?.[1], message: 'PHP-FPM is spawning children as fast as it can: the pool is near its limits. Raise pm.start_servers / pm.min_spare_servers, or check pm.max_children.' };
  if (/child \d+ exited on signal (?:9|11|6)\b/.test(line))
    return { cause: 'upstream-down', severity: 'error', code: 'child killed', upstream: /\[pool ([^\]]+)\]/.exec(line)?.[1], message: 'A PHP-FPM child died on a signal (SIGKILL: out of memory; SIGSEGV: a crashing extension): the request it served got a 502. Check dmesg for the OOM killer and the extensions.' };
  if (line.includes('unable to bind listening socket'))
    return { cause: 'upstream-down', severity: 'error', code: 'bind', message: 'PHP-FPM could not bind its listen address (already in use or no permission), so the pool is not serving.' };
  // gunicorn
  if (line.includes('WORKER TIMEOUT'))
    return { cause: 'timeout-mismatch', severity: 'error', code: 'WORKER TIMEOUT', message: 'gunicorn killed a worker that was silent longer than --timeout (30 s by default); the proxy sees the connection close (502). Raise --timeout above the slowest request (and keep it below the proxy\'s read timeout), or move slow work out of the request.' };
  if (/Worker \(pid:\d+\) was sent SIGKILL/.test(line) || /Worker with pid \d+ was terminated due to signal 9/.test(line))
    return { cause: 'upstream-down', severity: 'error', code: 'SIGKILL', message: 'A gunicorn worker was killed with SIGKILL, most likely by the out-of-memory killer: requests in flight got a 502. Check memory use and dmesg.' };
  if (line.includes('Connection in use:') || line.includes('Can\'t connect to'))
    return { cause: 'upstream-down', severity: 'error', code: 'bind', message: 'gunicorn could not bind its address (already in use), so this instance is not serving.' };
  if (line.includes('Exception in worker process') || line.includes('Worker failed to boot'))
    return { cause: 'upstream-down', severity: 'error', code: 'worker boot', message: 'gunicorn workers fail to start (an import or configuration error in the app): nothing answers the proxy. The traceback that follows says why.' };
  // uWSGI
  if (line.includes('invalid request block size')) {
    const size = /invalid request block size: (\d+)/.exec(line)?.[1];
    // 21573 is "GE" read as a little-endian size: an HTTP request sent to the binary uwsgi socket.
    if (size === '21573' || size === '20047' || size === '17491')
      return { cause: 'routing', severity: 'error', code: 'block size', message: 'uWSGI received plain HTTP on its binary uwsgi socket: the proxy uses proxy_pass where it should use uwsgi_pass, or uWSGI should listen with --http-socket.' };
    return { cause: 'buffer-limits', severity: 'error', code: 'block size', message: 'A request\'s headers are larger than uWSGI\'s buffer-size (4 KB by default): raise buffer-size (e.g. 32768).' };
  }
  if (line.includes('HARAKIRI'))
    return { cause: 'timeout-mismatch', severity: 'error', code: 'HARAKIRI', message: 'uWSGI killed a worker that ran longer than harakiri seconds; the proxy gets a closed connection (502). Raise harakiri above the slowest request, keep the proxy\'s read timeout above it, or speed the request up.' };
  if (/listen queue of socket .* full/.test(line))
    return { cause: 'pool-exhaustion', severity: 'error', code: 'listen queue', message: 'uWSGI\'s listen queue is full: every worker is busy and new connections are dropped. Add workers/processes or raise listen (and net.core.somaxconn).' };
  if (line.includes('DAMN ! worker'))
    return { cause: 'upstream-down', severity: 'error', code: 'worker died', message: 'A uWSGI worker died (killed by a signal or crashed): the request it served failed. Check the signal, memory use (OOM) and reload-on-rss.' };
  if (line.includes('uwsgi_response_write') || line.includes('SIGPIPE: writing to a closed pipe'))
    return { cause: 'client-side', severity: 'info', code: 'client gone', message: 'uWSGI could not write the response because the proxy or client had already closed the connection, often because the proxy timed out first.' };
  return undefined;
}

function classify(line: string): LogEvent | undefined {
  const ev = judge(line);
  if (!ev) return undefined;
  const out: LogEvent = { cause: ev.cause, severity: ev.severity, message: ev.message };
  if (ev.code) out.code = ev.code;
  if (ev.upstream) out.upstream = ev.upstream;
  const time = timeOf(line);
  if (time) out.time = time;
  return out;
}

export const appServers: LogFormat = {
  id: 'app-servers',
  title: 'PHP-FPM / gunicorn / uWSGI log',
  detect: (line) => FPM.test(line) || GUNICORN.test(line) || UWSGI.test(line),
  classify,
};
