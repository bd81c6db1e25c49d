// Worker thread for the WebAssembly scanner (analyzeWithWasm in analyze.ts): takes blocks of a large nginx
// error.log from the counter it shares with the thread that started it, scans them with the compiled module
// it is sent (no second compile), posts progress, then its ScanPart. It imports the scanner alone, so
// the thread starts quickly (every Node built-in a worker loads is compiled again there).
import { parentPort, workerData } from 'worker_threads';
import { ScanJob, scanWasmBlocks, WasmModule, WasmScanner } from './wasmScan';

const { job, counter } = workerData as { job: ScanJob; counter: Int32Array };
let lastSent = 0;
const onProgress = (read: number) => {
  if (read - lastSent >= 4 << 20) {
    lastSent = read;
    parentPort!.postMessage({ progress: read });
  }
};
const fail = (err: NodeJS.ErrnoException) => parentPort!.postMessage({ error: { message: err?.message ?? String(err), code: err?.code, name: err?.name } });

// The module comes by message: the thread that started this one compiles it meanwhile.
const T = process.env.GD_LOGS_TIMING === '1' ? (what: string) => process.stderr.write(`[worker ${(performance.timeOrigin + performance.now() - Number(process.env.GD_T0 ?? 0)).toFixed(0)} ms] ${what}\n`) : () => undefined;
T('up');
parentPort!.once('message', ({ module }: { module?: WasmModule }) => {
  T('module in');
  const scanner = WasmScanner.create(job, module);
  if (!scanner) fail(new Error('the WebAssembly scanner is not available'));
  else scanWasmBlocks(scanner, job.starts.length - 1, counter, { onProgress }).then(() => {
      T(`blocks done (${scanner.blockCount})`);
      parentPort!.postMessage({ wasmPart: scanner.part() });
    }, fail);
});
