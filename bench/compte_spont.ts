/**
 * Issue 12 (Compte spontaneous rates): BrainTS's spontaneous E and I rates of the Compte et al.
 * (2000) network for several seeds and numerical variants, without a cue.
 *
 *   node dist/bench/compte_spont.js [--seeds 1-10] [--ms 500] [--method auto|euler|rk2|rk4] [--dtype float32|float64]
 *
 * Prints one JSON line per seed: rates over [0, 500 ms) (the benchmark's window) and over the rest.
 */
import { COMPTE_DEFAULTS } from '../examples/compte_model.js';
import { compteNetwork } from '../examples/compte_model.js';

const arg = (flag: string, d: string) => {
  const k = process.argv.indexOf(flag);
  return k < 0 ? d : process.argv[k + 1];
};
const [s0, s1] = arg('--seeds', '1-10').split('-').map(Number);
const ms = Number(arg('--ms', '500'));
const method = arg('--method', 'auto') as 'auto' | 'euler' | 'rk2' | 'rk4';
const dtype = arg('--dtype', 'float32') as 'float32' | 'float64';
for (let seed = s0; seed <= (s1 ?? s0); seed++) {
  const { net, spikesE, spikesI, nE, nI } = compteNetwork({ seed, scale: COMPTE_DEFAULTS.scale, method, dtype });
  net.build();
  net.run(`${ms} ms`);
  const rate = (s: { times: ArrayLike<number> }, n: number, t0: number, t1: number) => {
    let c = 0;
    for (let k = 0; k < s.times.length; k++) if (s.times[k] >= t0 && s.times[k] < t1) c++;
    return +(c / n / (t1 - t0)).toFixed(3);
  };
  const e = spikesE.spikes();
  const i = spikesI.spikes();
  const T = ms / 1000;
  console.log(JSON.stringify({ seed, method, dtype, e_0_500: rate(e, nE, 0, 0.5), i_0_500: rate(i, nI, 0, 0.5), e_rest: T > 0.5 ? rate(e, nE, 0.5, T) : null, i_rest: T > 0.5 ? rate(i, nI, 0.5, T) : null }));
  net.close();
}
