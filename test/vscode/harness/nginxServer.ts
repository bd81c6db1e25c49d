// A running Debian nginx on loopback, in the foreground of its own process group (`daemon off;
// master_process off;`), with a private prefix: the config's relative paths (logs/) resolve inside it.
import * as fs from 'fs';
import * as path from 'path';
import { GroupProcess, isListening, spawnGroup, until } from './processes';

export const NGINX_BIN = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));

export interface RunningNginx {
  port: number;
  process: GroupProcess;
  errorLog: string;
  stop(): Promise<void>;
}

/**
 * Starts nginx with `prefix/nginx.conf`, which must listen on 127.0.0.1:`port`. Resolves once the port
 * accepts connections (bounded), rejects with nginx's own message if it exits first.
 */
export async function startNginx(prefix: string, port: number, opts: { startTimeoutMs?: number } = {}): Promise<RunningNginx> {
  if (!NGINX_BIN) throw new Error('nginx is not installed: run `bash scripts/setup.sh` (installs Debian nginx)');
  const logs = path.join(prefix, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const errorLog = path.join(logs, 'error.log');
  // The config's own top-level error_log (logs/error.log, as the demo and the probe lab declare it, so the
  // probe can find it) is used as is: a second error_log on the command line would write every line twice.
  const ownErrorLog = /^\s*error_log\s+logs\/error\.log\b/m.test(fs.readFileSync(path.join(prefix, 'nginx.conf'), 'utf8'));
  const globals = `daemon off; master_process off; pid ${path.join(logs, 'nginx.pid')};${ownErrorLog ? '' : ` error_log ${errorLog} info;`}`;
  const proc = spawnGroup('nginx', NGINX_BIN, ['-p', prefix + path.sep, '-c', path.join(prefix, 'nginx.conf'), '-g', globals], { cwd: prefix });
  let exited = false;
  proc.child.once('exit', () => (exited = true));
  // nginx says nothing when it is ready: wait for the port (or for it to give up).
  const up = await until(async () => exited || (await isListening(port)), opts.startTimeoutMs ?? 15000);
  if (!up || exited) {
    await proc.stop();
    const log = fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8').split('\n').slice(-10).join('\n') : '';
    throw new Error(`nginx did not start on 127.0.0.1:${port}:\n${proc.output()}${log}`);
  }
  return { port, process: proc, errorLog, stop: () => proc.stop() };
}
