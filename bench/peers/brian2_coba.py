#!/usr/bin/python3
"""BrainTS peer benchmark: Vogels-Abbott COBA network in Brian2 (C++ standalone).

Model (identical to /work/shared/peers/brian2_coba.py, the BrainPy-paper set-up):
  * 4000*scale LIF neurons: 3200*scale excitatory, 800*scale inhibitory, one NeuronGroup
  * dv/dt = (ge*(Ee-v) + gi*(Ei-v) - (v-El) + I) / taum   (unless refractory), forward Euler
    taum 20 ms, El -60 mV, Ee 0 mV, Ei -80 mV, I = 20 mV (a constant drive in voltage units)
  * ge, gi dimensionless, decay with taue 5 ms / taui 10 ms
  * threshold v > -50 mV, reset v = -60 mV, refractory 5 ms
  * synapses E->all and I->all, Bernoulli p = 0.02 (self-connections allowed),
    on_pre ge += 0.6/scale, gi += 6.7/scale, no delay
  * v0 ~ N(-55 mV, 5 mV) drawn with numpy on the host; ge0 = gi0 = 0
  * dt = 0.1 ms
Prints one JSON line (see bench/peers/README.md).
"""
import _b2common as C

args = C.parse_args('Brian2 COBA benchmark (C++ standalone)')

with C.Standalone('b2coba_', args.threads, args.seed) as S:
    import numpy as np
    from brian2 import (NeuronGroup, Synapses, SpikeMonitor, run, defaultclock,
                        ms, mV, mvolt)

    defaultclock.dt = 0.1 * ms
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -60 * mV
    Erev_exc, Erev_inh = 0.0 * mV, -80.0 * mV
    I = 20.0 * mvolt

    n_exc = int(3200 * args.scale)
    n_inh = int(800 * args.scale)
    n = n_exc + n_inh
    eqs = '''
    dv/dt  = (ge*(Erev_exc-v) + gi*(Erev_inh-v) - (v-El) + I) * (1./taum) : volt (unless refractory)
    dge/dt = -ge/taue : 1
    dgi/dt = -gi/taui : 1
    '''
    pop = NeuronGroup(n, eqs, threshold='v>Vt', reset='v = Vr', refractory=5 * ms,
                      method='euler')
    we = 0.6 / args.scale
    wi = 6.7 / args.scale
    syn_e = Synapses(pop[:n_exc], pop, on_pre='ge += we')
    syn_i = Synapses(pop[n_exc:], pop, on_pre='gi += wi')
    pop.v = (np.random.randn(n) * 5.0 - 55.0) * mvolt

    S.timer_start('connect')
    syn_e.connect(p=0.02)
    syn_i.connect(p=0.02)
    S.timer_stop('connect')

    mon = SpikeMonitor(pop)
    S.timer_start('run_cpu', 'CLOCK_PROCESS_CPUTIME_ID')
    run(args.duration * ms)
    S.timer_stop('run_cpu')
    sim_s = S.build_and_run(args.idle_wait)
    connect_s = S.timer_read('connect')
    sim_cpu_s = S.timer_read('run_cpu')
    n_syn = int(len(syn_e) + len(syn_i))
    n_spk = int(mon.num_spikes)

C.emit({
    'model': 'coba', 'scale': args.scale, 'duration_ms': args.duration,
    'threads': args.threads, 'seed': args.seed,
    'neurons': n, 'synapses': n_syn, 'spikes': n_spk,
    'rate_hz': C.r(n_spk / n / (args.duration / 1000.0), 4),
    'sim_s': C.r(sim_s), 'build_s': C.r(connect_s),
    'sim_cpu_s': C.r(sim_cpu_s), 'busy_before': S.busy_before,
})
