#!/usr/bin/python3
"""BrainTS peer benchmark: one decision trial of Wang (2002) in Brian2 C++ standalone.

Model (the same as examples/wang_model.ts):
  * 1600*scale E and 400*scale I LIF cells, all-to-all (self-connections included)
    E: C 0.5 nF, gL 25 nS; I: C 0.2 nF, gL 20 nS; rest -70 mV, threshold -50 mV, reset -55 mV,
    refractory 2 ms (E) / 1 ms (I); v0 ~ U(-70, -50) mV; forward Euler, dt 0.1 ms
  * C dv/dt = -gL(v - El) + gA(0 - v) + gN s(v)(0 - v) + gG(-70 mV - v),
    s(v) = 1 / (1 + [Mg]/3.57 exp(-0.062 v/mV)), [Mg] = 1 mM
  * AMPA: gA decays with 2 ms, each spike adds its weight; GABA: gG, 5 ms
  * NMDA per pre-synaptic E cell: dsN/dt = -sN/100 ms + 0.5/ms x (1 - sN), dx/dt = -x/2 ms,
    x += 1 on a spike; gN of a post cell = sum over pre of weight * sN (recomputed every step)
  * recurrent conductances (x 1/scale): onto E AMPA 0.05, NMDA 0.165, GABA 1.3 nS; onto I 0.04,
    0.13, 1.0 nS; E->E weights x w+ = 1.7 within pool A or B, x w- = 1 - 0.15*0.7/0.85 from the
    other pool and from the non-selective cells onto A and B, x 1 otherwise; pools A, B are the
    first two blocks of round(0.15 * nE) E cells
  * background: 800 Poisson inputs at 3 Hz onto every cell through AMPA, 2.1 nS (E), 1.62 nS (I)
  * stimulus from 200 ms: one Poisson source per selective cell at 40 (1 +- c/100) Hz, AMPA 2.1 nS
Prints one JSON line: the times of _b2common plus rate_a_hz, rate_b_hz (last 200 ms), winner_a
(1 if A first crossed 15 Hz in 50 ms windows after onset, 0 if B, null if none) and decision_ms.
Extra option: --coherence C (%, default 25.6).
"""
import sys

import _b2common as C

coherence = 25.6
if '--coherence' in sys.argv:
    k = sys.argv.index('--coherence')
    coherence = float(sys.argv[k + 1])
    del sys.argv[k:k + 2]
args = C.parse_args('Brian2 Wang (2002) decision trial (C++ standalone)', default_duration=1200.0)

with C.Standalone('b2wang_', args.threads, args.seed) as S:
    import numpy as np
    from brian2 import (NeuronGroup, Synapses, SpikeMonitor, PoissonInput, PoissonGroup, run,
                        defaultclock, ms, mV, nS, nF, Hz, second)

    defaultclock.dt = 0.1 * ms
    sc = args.scale
    n_e = int(round(1600 * sc))
    n_i = int(round(400 * sc))
    n_sel = int(round(0.15 * n_e))
    w_plus = 1.7
    w_minus = 1 - 0.15 * (w_plus - 1) / (1 - 0.15)
    eqs = '''
    dv/dt = (-gL*(v - El) - gA*v - gN*v/(1 + exp(-0.062*v/mV)/3.57) + gG*(EG - v)) / Cm : volt (unless refractory)
    dgA/dt = -gA/(2*ms) : siemens
    dgG/dt = -gG/(5*ms) : siemens
    gN : siemens
    dsN/dt = -sN/(100*ms) + 0.5/ms*x*(1 - sN) : 1
    dx/dt = -x/(2*ms) : 1
    gL : siemens (constant)
    Cm : farad (constant)
    '''
    El, EG = -70 * mV, -70 * mV
    E = NeuronGroup(n_e, eqs, threshold='v > -50*mV', reset='v = -55*mV; x += 1',
                    refractory=2 * ms, method='euler')
    I = NeuronGroup(n_i, eqs, threshold='v > -50*mV', reset='v = -55*mV; x += 1',
                    refractory=1 * ms, method='euler')
    E.gL, E.Cm, I.gL, I.Cm = 25 * nS, 0.5 * nF, 20 * nS, 0.2 * nF
    E.v = (np.random.rand(n_e) * 20 - 70) * mV
    I.v = (np.random.rand(n_i) * 20 - 70) * mV

    def pool_of(k):
        return f'(int({k} < {n_sel}) + 2*int({k} >= {n_sel} and {k} < {2 * n_sel}))'
    pool, pool_j = pool_of('i'), pool_of('j')
    # weight factor of E->E: w+ inside A or B, w- from elsewhere onto A or B, 1 otherwise
    factor = (f'int({pool} == {pool_j} and {pool_j} > 0)*{w_plus} + int({pool} != {pool_j} and {pool_j} > 0)*{w_minus}'
              f' + int({pool_j} == 0)*1.0')
    ee_a = Synapses(E, E, 'w : siemens', on_pre='gA_post += w')
    ee_n = Synapses(E, E, 'w : siemens\ngN_post = w*sN_pre : siemens (summed)')
    ei_a = Synapses(E, I, on_pre=f'gA_post += {0.04 / sc}*nS')
    ei_n = Synapses(E, I, f'gN_post = {0.13 / sc}*nS*sN_pre : siemens (summed)')
    ie = Synapses(I, E, on_pre=f'gG_post += {1.3 / sc}*nS')
    ii = Synapses(I, I, on_pre=f'gG_post += {1.0 / sc}*nS')
    S.timer_start('connect')
    for syn in (ee_a, ee_n, ei_a, ei_n, ie, ii):
        syn.connect()
    S.timer_stop('connect')
    ee_a.w = f'({factor})*{0.05 / sc}*nS'
    ee_n.w = f'({factor})*{0.165 / sc}*nS'

    bg_e = PoissonInput(E, 'gA', 800, 3 * Hz, weight=2.1 * nS)
    bg_i = PoissonInput(I, 'gA', 800, 3 * Hz, weight=1.62 * nS)
    # named variables, not a list: Brian2's run() collects only the objects it sees by name
    src_a = PoissonGroup(n_sel, rates=f'{40 * (1 + coherence / 100)}*Hz*int(t >= 200*ms)')
    src_b = PoissonGroup(n_sel, rates=f'{40 * (1 - coherence / 100)}*Hz*int(t >= 200*ms)')
    stim_a = Synapses(src_a, E[:n_sel], on_pre='gA_post += 2.1*nS')
    stim_b = Synapses(src_b, E[n_sel:2 * n_sel], on_pre='gA_post += 2.1*nS')
    stim_a.connect(j='i')
    stim_b.connect(j='i')

    mon = SpikeMonitor(E[:2 * n_sel])
    S.timer_start('run_cpu', 'CLOCK_PROCESS_CPUTIME_ID')
    run(args.duration * ms)
    S.timer_stop('run_cpu')
    sim_s = S.build_and_run(args.idle_wait)
    connect_s = S.timer_read('connect')
    sim_cpu_s = S.timer_read('run_cpu')
    n_syn = int(sum(len(s) for s in (ee_a, ee_n, ei_a, ei_n, ie, ii)))
    t_spk = np.asarray(mon.t / second)
    i_spk = np.asarray(mon.i)

# decision read-out as in examples/wang_model.ts: 5 ms bins, 50 ms windows, threshold 15 Hz
bw = 0.005
bins = int(np.ceil(args.duration / 1000 / bw))
b = np.minimum(bins - 1, np.floor(t_spk / bw).astype(int))
ca = np.bincount(b[i_spk < n_sel], minlength=bins).astype(float)
cb = np.bincount(b[i_spk >= n_sel], minlength=bins).astype(float)
on_bin = int(round(0.2 / bw))
winner, decision = None, None
for e in range(10, bins + 1):
    ra = ca[e - 10:e].sum() / n_sel / 0.05
    rb = cb[e - 10:e].sum() / n_sel / 0.05
    if e > on_bin and max(ra, rb) >= 15:
        winner, decision = (1 if ra >= rb else 0), round((e - on_bin) * bw * 1000, 1)
        break
last = max(0, bins - 40)
C.emit({
    'model': 'wang', 'scale': sc, 'duration_ms': args.duration, 'coherence': coherence,
    'threads': args.threads, 'seed': args.seed,
    'neurons': n_e + n_i, 'synapses': n_syn, 'spikes': int(len(t_spk)),
    'rate_a_hz': C.r(ca[last:].sum() / n_sel / ((bins - last) * bw), 3),
    'rate_b_hz': C.r(cb[last:].sum() / n_sel / ((bins - last) * bw), 3),
    'winner_a': winner, 'decision_ms': decision,
    'sim_s': C.r(sim_s), 'build_s': C.r(connect_s),
    'sim_cpu_s': C.r(sim_cpu_s), 'busy_before': S.busy_before,
})
