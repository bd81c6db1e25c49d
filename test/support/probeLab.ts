// The probe lab: misbehaving origins (raw node:net / node:tls servers on 127.0.0.1), certificates made
// with openssl at test time, and a real Debian nginx in front, started detached and killed as a group.
import { spawn, spawnSync, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import { NGINX } from './nginx';

export type Behaviour = (socket: net.Socket, request: string) => void;

export interface Origin {
  port: number;
  server: net.Server;
  /** Sockets accepted so far (open or closed), to check that a cancelled probe really closed its own. */
  sockets: net.Socket[];
  close(): Promise<void>;
}

/** A server that reads the request head, then hands the socket to `behave`. Listens on 127.0.0.1 and a
 * port the OS picks unless `listen` says otherwise (any 127.x.y.z answers on Linux loopback). */
export function startOrigin(behave: Behaviour, tlsOptions?: tls.TlsOptions, listen: { host?: string; port?: number } = {}): Promise<Origin> {
  const sockets: net.Socket[] = [];
  const onSocket = (socket: net.Socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        socket.off('data', onData);
        behave(socket, head);
      }
    };
    socket.on('data', onData);
  };
  const server = tlsOptions ? tls.createServer(tlsOptions, onSocket) : net.createServer(onSocket);
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve) => {
    server.listen(listen.port ?? 0, listen.host ?? '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        server,
        sockets,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

export const behaviours: Record<string, Behaviour> = {
  ok: (s) => s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n'),
  hang: () => undefined,
  bigHeader: (s) => s.end(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Big: ${'b'.repeat(3000)}\r\nSet-Cookie: session=s3cr3t-cookie\r\nConnection: close\r\n\r\nok`),
  closeMidResponse: (s) => {
    s.write('HTTP/1.1 200 OK\r\nContent-Len');
    s.destroy();
  },
  garbage: (s) => s.end('SSH-2.0-OpenSSH_9.2 garbage, not HTTP\r\n\r\n'),
  endlessHeaders: (s) => {
    s.write('HTTP/1.1 200 OK\r\n');
    let n = 0;
    const pump = () => {
      while (!s.destroyed && s.write(`X-Endless-${n++}: ${'e'.repeat(100)}\r\n`));
    };
    s.on('drain', pump);
    pump();
  },
  slowHeaders: (s) => {
    s.write('HTTP/1.1 200 OK\r\n');
    let n = 0;
    const t = setInterval(() => (s.destroyed ? clearInterval(t) : s.write(`X-Slow-${n++}: 1\r\n`)), 200);
    s.on('close', () => clearInterval(t));
  },
  hugeBody: (s) => {
    s.write(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${1024 * 1024 * 1024}\r\nConnection: close\r\n\r\n`);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const pump = () => {
      while (!s.destroyed && s.write(chunk));
    };
    s.on('drain', pump);
    pump();
  },
  redirectLoop: (s, req) => {
    const next = req.startsWith('GET /loop/a') ? '/loop/b' : '/loop/a';
    s.end(`HTTP/1.1 302 Found\r\nLocation: ${next}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  },
};

/** Answers the first request on a connection with keep-alive, closes the connection after `idleMs`
 * idle, and closes it without an answer when a second request arrives first: the request that crosses
 * the upstream's close in a keep-alive race, made deterministic. */
export function keepAliveCloser(idleMs: number): Behaviour {
  return (s) => {
    s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n');
    const idle = setTimeout(() => s.end(), idleMs);
    s.once('data', () => {
      clearTimeout(idle);
      s.end();
    });
    s.on('close', () => clearTimeout(idle));
  };
}

/** A port that was free a moment ago (the OS picks it; closed before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** Resolves once something accepts on the port, or rejects at the deadline. */
export async function waitForPort(port: number, deadlineMs: number, isAlive: () => boolean = () => true): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (!isAlive()) throw new Error(`the server for port ${port} exited before listening`);
    if (Date.now() > end) throw new Error(`nothing listened on ${port} within ${deadlineMs} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

export interface Nginx {
  port: number;
  dir: string;
  errorLog: string;
  conf: string;
  proc: ChildProcess;
  stop(): void;
}

/** Starts nginx with `http { server { listen 127.0.0.1:PORT; <body> } <httpExtra> }` in a private prefix.
 * `httpExtra` may depend on the port (e.g. a second server on 127.0.0.2 and the same port). */
export async function startNginx(serverBody: string, httpExtra: string | ((port: number) => string) = ''): Promise<Nginx> {
  if (!NGINX) throw new Error('nginx is not installed: run `bash scripts/setup.sh` (installs Debian nginx)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-probe-lab-'));
  const port = await freePort();
  const errorLog = path.join(dir, 'error.log');
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(
    conf,
    `error_log ${errorLog} info;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    server_name lab.test;
${serverBody}
  }
${typeof httpExtra === 'function' ? httpExtra(port) : httpExtra}
}
`,
  );
  const { proc, stop } = await nginxOn(dir, conf, port);
  return { port, dir, errorLog, conf, proc, stop };
}

/** nginx in the foreground on a prefix and config of the test's own (again after a fix: the same call). */
export function nginxOn(dir: string, conf: string, port: number): Promise<Listening> {
  return startListening(NGINX!, ['-p', dir + '/', '-c', conf, '-g', `daemon off; master_process off; pid ${dir}/pid;`], port);
}

export interface Listening {
  proc: ChildProcess;
  /** Ends the whole process group (the server and every worker it forked). */
  stop(): void;
  /** Resolves once the process is gone. */
  exited: Promise<void>;
}

/**
 * Starts a server detached, in a process group of its own, and resolves once it accepts on `port`
 * (rejects with its stderr if it exits first or the wait runs out). `stdout` may name a file for its output
 * (appended); `log` a file for both its output streams (made anew), whose text then goes into the error.
 */
export async function startListening(command: string, args: string[], port: number, opts: { env?: NodeJS.ProcessEnv; stdout?: string; log?: string; cwd?: string } = {}): Promise<Listening> {
  const out = opts.log ? fs.openSync(opts.log, 'w') : opts.stdout ? fs.openSync(opts.stdout, 'a') : 'ignore';
  const proc = spawn(command, args, { detached: true, stdio: ['ignore', out, opts.log ? out : 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd });
  if (typeof out === 'number') fs.closeSync(out);
  let stderr = '';
  proc.stderr?.on('data', (d) => (stderr += d));
  let gone = false;
  const exited = new Promise<void>((r) => proc.once('exit', () => ((gone = true), r())));
  const stop = () => {
    try {
      if (!gone && proc.pid) process.kill(-proc.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  try {
    await waitForPort(port, 15000, () => !gone);
  } catch (err) {
    stop();
    throw new Error(`${(err as Error).message}: ${opts.log && fs.existsSync(opts.log) ? fs.readFileSync(opts.log, 'utf8') : stderr}`);
  }
  return { proc, stop, exited };
}

export interface CertFiles {
  key: string;
  cert: string;
}

/** Self-signed certificates made with Debian's openssl 3.0: valid, expired (via `openssl ca` with
 * explicit dates, since `req -x509` has no -not_before before 3.4), and for another name. */
export function makeCerts(dir: string): { selfSigned: CertFiles; expired: CertFiles; otherName: CertFiles } {
  const run = (args: string[], cwd = dir) => {
    const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 20000 });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  const key = path.join(dir, 'key.pem');
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', path.join(dir, 'self.pem'), '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-days', '30']);
  run(['req', '-x509', '-key', key, '-out', path.join(dir, 'other.pem'), '-subj', '/CN=other.example', '-addext', 'subjectAltName=DNS:other.example', '-days', '30']);
  run(['req', '-new', '-key', key, '-subj', '/CN=localhost', '-out', path.join(dir, 'exp.csr')]);
  fs.writeFileSync(path.join(dir, 'index.txt'), '');
  fs.writeFileSync(path.join(dir, 'serial'), '01\n');
  fs.writeFileSync(
    path.join(dir, 'ca.cnf'),
    '[ca]\ndefault_ca=c\n[c]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\npolicy=p\ndefault_md=sha256\ncopy_extensions=copy\n[p]\ncommonName=supplied\n',
  );
  run(['ca', '-batch', '-config', 'ca.cnf', '-selfsign', '-keyfile', key, '-cert', path.join(dir, 'self.pem'), '-in', 'exp.csr', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-out', path.join(dir, 'expired.pem')]);
  return {
    selfSigned: { key, cert: path.join(dir, 'self.pem') },
    expired: { key, cert: path.join(dir, 'expired.pem') },
    otherName: { key, cert: path.join(dir, 'other.pem') },
  };
}

const CLI = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');

/**
 * Runs `node dist/cli.js ARGS` and collects its output; killed (and the promise rejected) after
 * `timeoutMs`. With `env`, the proxy variables of this process are dropped and `env` is added, so a test
 * says exactly which proxy the CLI sees; without it the CLI inherits this process's environment.
 */
export function runCli(args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const clean = env ? { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(https?|all|no)_proxy$/i.test(k))), ...env } : process.env;
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: clean });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`CLI did not end within ${timeoutMs} ms`));
    }, timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}
