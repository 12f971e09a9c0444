/**
 * The benchmark models, each with the BrainTS builder and the peer script that runs the same
 * model in Brian2.
 */
import { cobaNetwork, cubaNetwork, type BenchmarkNet } from '../examples/models.js';
import { cobahhNetwork } from '../examples/cobahh_model.js';

export interface BenchModel {
  readonly build: (opts: { scale: number; seed: number; threads?: number }) => BenchmarkNet;
  /** Script in bench/peers/ that runs the same model in Brian2 (C++ standalone). */
  readonly peer: string;
}

export const BENCH_MODELS = {
  coba: { build: cobaNetwork, peer: 'brian2_coba.py' },
  cuba: { build: cubaNetwork, peer: 'brian2_cuba.py' },
  cobahh: { build: cobahhNetwork, peer: 'brian2_cobahh.py' },
} satisfies Record<string, BenchModel>;

export type BenchModelName = keyof typeof BENCH_MODELS;
