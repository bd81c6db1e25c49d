// Worker thread for analyzeFiles: takes blocks of a large log file from the counter it shares with the
// thread that started it (see analyzeInParts in analyze.ts), classifies them and posts each block's counts,
// stored findings and read stats back, with progress (bytes of the current block) in between, then
// `finished`.
import { parentPort, workerData } from 'worker_threads';
import { PartJob, scanBlocks } from './analyze';

const { job, counter } = workerData as { job: PartJob; counter: Int32Array };
let lastSent = 0;
scanBlocks(
  job,
  counter,
  (result) => {
    lastSent = 0;
    parentPort!.postMessage({ result });
  },
  {
    onProgress: (read) => {
      if (read - lastSent >= 4 << 20) {
        lastSent = read;
        parentPort!.postMessage({ progress: read });
      }
    },
  },
).then(
  () => parentPort!.postMessage({ finished: true }),
  (err: NodeJS.ErrnoException) => parentPort!.postMessage({ error: { message: err?.message ?? String(err), code: err?.code, name: err?.name } }),
);
