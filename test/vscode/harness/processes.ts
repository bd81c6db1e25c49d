// Child processes that must never outlive us: each runs in its own process group (code-server forks an
// extension host, a pty host and file watchers), and stopping it ends the whole group.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

export interface GroupProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first output line that matches, rejects on exit or after `timeoutMs`. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM to the group, SIGKILL if anything is left after `graceMs`; resolves when the group is gone. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<number>();
let exitHookInstalled = false;

/** Last resort when the parent exits without stopping its children (an uncaught error, process.exit). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of live) signalGroup(pgid, 'SIGKILL');
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is empty
  }
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Also append the output here (kept after the run for post-mortems). */
  logFile?: string;
}

export function spawnGroup(name: string, command: string, args: string[], opts: SpawnOptions = {}): GroupProcess {
  installExitHook();
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  live.add(pid);
  const log = opts.logFile ? fs.createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  let text = '';
  const lineListeners = new Set<(line: string) => void>();
  let partial = '';
  const onData = (chunk: Buffer) => {
    const s = chunk.toString('utf8');
    text += s;
    if (text.length > 2_000_000) text = text.slice(-1_000_000);
    log?.write(s);
    partial += s;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) for (const l of [...lineListeners]) l(line);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let exitInfo: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
      resolve();
    });
    child.on('error', (err) => {
      exitInfo = `failed: ${err.message}`;
      resolve();
    });
  });
  exited.then(() => log?.end());

  const proc: GroupProcess = {
    name,
    pid,
    child,
    output: () => text,
    waitForLine(re, timeoutMs) {
      for (const line of text.split('\n')) {
        const m = line.match(re);
        if (m) return Promise.resolve(m);
      }
      return new Promise((resolve, reject) => {
        const done = (err?: Error, m?: RegExpMatchArray) => {
          clearTimeout(timer);
          lineListeners.delete(onLine);
          if (err) reject(err);
          else resolve(m!);
        };
        const onLine = (line: string) => {
          const m = line.match(re);
          if (m) done(undefined, m);
        };
        const timer = setTimeout(
          () => done(new Error(`${name}: no output matching ${re} within ${timeoutMs} ms. Output:\n${tail(text)}`)),
          timeoutMs,
        );
        lineListeners.add(onLine);
        exited.then(() => done(new Error(`${name} ${exitInfo} before printing ${re}. Output:\n${tail(text)}`)));
      });
    },
    async stop(graceMs = 5000) {
      if (!live.has(pid)) return;
      signalGroup(pid, 'SIGTERM');
      const gone = await until(() => !signalGroup(pid, 0), graceMs);
      if (!gone) {
        signalGroup(pid, 'SIGKILL');
        await until(() => !signalGroup(pid, 0), 5000);
      }
      await Promise.race([exited, delay(1000)]);
      live.delete(pid);
    },
  };
  return proc;
}

function tail(s: string, lines = 40): string {
  return s.split('\n').slice(-lines).join('\n');
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Polls a condition that has no event to wait on (a process group emptying, a port opening), with a
 * short backoff, up to `timeoutMs`. Returns whether it came true.
 */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  let wait = 10;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() >= end) return false;
    await delay(Math.min(wait, Math.max(0, end - Date.now())));
    wait = Math.min(wait * 2, 200);
  }
}

/** Rejects with a message naming what was awaited when `p` does not settle within `ms`. */
export function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

/** A port on 127.0.0.1 that was free a moment ago (for servers that cannot listen on port 0 and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.on('connect', () => done(true));
    sock.on('error', () => done(false));
  });
}
