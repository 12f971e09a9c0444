/**
 * CUBA network (Brette et al. 2007, benchmark 2): 4000 LIF neurons with current-based exponential
 * synapses. Prints rates and time; writes out/cuba_raster.svg.
 *
 * Run: npm run build && node dist/examples/cuba.js [--scale S] [--duration MS] [--seed N] [--threads T]
 */
import { cubaNetwork } from './models.js';
import { runDemo } from './benchmark_demo.js';

await runDemo('CUBA', 'LIF neurons', cubaNetwork, 'out/cuba_raster.svg');
