// PHP-FPM pool files (`[www]` in pool.d/www.conf or php-fpm.conf): where each pool listens and its
// request_terminate_timeout. FPM kills a worker whose request runs past that timeout, which nginx logs as
// "upstream prematurely closed FastCGI stdout" and answers 502.
import { LineIndex } from '../../text';
import { IniEntry, parseIni } from './iniFile';
import { AppServerConfig, parseHostPort } from './model';

/** request_terminate_timeout: seconds by default, or with a unit s, m, h, d; 0 is off (the default). */
export function fpmSeconds(value: string): number | undefined {
  const m = /^(\d+)\s*([smhd]?)$/.exec(value.trim());
  if (!m) return undefined;
  return +m[1] * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2]];
}

/** A pool file: a `[name]` section (not `[global]`) with `listen` or `pm`. */
export function looksLikeFpmPool(text: string): boolean {
  const head = text.slice(0, 65536);
  return /^\s*\[[^\]\n]+\]\s*$/m.test(head) && /^\s*listen\s*=/m.test(head) && /^\s*pm(\.\w+)?\s*=/m.test(head);
}

export function parsePhpFpm(file: string, text: string): AppServerConfig[] {
  const lines = new LineIndex(text);
  const ini = parseIni(text, ';#');
  const pools = ini.sections.filter((s) => s.name !== 'global');
  const out: AppServerConfig[] = [];
  for (const pool of pools) {
    const entries = ini.entries.filter((e) => e.section === pool.name);
    const get = (key: string): IniEntry | undefined => entries.filter((e) => e.key === key).pop();
    const header = lines.range(pool.start, pool.headerEnd);
    const cfg: AppServerConfig = { kind: 'php-fpm', file, label: `PHP-FPM pool ${pool.name}`, listeners: [], problems: [] };
    const listen = get('listen');
    if (listen) {
      // FPM expands $pool in paths and addresses.
      const v = listen.value.replace(/\$pool\b/g, pool.name);
      const range = lines.range(listen.valueStart, listen.valueEnd);
      if (v.startsWith('/') || v.startsWith('unix:')) cfg.listeners.push({ protocol: 'fastcgi', socket: v.replace(/^unix:/, ''), file, range, isDefault: false, text: listen.value });
      else {
        const hp = parseHostPort(v);
        if (hp?.port !== undefined) cfg.listeners.push({ protocol: 'fastcgi', host: hp.host, port: hp.port, file, range, isDefault: false, text: listen.value });
      }
    }
    const rtt = get('request_terminate_timeout');
    const secs = rtt ? fpmSeconds(rtt.value) : 0;
    if (secs !== undefined)
      cfg.requestTimeout = {
        file,
        range: rtt ? lines.range(rtt.valueStart, rtt.valueEnd) : header,
        isDefault: !rtt,
        text: rtt ? rtt.value : '0',
        ms: secs * 1000,
        setting: 'request_terminate_timeout',
        effect: 'kills the worker',
      };
    out.push(cfg);
  }
  return out;
}
