/**
 * Liquid state machines (Maass, Natschläger & Markram, Neural Comput. 2002): any BrainTS spiking
 * network used as a reservoir. The task input is injected as a current into an input population,
 * held constant over each readout time bin; the features are exponentially filtered spike counts
 * of a readout population, sampled at the end of each bin.
 */
import { BuildError } from '../lang/errors.js';
import { type NeuronGroup } from '../model/group.js';
import { values } from '../model/init.js';
import { type Network } from '../core/network.js';
import { SECOND, quantityIn, type QuantityLike } from '../equations/quantity.js';
import { type SpikeMonitor } from '../runner/monitors.js';
import { type Matrix, matrix } from './linalg.js';

/** Options of {@link LiquidStateMachine}. */
export interface LiquidOptions {
  /** Population that receives the input. */
  readonly input: NeuronGroup;
  /** Its input variable (default 'I'). */
  readonly inputName?: string;
  /** Unit of the input weights and bias, e.g. 'pA' (default: SI). */
  readonly unit?: string;
  /** Input weights [input.size × D], in `unit` per unit of input. */
  readonly inputWeights: Matrix;
  /** Constant part of the injected input, one value or one per neuron, in `unit` (default 0). */
  readonly inputBias?: number | ArrayLike<number>;
  /** A SpikeMonitor of the readout population, added to the network before it is built. */
  readonly readout: SpikeMonitor;
  /** Duration of one input/readout bin, e.g. '20 ms'. */
  readonly bin: QuantityLike;
  /** Time constant of the exponential spike filter (default: the bin duration; '0 ms' = plain counts per bin). */
  readonly tau?: QuantityLike;
}

function seconds(x: QuantityLike, field: string): number {
  try {
    return quantityIn(x, SECOND);
  } catch (err) {
    throw new BuildError('LiquidStateMachine', field, `cannot read ${JSON.stringify(x)} as a time (${(err as Error).message})`, "give a time such as '20 ms'");
  }
}

/**
 * Drives a spiking network with a sequence and reads filtered spike counts.
 *
 * For input row u(b) (b = 0..T−1) the input population's `inputName` is set to
 * bias + W_in u(b) (through `group.setInput`), the network runs one bin, and feature row b is
 * f_i(b) = Σ_{spikes of i at times s ≤ t_b} exp(−(t_b − s)/τ), where t_b is the end of bin b
 * (an exact exponential filter, updated per spike). Spikes are read from the readout's
 * SpikeMonitor after the run (the monitor keeps recording as usual).
 *
 * @example
 * const net = new Network({ dt: '0.1 ms', seed: 1 });
 * const P = net.add(new NeuronGroup(200, LIF));
 * net.connect(P, P, { comm: new FixedProb(0.1), weight: '0.5 mV', target: 'v' });
 * const sm = net.add(new SpikeMonitor(P));
 * const lsm = new LiquidStateMachine(net, { input: P, unit: 'pA', inputWeights: randomMatrix(200, 1, { scale: 100 }),
 *   inputBias: 150, readout: sm, bin: '20 ms', tau: '30 ms' });
 * const features = lsm.run(inputs); // inputs: [T × 1] → features: [T × 200]
 */
export class LiquidStateMachine {
  readonly net: Network;
  readonly options: LiquidOptions;
  /** Bin duration (s). */
  readonly binSeconds: number;
  /** Filter time constant (s); 0 = counts. */
  readonly tauSeconds: number;
  private readonly current: Float64Array;
  private readonly biasValues: Float64Array;

  constructor(net: Network, options: LiquidOptions) {
    this.net = net;
    this.options = options;
    const g = options.input;
    const w = options.inputWeights;
    if (w.rows !== g.size) throw new BuildError('LiquidStateMachine', 'inputWeights', `has ${w.rows} rows, the input population has ${g.size} neurons`, 'give one row per input neuron');
    this.binSeconds = seconds(options.bin, 'bin');
    if (!(this.binSeconds > 0)) throw new BuildError('LiquidStateMachine', 'bin', `must be positive, got ${JSON.stringify(options.bin)}`);
    this.tauSeconds = options.tau === undefined ? this.binSeconds : seconds(options.tau, 'tau');
    if (!(this.tauSeconds >= 0)) throw new BuildError('LiquidStateMachine', 'tau', `must be ≥ 0, got ${JSON.stringify(options.tau)}`);
    this.current = new Float64Array(g.size);
    this.biasValues = new Float64Array(g.size);
    const b = options.inputBias ?? 0;
    if (typeof b === 'number') this.biasValues.fill(b);
    else {
      if (b.length !== g.size) throw new BuildError('LiquidStateMachine', 'inputBias', `has ${b.length} values for ${g.size} neurons`);
      for (let i = 0; i < g.size; i++) this.biasValues[i] = b[i];
    }
  }

  /**
   * Runs one bin per input row ([T × D]) from the network's current time and returns the features
   * [T × readout size].
   *
   * @example
   * const F = lsm.run(matrix(300, 1, u));
   */
  run(inputs: Matrix): Matrix {
    const { input: g, inputWeights: W, readout } = this.options;
    const name = this.options.inputName ?? 'I';
    const unit = this.options.unit ?? '1';
    const d = W.cols;
    if (inputs.cols !== d) throw new BuildError('LiquidStateMachine.run', 'inputs', `has ${inputs.cols} columns, the input weights have ${d}`);
    const net = this.net;
    net.build();
    const dt = net.dt;
    const binSteps = Math.round(this.binSeconds / dt);
    if (binSteps < 1 || Math.abs(binSteps * dt - this.binSeconds) > 1e-6 * this.binSeconds) {
      throw new BuildError('LiquidStateMachine', 'bin', `${this.binSeconds} s is not a whole number of time steps (dt = ${dt} s)`, 'give a multiple of dt');
    }
    const firstStep = net.stepIndex;
    const firstSpike = readout.numSpikes;
    const T = inputs.rows;
    const cur = this.current;
    const n = g.size;
    const inVal = values(cur, unit);
    const binDuration = { value: binSteps * dt, dim: SECOND };
    for (let b = 0; b < T; b++) {
      for (let i = 0; i < n; i++) {
        let s = this.biasValues[i];
        for (let c = 0; c < d; c++) s += W.data[i * d + c] * inputs.data[b * d + c];
        cur[i] = s;
      }
      g.setInput(name, inVal);
      net.run(binDuration);
    }
    // Bin the spikes recorded during this run.
    const size = readout.source.size;
    const out = matrix(T, size);
    const steps = readout.spikeSteps();
    const idx = readout.spikes().indices;
    const tau = this.tauSeconds;
    const decay = tau > 0 ? Math.exp(-(binSteps * dt) / tau) : 0;
    let k = firstSpike;
    const o = out.data;
    for (let b = 0; b < T; b++) {
      const row = b * size;
      if (b > 0 && tau > 0) for (let i = 0; i < size; i++) o[row + i] = decay * o[row - size + i];
      const end = firstStep + (b + 1) * binSteps; // first step after the bin
      while (k < steps.length && steps[k] < end) {
        // A spike in step n is counted at the end of that step, (n + 1) dt.
        const age = (end - steps[k] - 1) * dt;
        o[row + idx[k]] += tau > 0 ? Math.exp(-age / tau) : 1;
        k++;
      }
    }
    return out;
  }
}
