// Real Caddy (Debian's package, 2.6) for tests: `caddy validate --adapter caddyfile` adapts and provisions
// a config without starting it (no listener, no ACME). Its storage goes to a temp folder, never $HOME.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const CADDY = ['/usr/bin/caddy', '/usr/local/bin/caddy'].find((p) => fs.existsSync(p));

let home: string | undefined;
/** XDG folders of the tests' own, so Caddy's storage and autosave never touch the user's. */
export function caddyEnv(): NodeJS.ProcessEnv {
  home ??= fs.mkdtempSync(path.join(os.tmpdir(), 'gd-caddy-home-'));
  return { ...process.env, HOME: home, XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'config') };
}

export interface CaddyCheck {
  ok: boolean;
  /** The warn-level log lines Caddy printed (a valid config may still have them). */
  warnings: string[];
  output: string;
}

export function caddyValidate(file: string): CaddyCheck {
  if (!CADDY) throw new Error('caddy is not installed: run `bash scripts/setup.sh` (installs Debian caddy)');
  const r = spawnSync(CADDY, ['validate', '--config', file, '--adapter', 'caddyfile'], { encoding: 'utf8', timeout: 20000, cwd: path.dirname(file), env: caddyEnv() });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  const warnings = output.split('\n').filter((l) => /"level":"warn"/.test(l) && !/not formatted|automatic HTTPS is completely disabled/.test(l)); // the fixtures turn auto_https off on purpose (no ACME here)
  return { ok: r.status === 0 && /Valid configuration/.test(output), warnings, output };
}
