/**
 * BrainTS: a differentiable brain simulator for TypeScript.
 *
 * The core (everything exported here) runs in Node.js and in browsers; file output, terminal
 * progress bars and threads live in 'braints/node'.
 *
 * @example
 * import { Network, NeuronGroup, LIF, FixedProb, Expon, COBA, SpikeMonitor, normal } from 'braints';
 * const net = new Network({ dt: '0.1 ms', seed: 1 });
 * const P = net.add(new NeuronGroup(4000, LIF, { init: { v: normal('-55 mV', '5 mV') } }));
 * net.connect(P.slice(0, 3200), P, { comm: new FixedProb(0.02), weight: '6 nS', syn: Expon({ tau: '5 ms' }), out: COBA({ E: '0 mV' }) });
 * const sm = net.add(new SpikeMonitor(P));
 * net.run('1 s');
 */
export * from './math/units.js';
export * from './math/rng.js';
export * from './equations/ast.js';
export * from './equations/parser.js';
export * from './equations/symbolic.js';
export * from './equations/dims.js';
export * from './equations/quantity.js';
export * from './equations/equations.js';
export * from './equations/codegen.js';
export { checkIdentifier, checkExpr, checkRecordKeys, checkFinite, nameProblem, IDENTIFIER } from './equations/validate.js';
export * from './integrators/index.js';
export * from './analysis/adaptive.js';
export * from './lang/errors.js';
export * from './model/init.js';
export * from './model/ring_weights.js';
export * from './model/model.js';
export * from './model/group.js';
export * from './core/network.js';
export { NetworkBatch, type BatchOptions } from './core/batch.js';
export * from './synapses/index.js';
export * from './synapses/compose.js';
export * from './projections/projection.js';
export * from './connect/index.js';
export * from './runner/monitors.js';
export * from './runner/progress.js';
export * from './neurons/index.js';
export * from './inputs/index.js';
export * from './inputs/input_group.js';
export * from './plasticity/index.js';
export * from './analysis/index.js';
export { rasterSvg, lineSvg, phasePlaneSvg, histogram, histogramSvg, firingRates, rateHistogramSvg, weightHistogramSvg, trainingCurvesSvg, type EpochRecord, type HistogramSeries, type HistogramOptions, type TrainingCurveOptions, type RasterOptions, type RasterGroup, type LineSeries, type LineOptions, type PhasePlaneData, type PhasePlaneOptions } from './plot/index.js';
export * from './reservoir/index.js';
export * from './train/index.js';
export * from './data/index.js';
export * from './runtime/limits.js';
export * from './runtime/faults.js';
export { estimateBuild, formatBytes, freeMemory, MAX_GROUP_SIZE } from './runtime/memory.js';
export * from './runtime/store.js';
export * from './sweep/index.js';
export * from './modelfile/index.js';
export { runRank, type SpikeTransport, type RankRunStats } from './distributed/rank.js';
export { heatmapSvg, type HeatmapOptions } from './plot/heatmap.js';
