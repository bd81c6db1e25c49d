// Real Apache httpd (Debian's apache2 package) for tests: `apache2ctl -t -f FILE` checks a config without
// starting it. A fixture holds only what it is about, so the check wraps it in a small server config of
// its own (ServerRoot in a temp folder, the proxy modules loaded) that `Include`s it.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const bin = (...candidates: string[]) => candidates.find((p) => fs.existsSync(p));
export const APACHE = bin('/usr/sbin/apache2', '/usr/sbin/httpd');
export const APACHECTL = bin('/usr/sbin/apache2ctl', '/usr/sbin/apachectl');
export const APACHE_MODULES = bin('/usr/lib/apache2/modules', '/usr/lib64/httpd/modules');

/** The modules a reverse proxy loads (mod_ssl for SSLProxyEngine, balancer and its helpers, fcgi). */
const MODULES: [string, string][] = [
  ['mpm_event_module', 'mod_mpm_event.so'],
  ['authz_core_module', 'mod_authz_core.so'],
  ['proxy_module', 'mod_proxy.so'],
  ['proxy_http_module', 'mod_proxy_http.so'],
  ['proxy_fcgi_module', 'mod_proxy_fcgi.so'],
  ['proxy_balancer_module', 'mod_proxy_balancer.so'],
  ['slotmem_shm_module', 'mod_slotmem_shm.so'],
  ['lbmethod_byrequests_module', 'mod_lbmethod_byrequests.so'],
  ['socache_shmcb_module', 'mod_socache_shmcb.so'],
  ['ssl_module', 'mod_ssl.so'],
];

/** The server-level lines every test config starts with: its own ServerRoot, pid file, log and modules. */
export function serverPreamble(dir: string, extra: string[] = []): string {
  return [
    `ServerRoot ${dir}`,
    `DefaultRuntimeDir ${dir}`,
    `PidFile ${dir}/httpd.pid`,
    `ErrorLog ${dir}/error.log`,
    'LogLevel warn',
    'ServerName localhost',
    ...MODULES.map(([name, file]) => `LoadModule ${name} ${APACHE_MODULES}/${file}`),
    ...extra,
    '',
  ].join('\n');
}

export interface ApacheCheck {
  ok: boolean;
  output: string;
}

/** `apache2ctl -t -f WRAPPER` where WRAPPER loads the modules and includes `file`. */
export function apacheCheck(file: string): ApacheCheck {
  if (!APACHECTL || !APACHE_MODULES) throw new Error('apache2 is not installed: run `bash scripts/setup.sh` (installs Debian apache2)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-apache-check-'));
  try {
    fs.mkdirSync(path.join(dir, 'logs'));
    const wrapper = path.join(dir, 'httpd.conf');
    fs.writeFileSync(wrapper, serverPreamble(dir) + `Include ${file}\n`);
    const r = spawnSync(APACHECTL, ['-t', '-f', wrapper], { encoding: 'utf8', timeout: 20000 });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    return { ok: r.status === 0 && /Syntax OK/.test(output), output };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
