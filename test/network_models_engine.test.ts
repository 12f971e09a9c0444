/**
 * The gradient and forward checks of every neuron and synapse model (test/support/model_checks.ts)
 * on the step engine's WebAssembly lowering (src/backends/engine/tape.ts).
 */
import { modelTests } from './support/model_checks.js';

modelTests('engine');
