// Worker thread for analyzeFiles: classifies the second part of a large log file (see analyzeInParts in
// analyze.ts) and posts back its counts, stored findings and read stats, with progress in between.
import { parentPort, workerData } from 'worker_threads';
import { LogAggregator, PartJob, PartResult, scanPart } from './analyze';

const job = workerData as PartJob;
const agg = new LogAggregator(job);
let last = 0;
scanPart(job, agg, {
  onProgress: (read) => {
    if (read - last >= 4 << 20) {
      last = read;
      parentPort!.postMessage({ progress: read });
    }
  },
}).then(
  (stats) => {
    const result: PartResult = { part: agg.partState(), stats };
    parentPort!.postMessage({ progress: stats.bytes - job.start });
    parentPort!.postMessage({ result });
  },
  (err: NodeJS.ErrnoException) => parentPort!.postMessage({ error: { message: err?.message ?? String(err), code: err?.code, name: err?.name } }),
);
