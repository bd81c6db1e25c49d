// Worker thread for the WebAssembly scanner (analyzeWithWasm in analyze.ts): gets the job, the counter it
// shares with the thread that started it and the compiled module (no second compile) in one message, takes
// blocks of a large nginx error.log from the counter, posts progress, then its ScanPart. It imports the
// scanner alone, so the thread starts quickly (every Node built-in a worker loads is compiled again there);
// the CLI even starts it before it loads its own bundle (launch.ts), so it is up when the scan begins.
import { parentPort } from 'worker_threads';
import { ScanJob, scanWasmBlocks, WasmModule, WasmScanner } from './wasmScan';

let lastSent = 0;
const onProgress = (read: number) => {
  if (read - lastSent >= 4 << 20) {
    lastSent = read;
    parentPort!.postMessage({ progress: read });
  }
};
const fail = (err: NodeJS.ErrnoException) => parentPort!.postMessage({ error: { message: err?.message ?? String(err), code: err?.code, name: err?.name } });
// GD_LOGS_TIMING=1: phases on stderr, in ms since the main thread's start (as analyze.ts prints its own).
let t0: number | undefined;
const T = (what: string) => {
  if (process.env.GD_LOGS_TIMING === '1') process.stderr.write(`[worker ${(performance.timeOrigin + performance.now() - (t0 ?? performance.timeOrigin)).toFixed(0)} ms] ${what}\n`);
};
const bootedAt = performance.timeOrigin + performance.now();
parentPort!.once('message', ({ job, counter, module, mainOrigin }: { job: ScanJob; counter: Int32Array; module?: WasmModule; mainOrigin?: number }) => {
  t0 = mainOrigin;
  if (t0 !== undefined && process.env.GD_LOGS_TIMING === '1') process.stderr.write(`[worker ${(bootedAt - t0).toFixed(0)} ms] up\n`);
  T('job in');
  const scanner = WasmScanner.create(job, module);
  if (!scanner) fail(new Error('the WebAssembly scanner is not available'));
  else
    scanWasmBlocks(scanner, job.starts.length - 1, counter, { onProgress }).then(() => {
      T(`blocks done (${scanner.blockCount})`);
      const wasmPart = scanner.part();
      T('part built');
      parentPort!.postMessage({ wasmPart });
    }, fail);
});
