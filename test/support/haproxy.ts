// Real HAProxy (Debian's package) for tests: `haproxy -c -f FILE` checks a config without starting it
// (no bind, no DNS for servers with `init-addr none`).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const HAPROXY = ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy', '/usr/bin/haproxy'].find((p) => fs.existsSync(p));

export interface HaproxyCheck {
  ok: boolean;
  /** The [WARNING] lines HAProxy printed (a valid config may still have them). */
  warnings: string[];
  output: string;
}

export function haproxyCheck(file: string): HaproxyCheck {
  if (!HAPROXY) throw new Error('haproxy is not installed: run `bash scripts/setup.sh` (installs Debian haproxy)');
  const r = spawnSync(HAPROXY, ['-c', '-f', file], { encoding: 'utf8', timeout: 20000, cwd: path.dirname(file) });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  // Exit 2 with "has no error but will not start (no listener)" is a valid config without a bind line.
  const ok = r.status === 0 || (r.status === 2 && /Configuration file has no error/.test(output));
  return { ok, warnings: output.split('\n').filter((l) => l.includes('[WARNING]')), output };
}
