#!/usr/bin/python3
"""BrainTS peer benchmark: the Potjans & Diesmann (2014) cortical microcircuit in Brian2 C++ standalone.

Same model as examples/microcircuit_model.ts:
  * 8 populations (L2/3E, L2/3I, L4E, L4I, L5E, L5I, L6E, L6I), floor(N_full * scale) neurons each,
    one NeuronGroup with a subgroup per population
  * dv/dt = (-(v - EL) + R*I) / taum (unless refractory), dI/dt = -I / taus, method 'exact';
    C 250 pF, taum 10 ms (R 40 Mohm), taus 0.5 ms, EL = Vreset = -65 mV, Vth -50 mV, tref 2 ms,
    v0 ~ N(-58 mV, 10 mV)
  * 'fixed total number' connectivity: K = log(1 - C) / log(1 - 1/(Npre*Npost)) synapses per pair,
    times floor(N_target*scale)/N_target (in-degrees kept), pre and post of each drawn uniformly
    (numpy, repeats allowed); one Synapses object, on_pre I_post += w_syn
  * w ~ N(87.8 pA, 10 %), x2 for L4E -> L2/3E, -4x from inhibitory populations (clipped at 0);
    delay ~ N(1.5 ms, 0.75 ms) from E, N(0.75 ms, 0.375 ms) from I, clipped at dt
  * PoissonInput per population: K_ext sources at 8 Hz, weight 87.8 pA, onto I
  * dt = 0.1 ms
Prints one JSON line with sim_s (the network run only) and the rate of each population.
"""
import numpy as np

import _b2common as C

args = C.parse_args('Brian2 Potjans & Diesmann microcircuit benchmark (C++ standalone)')

POPS = ['L23E', 'L23I', 'L4E', 'L4I', 'L5E', 'L5I', 'L6E', 'L6I']
N_FULL = np.array([20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948])
CONN = np.array([
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443]])
K_EXT = np.array([1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100])

c_m, tau_m, tau_s = 250e-12, 10e-3, 0.5e-3
# the current whose exponential PSC gives a 0.15 mV PSP peak
peak = tau_m * tau_s / (c_m * (tau_s - tau_m)) * (
    (tau_m / tau_s) ** (-tau_m / (tau_m - tau_s)) - (tau_m / tau_s) ** (-tau_s / (tau_m - tau_s)))
W = 0.15e-3 / peak  # amp

sizes = (N_FULL * args.scale).astype(int)
offsets = np.concatenate([[0], np.cumsum(sizes)])
n = int(offsets[-1])
rng = np.random.default_rng(args.seed)
pre_all, post_all, w_all, d_all = [], [], [], []
for t in range(8):
    for s in range(8):
        if CONN[t, s] == 0:
            continue
        prod = float(N_FULL[t]) * float(N_FULL[s])
        k_full = np.log(1 - CONN[t, s]) / np.log((prod - 1) / prod)
        num = int(k_full * sizes[t] / N_FULL[t])
        pre_all.append((offsets[s] + rng.integers(0, sizes[s], num)).astype(np.int32))
        post_all.append((offsets[t] + rng.integers(0, sizes[t], num)).astype(np.int32))
        inh = s % 2 == 1
        w = W * (-4 if inh else (2 if (t == 0 and s == 2) else 1))
        ws = rng.normal(w, abs(w) * 0.1, num)
        w_all.append(np.minimum(ws, 0) if inh else np.maximum(ws, 0))
        d = 0.75e-3 if inh else 1.5e-3
        d_all.append(np.maximum(rng.normal(d, d * 0.5, num), 1e-4))
pre_all = np.concatenate(pre_all)
post_all = np.concatenate(post_all)
w_all = np.concatenate(w_all)
d_all = np.concatenate(d_all)
v0 = rng.normal(-58e-3, 10e-3, n)

with C.Standalone('b2micro_', args.threads, args.seed) as S:
    from brian2 import (NeuronGroup, Synapses, SpikeMonitor, PoissonInput, Network, defaultclock,
                        ms, mV, pA, Hz, Mohm, volt, amp, second)

    defaultclock.dt = 0.1 * ms
    EL, Vth, Vreset = -65 * mV, -50 * mV, -65 * mV
    taum, taus, R = tau_m * second, tau_s * second, (tau_m / c_m) * 1e-6 * Mohm
    eqs = '''
    dv/dt = (-(v - EL) + R*I) / taum : volt (unless refractory)
    dI/dt = -I / taus : amp
    '''
    G = NeuronGroup(n, eqs, threshold='v > Vth', reset='v = Vreset', refractory=2 * ms,
                    method='exact')
    G.v = v0 * volt
    pops = [G[int(offsets[p]):int(offsets[p + 1])] for p in range(8)]
    inputs = [PoissonInput(pops[p], 'I', N=int(K_EXT[p]), rate=8 * Hz, weight=W * amp)
              for p in range(8)]
    syn = Synapses(G, G, 'w_syn : amp', on_pre='I_post += w_syn')
    S.timer_start('connect')
    syn.connect(i=pre_all, j=post_all)
    S.timer_stop('connect')
    syn.w_syn = w_all * amp
    syn.delay = d_all * second
    mon = SpikeMonitor(G)
    S.timer_start('run_cpu', 'CLOCK_PROCESS_CPUTIME_ID')
    # an explicit Network: the magic run() does not find objects kept in a list (the inputs)
    Network(G, syn, mon, *inputs).run(args.duration * ms)
    S.timer_stop('run_cpu')
    sim_s = S.build_and_run(args.idle_wait)
    connect_s = S.timer_read('connect')
    sim_cpu_s = S.timer_read('run_cpu')
    n_syn = int(len(syn))
    idx = np.asarray(mon.i[:])
    times = np.asarray(mon.t[:] / second)

dur = args.duration / 1000.0
t_start = min(0.1, dur / 5)
late = idx[times >= t_start]
counts = np.bincount(late, minlength=n)
rates = [round(float(counts[offsets[p]:offsets[p + 1]].sum()) / max(1, sizes[p]) / (dur - t_start), 4)
         for p in range(8)]
C.emit({
    'model': 'microcircuit', 'scale': args.scale, 'duration_ms': args.duration,
    'threads': args.threads, 'seed': args.seed,
    'neurons': n, 'synapses': n_syn, 'spikes': int(len(idx)),
    'rate_hz': C.r(len(idx) / n / dur, 4),
    'rates_hz': dict(zip(POPS, rates)),
    'sim_s': C.r(sim_s), 'build_s': C.r(connect_s),
    'sim_cpu_s': C.r(sim_cpu_s), 'busy_before': S.busy_before,
})
