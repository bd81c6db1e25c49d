// AWS Application Load Balancer access-log rows. elb_status_code vs target_status_code tells whether the
// load balancer generated the error or passed the target's through; `-1` processing times mean the
// target never answered; error_reason names Lambda / authentication failures.
import { LogEvent, LogFormat } from './types';

const HEAD = /^(?:http|https|h2|grpcs|ws|wss) \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z \S+ /;

/** Space-separated fields, "quoted" ones kept whole (without the quotes). */
export function albFields(line: string, max = 26): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length && out.length < max) {
    if (line.charCodeAt(i) === 34) {
      const end = line.indexOf('"', i + 1);
      const stop = end < 0 ? line.length : end;
      out.push(line.slice(i + 1, stop));
      i = stop + 2;
    } else {
      let end = line.indexOf(' ', i);
      if (end < 0) end = line.length;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

function classify(line: string): LogEvent | undefined {
  if (!HEAD.test(line)) return undefined;
  const f = albFields(line);
  if (f.length < 12) return undefined;
  const elb = f[8];
  const target = f[9];
  const c0 = elb.charCodeAt(0);
  if (c0 !== 53 /* 5 */ && !(elb === '460' || elb === '463' || elb === '464')) return undefined;
  const base = { time: f[1].slice(0, 19), upstream: f[4] !== '-' ? f[4] : undefined, code: `elb ${elb} / target ${target}${f[24] && f[24] !== '-' ? ` / ${f[24]}` : ''}` };
  const targetTime = f[6];
  const reason = f[24] ?? '-';
  const ev = (e: Omit<LogEvent, 'time' | 'upstream' | 'code'>): LogEvent => {
    const out: LogEvent = { ...e, time: base.time, code: base.code };
    if (base.upstream) out.upstream = base.upstream;
    return out;
  };
  if (elb === '460') return ev({ cause: 'client-side', severity: 'info', message: 'The client closed the connection before the load balancer could answer (460). Many of these mean the target is slower than clients wait.' });
  if (elb === '463') return ev({ cause: 'intermediary', severity: 'warning', message: 'The load balancer rejected an X-Forwarded-For header with too many addresses (463): a chain of proxies in front keeps appending to it.' });
  if (elb === '464') return ev({ cause: 'routing', severity: 'warning', message: 'The request protocol does not match the target group\'s protocol version (464): e.g. HTTP/1.1 requests to a gRPC/HTTP2 target group.' });
  if (reason.startsWith('Lambda')) return ev({ cause: 'upstream-down', severity: 'error', message: `The Lambda target failed (${reason}): check the function's logs, its permissions for elasticloadbalancing.amazonaws.com and its response format/size.` });
  if (reason.startsWith('Auth')) return ev({ cause: 'intermediary', severity: 'error', message: `The load balancer's authentication action failed (${reason}): check the IdP endpoints and the listener rule's authenticate settings.` });
  if (target === '-' || target === '') {
    if (elb === '502') return ev({ cause: 'upstream-down', severity: 'error', message: `The load balancer generated the 502: the target ${targetTime === '-1' ? 'refused, reset or closed the connection before answering' : 'sent a malformed response'}. If it happens on idle connections, the target's keep-alive timeout is shorter than the load balancer's idle timeout (60 s default): make the target's longer.` });
    if (elb === '503') return ev({ cause: 'upstream-down', severity: 'error', message: 'The load balancer had no healthy registered target to send the request to (503). Check the target group\'s registrations and health checks.' });
    if (elb === '504') return ev({ cause: 'timeout-mismatch', severity: 'error', message: 'The target did not answer within the load balancer\'s idle timeout, or the connection to it timed out (504). Raise the idle timeout or speed up the target, and check its security group allows the load balancer.' });
    if (elb === '561') return ev({ cause: 'intermediary', severity: 'error', message: 'The identity provider returned an error to the load balancer\'s authentication action (561).' });
    return ev({ cause: 'intermediary', severity: 'error', message: `The load balancer itself answered ${elb} without a target response: check its listener rules and AWS health events.` });
  }
  if (target === elb) {
    if (elb === '503') return ev({ cause: 'overload', severity: 'warning', message: 'The target itself answered 503 and the load balancer passed it through: the app reports overload or maintenance.' });
    if (elb === '502' || elb === '504') return ev({ cause: 'upstream-down', severity: 'warning', message: `The target itself answered ${elb} (passed through): the failing hop is behind the target, e.g. its own nginx. Look at the target's logs.` });
  }
  return undefined;
}

export const albAccess: LogFormat = {
  id: 'alb',
  title: 'AWS ALB access log',
  detect: (line) => HEAD.test(line),
  classify,
};
