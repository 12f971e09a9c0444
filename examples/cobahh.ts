/**
 * The COBAHH benchmark: 4000 Traub–Miles Hodgkin–Huxley neurons with conductance synapses
 * (Brette et al. 2007, benchmark 3), 1 s of biological time, exponential Euler. Prints the synapse
 * count, the mean rates and the simulation time, and writes out/cobahh_raster.svg.
 *
 * Run: npm run build && node dist/examples/cobahh.js [--scale S] [--duration MS] [--seed N] [--threads T]
 */
import { cobahhNetwork } from './cobahh_model.js';
import { runDemo } from './benchmark_demo.js';

await runDemo('COBAHH', 'Traub–Miles HH neurons', cobahhNetwork, 'out/cobahh_raster.svg');
