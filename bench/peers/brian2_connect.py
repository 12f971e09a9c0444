#!/usr/bin/python3
"""BrainTS peer benchmark: cost of Brian2's Synapses.connect(p=0.02) alone, C++ standalone.

Network: the COBA network of brian2_coba.py (4000*scale neurons, E->all and I->all Bernoulli
p = 0.02). Only the two connect() calls are timed; nothing is simulated.

How it is timed (and why): in C++ standalone mode connect() runs inside the compiled binary,
so Python-side wall-clock would measure nothing, and the binary's total run time would include
process start, loading static arrays and Brian2's start-up/teardown. Brian2's profile=True only
covers code objects executed by Network.run, and device._last_run_time only the run loop, so
neither sees synapse creation. Instead we use Brian2's device.insert_code('main', ...) hook to
put clock_gettime(CLOCK_MONOTONIC) markers into the generated main() immediately before the
first and after the last connect() (statements keep the Python call order), and write the
elapsed seconds to a file in the project's results/ directory that we read back. This is
exactly the generated synapse-creation code (random sampling + growing the i/j index arrays)
and nothing else. Compilation is excluded. (See _b2common.py.)
Prints one JSON line: {"model":"connect","scale":..,"synapses":..,"connect_s":..}.
"""
import _b2common as C

args = C.parse_args('Brian2 Synapses.connect(p=0.02) timing (C++ standalone)', 0.0)

with C.Standalone('b2connect_', args.threads, args.seed) as S:
    from brian2 import NeuronGroup, Synapses, defaultclock, ms, mV

    defaultclock.dt = 0.1 * ms
    n_exc = int(3200 * args.scale)
    n_inh = int(800 * args.scale)
    n = n_exc + n_inh
    eqs = '''
    dv/dt  = (ge*(0*mV-v) + gi*(-80*mV-v) - (v+60*mV) + 20*mV) / (20*ms) : volt (unless refractory)
    dge/dt = -ge/(5*ms) : 1
    dgi/dt = -gi/(10*ms) : 1
    '''
    pop = NeuronGroup(n, eqs, threshold='v>-50*mV', reset='v = -60*mV', refractory=5 * ms,
                      method='euler')
    we = 0.6 / args.scale
    wi = 6.7 / args.scale
    syn_e = Synapses(pop[:n_exc], pop, on_pre='ge += we')
    syn_i = Synapses(pop[n_exc:], pop, on_pre='gi += wi')

    S.timer_start('connect')
    S.timer_start('connect_e')
    syn_e.connect(p=0.02)
    S.timer_stop('connect_e')
    syn_i.connect(p=0.02)
    S.timer_stop('connect')

    S.build_and_run(args.idle_wait)
    connect_s = S.timer_read('connect')
    connect_e_s = S.timer_read('connect_e')
    n_syn = int(len(syn_e) + len(syn_i))

C.emit({
    'model': 'connect', 'scale': args.scale, 'threads': args.threads, 'seed': args.seed,
    'neurons': n, 'synapses': n_syn,
    'connect_s': C.r(connect_s), 'connect_exc_s': C.r(connect_e_s),
    'busy_before': S.busy_before,
})
