/**
 * The main demo: the Vogels–Abbott COBA network (4000 LIF neurons, conductance synapses),
 * 1 s of biological time. Prints the synapse count, mean rates and simulation time, and writes a
 * raster plot to out/coba_raster.svg.
 *
 * Run: npm start    (or: node dist/examples/coba.js [--scale S] [--duration MS] [--seed N] [--threads T])
 */
import { cobaNetwork } from './models.js';
import { runDemo } from './benchmark_demo.js';

await runDemo('COBA', 'LIF neurons', cobaNetwork, 'out/coba_raster.svg');
