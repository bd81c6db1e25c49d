// gateway-doctor CLI: argument parsing and output over the core. Exit codes: 0 nothing at error
// severity, 1 findings at error severity, 2 usage or I/O error (one line on stderr).
import * as fs from 'fs';
import * as path from 'path';
import type { LintOptions } from '../core/lint';

// Each command loads its own modules when it runs (esbuild turns these require()s into lazy
// initialisers inside the bundle): a one-shot `probe` does not evaluate the lint rules, nor `lint` the
// probe. The CLI is short-lived, so this is start-up time every run pays.
const lazy = {
  lint: () => ({
    ...(require('../core/lint') as typeof import('../core/lint')),
    ...(require('../core/report/lintReport') as typeof import('../core/report/lintReport')),
    ...(require('../core/fixes') as typeof import('../core/fixes')),
    NodeFileHost: (require('../core/host') as typeof import('../core/host')).NodeFileHost,
  }),
  logs: () => ({
    ...(require('../core/logs/analyze') as typeof import('../core/logs/analyze')),
    ...(require('../core/logs/report') as typeof import('../core/logs/report')),
    displayPath: (require('../core/report/paths') as typeof import('../core/report/paths')).displayPath,
  }),
  probe: () => require('./probeCommand') as typeof import('./probeCommand'),
};

const VERSION = '0.1.0';

const USAGE = `usage:
  gateway-doctor lint PATH... [--format text|json|sarif] [--fix] [--nginx-version X.Y.Z]
  gateway-doctor probe URL [--samples N] [--timeout MS] [--resolve HOST:PORT:ADDR] [--config PATH...]
                           [--error-log PATH] [--header 'K: V'] [--format text|json]
                           [--proxy URL | --no-proxy] [--keepalive MS] [--no-compare]
  gateway-doctor logs FILE... [--format text|json]

logs: "events" and "byCause" count every failure line; "findings" keeps the first 200 lines of each cause.
`;

const PROBE_HELP = `
probe options:
  --samples N          requests to make (default 1); p50/p95/p99 per phase when N > 1
  --timeout MS         per request, all phases (default 10000)
  --resolve H:P:ADDR   connect to ADDR for host H port P, keeping SNI and Host (curl's --resolve).
                       For the URL's own host the URL is also probed over DNS (the edge; up to 3
                       samples) and the report compares edge and origin (JSON: edgeComparison)
  --no-compare         with --resolve: probe the given address only, no edge comparison
  --config PATH...     nginx config files or folders: map the URL to its server/location, probe the
                       upstream directly, read its error_log
  --error-log PATH     an error log to read the lines written during the probe from
  --header 'K: V'      an extra request header (secrets are never printed)
  --proxy URL          send the probe through this forward proxy (http:// or https://; user:pass@ is
                       sent as Proxy-Authorization and printed redacted). Without it the proxy comes
                       from HTTPS_PROXY / https_proxy (https URLs), HTTP_PROXY / http_proxy (http URLs)
                       or ALL_PROXY, and NO_PROXY / no_proxy is honoured (curl's rules)
  --no-proxy           never use a proxy, whatever the environment says
  --keepalive MS       after the samples, measure how long the server keeps an idle keep-alive
                       connection open, waiting at most MS; with --config also the upstream's, compared
                       with nginx's upstream keepalive_timeout
  --format text|json
`;

export class UsageError extends Error {}

interface ParsedArgs {
  positional: string[];
  flags: Map<string, string[]>;
  switches: Set<string>;
}

/** Flags that take a value; everything else starting with -- is a switch. */
const VALUE_FLAGS = new Set(['--format', '--samples', '--timeout', '--resolve', '--config', '--error-log', '--header', '--nginx-version', '--proxy', '--keepalive']);
const SWITCHES = new Set(['--fix', '--help', '--version', '--no-proxy', '--no-compare']);

export function parseArgs(argv: string[]): ParsedArgs {
  const out: ParsedArgs = { positional: [], flags: new Map(), switches: new Set() };
  let lastMulti: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    if (a === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      let inline: string | undefined;
      const eq = a.indexOf('=');
      if (eq !== -1) {
        inline = a.slice(eq + 1);
        a = a.slice(0, eq);
      }
      if (SWITCHES.has(a)) {
        out.switches.add(a);
        lastMulti = undefined;
        continue;
      }
      if (!VALUE_FLAGS.has(a)) throw new UsageError(`unknown option ${a}`);
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${a} needs a value`);
      const l = out.flags.get(a) ?? [];
      l.push(value);
      out.flags.set(a, l);
      lastMulti = a === '--config' ? a : undefined;
      continue;
    }
    // `--config a.conf b.conf`: further plain words after --config belong to it.
    if (lastMulti) out.flags.get(lastMulti)!.push(a);
    else out.positional.push(a);
  }
  return out;
}

function flag(args: ParsedArgs, name: string): string | undefined {
  const l = args.flags.get(name);
  return l ? l[l.length - 1] : undefined;
}

function format(args: ParsedArgs, allowed: string[]): string {
  const f = flag(args, '--format') ?? 'text';
  if (!allowed.includes(f)) throw new UsageError(`--format must be one of ${allowed.join(', ')}`);
  return f;
}

function runLint(args: ParsedArgs, cwd: string, write: (s: string) => void): number {
  const fmt = format(args, ['text', 'json', 'sarif']);
  if (args.positional.length === 0) throw new UsageError('lint needs at least one PATH');
  const paths = args.positional.map((p) => path.resolve(cwd, p));
  for (const p of paths) if (!fs.existsSync(p)) throw new UsageError(`${path.relative(cwd, p) || p}: no such file or directory`);
  const { NodeFileHost, fixOnDiskUntilStable, lintPaths, lintJson, lintSarif, lintText } = lazy.lint();
  const host = new NodeFileHost();
  const options: LintOptions = { host, nginxVersion: flag(args, '--nginx-version') };
  const result = args.switches.has('--fix') ? fixOnDiskUntilStable(() => lintPaths(paths, options)).result : lintPaths(paths, options);
  if (fmt === 'json') write(JSON.stringify(lintJson(result.findings, cwd), null, 2) + '\n');
  else if (fmt === 'sarif') write(JSON.stringify(lintSarif(result.findings, cwd, VERSION), null, 2) + '\n');
  else write(lintText(result.findings, cwd, result.files.length));
  return result.findings.some((f) => f.severity === 'error') ? 1 : 0;
}

/** Classifies log files. I/O problems (missing, unreadable, corrupt gzip) end with exit 2 and one line. */
async function runLogs(args: ParsedArgs, cwd: string, write: (s: string) => void): Promise<number> {
  const fmt = format(args, ['text', 'json']);
  if (args.positional.length === 0) throw new UsageError('logs needs at least one FILE');
  const files = args.positional.map((p) => path.resolve(cwd, p));
  const { analyzeFiles, displayPath, logsJson, logsText } = lazy.logs();
  const shown = (f: string) => displayPath(f, cwd);
  for (const f of files) {
    let st: fs.Stats;
    try {
      st = fs.statSync(f);
    } catch {
      throw new Error(`${shown(f)}: no such file`);
    }
    if (!st.isFile()) throw new Error(`${shown(f)}: not a file`);
  }
  let current = files[0];
  let analysis;
  try {
    analysis = await analyzeFiles(files, { onFile: (f) => (current = f) });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR' ? 'corrupt gzip data' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new Error(`${shown(current)}: ${why}`);
  }
  write(fmt === 'json' ? JSON.stringify(logsJson(analysis, cwd), null, 2) + '\n' : logsText(analysis, cwd));
  return analysis.bySeverity.error > 0 ? 1 : 0;
}

export async function main(argv: string[], cwd = process.cwd(), write = (s: string) => process.stdout.write(s)): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    write(USAGE + (command ? PROBE_HELP : ''));
    return command ? 0 : 2;
  }
  if (command === '--version') {
    write(VERSION + '\n');
    return 0;
  }
  const args = parseArgs(rest);
  if (args.switches.has('--help')) {
    write(USAGE + (command === 'probe' ? PROBE_HELP : ''));
    return 0;
  }
  switch (command) {
    case 'lint':
      return runLint(args, cwd, write);
    case 'probe':
      return lazy.probe().runProbe(args, cwd, write, UsageError);
    case 'logs':
      return runLogs(args, cwd, write);
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

/** Runs the CLI on process.argv and sets the exit code. dist/cli.js (src/cli/launch.ts) calls it after
 * loading this bundle with its code cache. */
export function cliEntry(): void {
  // undici parses HTTP with a WebAssembly module. V8 compiles it at once with its baseline compiler
  // (Liftoff) and then again with the optimising one in background threads, and a process that is done
  // waits for those threads before it can exit: about 140 ms of a one-shot probe on a loaded 2-core
  // machine, for code that parses one response. Liftoff alone is plenty for a CLI run. Only here: the
  // extension host is shared with other extensions, so the editor never changes V8 flags. (launch.ts
  // sets it before compiling, since V8 accepts a code cache only under the flags it was made with.) Not for
  // `logs`: it starts a worker thread, whose Node built-ins lose their own code cache under a changed flag
  // (boot ~45 → ~90 ms), and its WebAssembly scanner wants the optimising compiler (core/logs/wasmScan.ts).
  if (process.argv[2] !== 'logs') {
    require('v8').setFlagsFromString('--liftoff-only');
    (globalThis as { __gdLiftoffOnly?: boolean }).__gdLiftoffOnly = true; // see core/logs/wasmScan.ts
  }
  // A reader that stops early (`| head`) closes the pipe: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      const msg = err instanceof UsageError ? err.message : `error: ${(err as Error)?.message ?? String(err)}`;
      process.stderr.write(`gateway-doctor: ${msg}\n`);
      if (err instanceof UsageError) process.stderr.write('gateway-doctor: run `gateway-doctor --help` for the usage\n');
      process.exitCode = 2;
    },
  );
}

if (require.main === module) cliEntry();
