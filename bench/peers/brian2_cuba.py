#!/usr/bin/python3
"""BrainTS peer benchmark: CUBA network (Brette et al. 2007 benchmark 2) in Brian2 C++ standalone.

Model (identical to /work/shared/peers/brian2_cuba.py):
  * 4000*scale LIF neurons (3200*scale E, 800*scale I), one NeuronGroup
  * dv/dt = (ge + gi - (v-El)) / taum  (unless refractory); taum 20 ms, El -49 mV
  * ge, gi in volts, decay with taue 5 ms / taui 10 ms
  * integration method 'exact' (linear system solved analytically per step)
  * threshold v > -50 mV, reset v = -60 mV, refractory 5 ms
  * v0 ~ U(Vr, Vt) = U(-60, -50) mV drawn by Brian2 (rand() in the generated code); ge0 = gi0 = 0
  * synapses E->all and I->all, Bernoulli p = 0.02, no delay,
    on_pre ge += 1.62 mV/scale (60*0.27/10), gi += -9 mV/scale (-20*4.5/10)
  * dt = 0.1 ms
Prints one JSON line (see bench/peers/README.md).
"""
import _b2common as C

args = C.parse_args('Brian2 CUBA benchmark (C++ standalone)')

with C.Standalone('b2cuba_', args.threads, args.seed) as S:
    from brian2 import (NeuronGroup, Synapses, SpikeMonitor, run, defaultclock, ms, mV)

    defaultclock.dt = 0.1 * ms
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV

    n_exc = int(3200 * args.scale)
    n_inh = int(800 * args.scale)
    n = n_exc + n_inh
    eqs = '''
    dv/dt  = (ge + gi - (v-El)) / taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    '''
    pop = NeuronGroup(n, eqs, threshold='v>Vt', reset='v = Vr', refractory=5 * ms,
                      method='exact')
    pop.v = 'Vr + rand() * (Vt - Vr)'
    we = (60 * 0.27 / 10) * mV / args.scale
    wi = (-20 * 4.5 / 10) * mV / args.scale
    syn_e = Synapses(pop[:n_exc], pop, on_pre='ge += we')
    syn_i = Synapses(pop[n_exc:], pop, on_pre='gi += wi')

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
    'model': 'cuba', 'scale': args.scale, 'duration_ms': args.duration,
    'threads': args.threads, 'seed': args.seed,
    'neurons': n, 'synapses': n_syn, 'spikes': n_spk,
    'rate_hz': C.r(n_spk / n / (args.duration / 1000.0), 4),
    'sim_s': C.r(sim_s), 'build_s': C.r(connect_s),
    'sim_cpu_s': C.r(sim_cpu_s), 'busy_before': S.busy_before,
})
