/**
 * Node-only adapters (`braints/node`): a terminal progress bar and file writers. The rest of
 * BrainTS imports nothing from Node and runs in the browser.
 */
export { terminalProgress, type TerminalProgressOptions, type ProgressStream } from './progress.js';
export { writeText, writeNpy, writeCsv, encodeNpy, formatCsv, type NpyArray } from './files.js';
export type { ProgressReporter } from '../runner/progress.js';
export { loadFashionMnist, hasFashionMnist, readIdxFile, head, FASHION_MNIST_DIR, FASHION_MNIST_CLASSES } from '../data/fashion_mnist.js';
export { SpikeStreamMonitor, StateStreamMonitor, NpyAppender, NpyReader, type StreamOptions } from '../runtime/stream.js';
export { sweep, writeSweepTable } from './sweep.js';
export { processPool, ChildRunner, ChildDiedError, type ProcessPoolOptions } from './sweep_runner.js';
export { redisQueue, DEFAULT_SWEEP_QUEUE, type RedisQueueOptions, type QueueProgress, type SweepJobData, type SweepJobResult } from './sweep_queue.js';
export { runSweepWorker, checkJobData, type SweepWorkerOptions, type SweepWorkerHandle } from './sweep_worker.js';
export type { ModuleRef } from './sweep_modules.js';
export { svgToPng, writePng, type PngOptions } from './png.js';
export { runRanks, type RunRanksOptions, type RanksResult, type MergedSpikes, type RankBuilder } from './ranks.js';
export { runRank, type SpikeTransport, type RankRunStats } from '../distributed/rank.js';
