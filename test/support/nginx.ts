// Real nginx (Debian's package) for tests: `nginx -t` on a config in a private prefix, and a running
// instance on loopback with `daemon off; master_process off;`, always stopped by the caller.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildTree, SourceCache } from '../../src/core/configs/nginx/tree';
import { NodeFileHost } from '../../src/core/host';

export const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));

export interface NginxCheck {
  ok: boolean;
  output: string;
}

/**
 * Runs `nginx -t` on a config file. Snippets (a conf.d file, a server or location body) are wrapped in
 * the blocks they would sit in, so the check sees what nginx would see on the server.
 */
export function nginxTest(file: string): NginxCheck {
  if (!NGINX) throw new Error('nginx is not installed: run `bash scripts/setup.sh` (installs Debian nginx)');
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-nginx-t-'));
  const ctx = buildTree(file, new SourceCache(new NodeFileHost())).rootContext;
  let main = file;
  if (ctx !== 'main') {
    const inc = `include ${JSON.stringify(file)};`;
    const body =
      ctx === 'http' ? inc : ctx === 'server' ? `server { listen 127.0.0.1:8; ${inc} }` : `server { listen 127.0.0.1:8; location / { ${inc} } }`;
    main = path.join(prefix, 'wrapper.conf');
    fs.writeFileSync(main, `events {}\nhttp {\n${body}\n}\n`);
  }
  const r = spawnSync(NGINX, ['-t', '-p', prefix + '/', '-c', main, '-g', `pid ${prefix}/nginx.pid; error_log ${prefix}/error.log;`], {
    encoding: 'utf8',
    timeout: 20000,
    cwd: path.dirname(file),
  });
  fs.rmSync(prefix, { recursive: true, force: true });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  return { ok: r.status === 0, output };
}
