#!/usr/bin/python3
"""BrainTS peer benchmark: the 1 000 000-neuron COBA-style LIF network in Brian2 (C++ standalone).

Model (as /work/shared/peers/brian2_large.py; BrainTS's side is bench/large.ts):
  * N = 1 000 000 * scale LIF neurons (80 % excitatory), C 200 pF, gl 10 nS, El -60 mV,
    threshold -50 mV, reset -60 mV, refractory 5 ms, I = 200 pA, forward Euler, dt = 0.1 ms
  * conductances ge, gi (siemens) decaying with 5 ms / 10 ms, reversal 0 mV / -80 mV
  * synapses E->all and I->all, Bernoulli p = 100 / N (about 100 inputs per neuron),
    weights 6 nS and 67 nS scaled by 80/100
  * v0 ~ N(-55 mV, 5 mV) drawn with numpy on the host
Prints one JSON line: sim_s (Brian2's own run time), synapses, rate, and peak_mb, the largest
resident memory of a child process (at 10^6 neurons the simulation binary; at small N the
compiler may be larger).
"""
import resource

import _b2common as C

args = C.parse_args('Brian2 1M-neuron LIF benchmark (C++ standalone)')

with C.Standalone('b2large_', args.threads, args.seed) as S:
    import numpy as np
    from brian2 import NeuronGroup, Synapses, SpikeMonitor, run, defaultclock, ms, mV, nS, pF, pA

    defaultclock.dt = 0.1 * ms
    n = int(round(1_000_000 * args.scale))
    K = 100
    f = 80.0 / K
    taue, taui = 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -60 * mV
    Ee, Ei = 0 * mV, -80 * mV
    gl, Cm = 10 * nS, 200 * pF
    we, wi = 6 * nS * f, 67 * nS * f
    eqs = '''
    dv/dt = (gl*(El-v) + ge*(Ee-v) + gi*(Ei-v) + I)/Cm : volt (unless refractory)
    dge/dt = -ge/taue : siemens
    dgi/dt = -gi/taui : siemens
    I : amp
    '''
    pop = NeuronGroup(n, eqs, threshold='v>Vt', reset='v=Vr', refractory=5 * ms, method='euler')
    pop.v = (np.random.randn(n) * 5.0 - 55.0) * mV
    pop.I = 200 * pA
    ne = int(0.8 * n)
    syn_e = Synapses(pop[:ne], pop, on_pre='ge += we')
    syn_i = Synapses(pop[ne:], pop, on_pre='gi += wi')
    S.timer_start('connect')
    syn_e.connect(p=K / n)
    syn_i.connect(p=K / n)
    S.timer_stop('connect')
    mon = SpikeMonitor(pop, record=False)
    S.timer_start('run_cpu', 'CLOCK_PROCESS_CPUTIME_ID')
    run(args.duration * ms)
    S.timer_stop('run_cpu')
    sim_s = S.build_and_run(args.idle_wait)
    n_syn = int(len(syn_e) + len(syn_i))
    n_spk = int(mon.num_spikes)
    build_s = S.timer_read('connect')
    sim_cpu_s = S.timer_read('run_cpu')

C.emit({
    'model': 'large', 'scale': args.scale, 'duration_ms': args.duration, 'threads': args.threads,
    'neurons': n, 'synapses': n_syn, 'spikes': n_spk,
    'rate_hz': C.r(n_spk / n / (args.duration / 1000.0), 4),
    'sim_s': C.r(sim_s), 'build_s': C.r(build_s), 'sim_cpu_s': C.r(sim_cpu_s),
    'peak_mb': round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    'busy_before': S.busy_before,
})
