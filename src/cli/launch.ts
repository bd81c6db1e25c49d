// dist/cli.js: loads the CLI bundle (dist/cli-main.js) through V8's code cache, made at build time by
// esbuild.js running one probe (dist/cli-main.js.cache). Without it every run compiles the bundle's
// functions from source again: ~20 ms of a ~150 ms one-shot probe here. The cache is used only for the
// exact bundle it was made from (size and mtime) under the same Node version; otherwise, or when V8
// rejects it, the bundle is compiled as usual, so a stale or missing cache only costs time.
// Plain Node built-ins only: this file is what every CLI run loads first.
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';

interface CacheMeta {
  size: number;
  mtimeMs: number;
  node: string;
}

// Set before compiling: V8 checks that a code cache was made under the same flags (see cliEntry). Not for
// `logs`, which has a code cache of its own made without it (esbuild.js): Node's built-ins have code caches
// that a changed flag rejects too, and a worker thread started after --liftoff-only boots in ~90 ms instead
// of ~45 (the logs scanner's, below); its WebAssembly wants V8's optimising compiler as well.
const logsCommand = process.argv[2] === 'logs';
if (!logsCommand) {
  require('v8').setFlagsFromString('--liftoff-only');
  (globalThis as { __gdLiftoffOnly?: boolean }).__gdLiftoffOnly = true; // see core/logs/wasmScan.ts
}

// `logs` on a large nginx error.log scans on this thread and a worker (analyzeWithWasm in core/logs/analyze.ts).
// A worker takes ~50 ms to boot: start it now, before the bundle loads, unref'd so that it never holds the
// process open; the logs code adopts it (or it simply ends with the process).
// Only for a first FILE of 48 MiB or more (analyzeFiles' parallelMinBytes): ending an unused worker at exit
// costs a small run ~40 ms.
const bigLog = (f: string | undefined) => {
  try {
    return f !== undefined && fs.statSync(f).size >= 48 << 20;
  } catch {
    return false;
  }
};
if (logsCommand && bigLog(process.argv[3]) && (require('os').availableParallelism?.() ?? 2) >= 2) {
  const early = path.join(__dirname, 'logsWasmWorker.js');
  if (fs.existsSync(early) && fs.existsSync(path.join(__dirname, 'nginxScan.wasm'))) {
    try {
      const { Worker } = require('worker_threads') as typeof import('worker_threads');
      const w = new Worker(early);
      w.unref();
      w.on('error', () => undefined);
      (globalThis as { __gdLogsWorker?: unknown }).__gdLogsWorker = w;
    } catch {
      /* the logs code starts its own worker */
    }
  }
}

const file = path.join(__dirname, 'cli-main.js');
const cacheFile = logsCommand ? `${file}.logs.cache` : `${file}.cache`;
const source = fs.readFileSync(file, 'utf8');
const st = fs.statSync(file);
let cachedData: Buffer | undefined;
try {
  const meta = JSON.parse(fs.readFileSync(`${cacheFile}.json`, 'utf8')) as CacheMeta;
  if (meta.size === st.size && meta.mtimeMs === st.mtimeMs && meta.node === process.version) cachedData = fs.readFileSync(cacheFile);
} catch {
  /* no cache: compile from source */
}
// The CommonJS wrapper, as node's loader adds it. The bundle requires node built-ins only (everything
// else is bundled), so this file's own require serves it.
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, { filename: file, cachedData });
const mod = { exports: {} as { cliEntry(): void } };
const fn = script.runInThisContext() as (exports: unknown, req: NodeRequire, m: typeof mod, filename: string, dirname: string) => void;
fn.call(mod.exports, mod.exports, require, mod, file, path.dirname(file));

if (process.env.GD_WRITE_CODE_CACHE === '1') {
  // Build time (esbuild.js): after one representative run, keep what V8 compiled so far.
  process.once('exit', () => {
    fs.writeFileSync(cacheFile, script.createCachedData());
    const meta: CacheMeta = { size: st.size, mtimeMs: st.mtimeMs, node: process.version };
    fs.writeFileSync(`${cacheFile}.json`, JSON.stringify(meta) + '\n');
  });
}
if (process.env.GD_CODE_CACHE_DEBUG === '1') process.stderr.write(`code cache: ${cachedData ? (script.cachedDataRejected ? 'rejected' : 'used') : 'none'}\n`);

mod.exports.cliEntry();
