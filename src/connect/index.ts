/**
 * Connectivity: CSR storage and the connectors that build it.
 */

export { IntBuffer, MAX_SYNAPSES, MAX_INITIAL } from './buffer.js';
export {
  type CSR,
  CsrBuilder,
  csrCheck,
  csrFromPairs,
  csrNumSynapses,
  csrToDense,
  csrTranspose,
  inDegrees,
  outDegrees,
} from './csr.js';
export {
  type ConnectContext,
  type Connector,
  type FixedProbOptions,
  type All2AllOptions,
  type FixedNumOptions,
  type GaussianProbOptions,
  type GridNeighborsOptions,
  type GraphOptions,
  FixedProb,
  All2All,
  One2One,
  FromPairs,
  FromCSR,
  FromDense,
  FixedPreNum,
  FixedPostNum,
  GaussianProb,
  GridNeighbors,
  SmallWorld,
  ScaleFree,
} from './connectors.js';
export { KeySet } from './edgeset.js';
export { FixedTotalNum, type FixedTotalNumOptions } from './fixed_total.js';
