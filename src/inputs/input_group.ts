/**
 * An input population for training: its spikes come from data, one train per batch row, given to
 * `net.forward`. Simulated with `net.run`, it emits the spikes of an optional schedule.
 */
import { SpikeGeneratorGroup } from './index.js';

/**
 * A population of `size` input units fed with events.
 *
 * @example
 * const x = net.add(new InputGroup(784, 'pixels'));
 * net.forward({ steps: 100, batch: 32, inputs: [[x, latencyBatch(images, 784, rows, { steps: 100 })]] });
 */
export class InputGroup extends SpikeGeneratorGroup {
  constructor(size: number, name = 'input') {
    super(size, { indices: [], times: [], name });
  }
}
