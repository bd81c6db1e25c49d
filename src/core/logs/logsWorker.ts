// Worker thread for analyzeFiles: takes blocks of a large log file from the counter it shares with the
// thread that started it (see analyzeInParts and analyzeWithWasm in analyze.ts), classifies them and posts
// the results back, with progress in between, then `finished`. With `wasmJob` the blocks go through the
// WebAssembly scanner and one ScanPart is posted at the end; otherwise each block's counts, stored findings
// and read stats are posted as it is done.
import { parentPort, workerData } from 'worker_threads';
import { PartJob, scanBlocks, scanWasmBlocks } from './analyze';
import { ScanJob, WasmScanner } from './wasmScan';

const { job, wasmJob, counter } = workerData as { job?: PartJob; wasmJob?: ScanJob; counter: Int32Array };
let lastSent = 0;
const onProgress = (read: number) => {
  if (read - lastSent >= 4 << 20) {
    lastSent = read;
    parentPort!.postMessage({ progress: read });
  }
};
const fail = (err: NodeJS.ErrnoException) => parentPort!.postMessage({ error: { message: err?.message ?? String(err), code: err?.code, name: err?.name } });

if (process.env.GD_TIMING) process.stderr.write(`worker up ${performance.now() | 0} (${performance.timeOrigin})\n`);
if (wasmJob) {
  const scanner = WasmScanner.create(wasmJob);
  if (!scanner) fail(new Error('the WebAssembly scanner is not available'));
  else
    scanWasmBlocks(scanner, wasmJob.starts.length - 1, counter, { onProgress }).then(
      () => {
        if (process.env.GD_TIMING) process.stderr.write(`worker done ${performance.now() | 0}\n`);
        parentPort!.postMessage({ wasmPart: scanner.part() });
      },
      fail,
    );
} else {
  scanBlocks(
    job!,
    counter,
    (result) => {
      lastSent = 0;
      parentPort!.postMessage({ result });
    },
    { onProgress },
  ).then(() => parentPort!.postMessage({ finished: true }), fail);
}
