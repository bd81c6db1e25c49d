// gateway-doctor CLI: argument parsing and output over the core. Exit codes: 0 nothing at error
// severity, 1 findings at error severity, 2 usage or I/O error (one line on stderr).
import * as fs from 'fs';
import * as path from 'path';
import { displayPath } from '../core/report/paths';
// Each command loads its own modules when it runs: `logs` on a big file should not first pay for loading
// every lint rule and the HTTP/TLS stack of `probe` (start-up is part of what bench/logs.js measures).
import type { LintOptions } from '../core/lint';

const VERSION = '0.1.0';

const USAGE = `usage:
  gateway-doctor lint PATH... [--format text|json|sarif] [--fix] [--nginx-version X.Y.Z]
  gateway-doctor probe URL [--samples N] [--timeout MS] [--resolve HOST:PORT:ADDR] [--config PATH...]
                           [--error-log PATH] [--header 'K: V'] [--format text|json]
  gateway-doctor logs FILE... [--format text|json]

logs: "events" and "byCause" count every failure line; "findings" keeps the first 200 lines of each cause.
`;

export class UsageError extends Error {}

interface ParsedArgs {
  positional: string[];
  flags: Map<string, string[]>;
  switches: Set<string>;
}

/** Flags that take a value; everything else starting with -- is a switch. */
const VALUE_FLAGS = new Set(['--format', '--samples', '--timeout', '--resolve', '--config', '--error-log', '--header', '--nginx-version']);
const SWITCHES = new Set(['--fix', '--help', '--version', '--no-proxy']);

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
  const { NodeFileHost } = require('../core/host') as typeof import('../core/host');
  const { lintPaths } = require('../core/lint') as typeof import('../core/lint');
  const { lintJson, lintSarif, lintText } = require('../core/report/lintReport') as typeof import('../core/report/lintReport');
  const { fixOnDiskUntilStable } = require('../core/fixes') as typeof import('../core/fixes');
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
  const { analyzeFiles } = require('../core/logs/analyze') as typeof import('../core/logs/analyze');
  const { logsJson, logsText } = require('../core/logs/report') as typeof import('../core/logs/report');
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
    write(USAGE);
    return command ? 0 : 2;
  }
  if (command === '--version') {
    write(VERSION + '\n');
    return 0;
  }
  const args = parseArgs(rest);
  switch (command) {
    case 'lint':
      return runLint(args, cwd, write);
    case 'probe':
      return (require('./probeCommand') as typeof import('./probeCommand')).runProbe(args, cwd, write, UsageError);
    case 'logs':
      return runLogs(args, cwd, write);
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      const msg = err instanceof UsageError ? err.message : `error: ${(err as Error)?.message ?? String(err)}`;
      process.stderr.write(`gateway-doctor: ${msg}\n`);
      if (err instanceof UsageError) process.stderr.write(USAGE.split('\n')[0] + ' (gateway-doctor --help)\n');
      process.exitCode = 2;
    },
  );
}
