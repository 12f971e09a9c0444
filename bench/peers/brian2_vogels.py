#!/usr/bin/python3
"""BrainTS peer benchmark: inhibitory plasticity (Vogels et al. 2011) in Brian2 C++ standalone.

Model (the same as examples/vogels_model.ts):
  * 10000*scale conductance LIF neurons (8000*scale E, 2000*scale I), one NeuronGroup
  * C dv/dt = gL(El-v) + ge(Ee-v) + gi(Ei-v) + Ib (unless refractory), forward Euler
    gL 10 nS, C 200 pF, El -60 mV, Ee 0 mV, Ei -80 mV, Ib 200 pA
  * ge, gi in siemens, decay 5 ms / 10 ms
  * threshold v > -50 mV, reset v = -60 mV, refractory 5 ms; v0 ~ U(-60, -50) mV
  * synapses Bernoulli p = min(1, 0.02/scale) (fixed expected in-degree), self-connections allowed:
    E->all ge += 0.3 nS, I->I gi += 3 nS, I->E plastic gi += w, w0 = 0
  * iSTDP on I->E: traces x (tau 20 ms, +1 per spike); pre: w = clip(w + eta(x_post - alpha), 0, wmax),
    post: w = clip(w + eta x_pre, 0, wmax); eta 0.01 nS, alpha = 2 * 3 Hz * 20 ms, wmax 100 nS,
    learning only for t >= 1 s
  * dt = 0.1 ms
Prints one JSON line: the times of _b2common plus rate_before_hz (E, first second),
rate_after_hz (E, last second), w_mean_ns (mean I->E weight at the end).
"""
import _b2common as C

args = C.parse_args('Brian2 Vogels et al. 2011 iSTDP benchmark (C++ standalone)', default_duration=10000.0)

with C.Standalone('b2vogels_', args.threads, args.seed) as S:
    import numpy as np
    from brian2 import (NeuronGroup, Synapses, SpikeMonitor, run, defaultclock,
                        ms, mV, nS, pF, pA, second)

    defaultclock.dt = 0.1 * ms
    n_exc = int(round(8000 * args.scale))
    n_inh = int(round(2000 * args.scale))
    n = n_exc + n_inh
    p = min(1.0, 0.02 / args.scale)
    gL, Cm, El, Ee, Ei, Ib = 10 * nS, 200 * pF, -60 * mV, 0 * mV, -80 * mV, 200 * pA
    tau_e, tau_i = 5 * ms, 10 * ms
    eqs = '''
    dv/dt = (gL*(El - v) + ge*(Ee - v) + gi*(Ei - v) + Ib) / Cm : volt (unless refractory)
    dge/dt = -ge/tau_e : siemens
    dgi/dt = -gi/tau_i : siemens
    '''
    pop = NeuronGroup(n, eqs, threshold='v > -50*mV', reset='v = -60*mV', refractory=5 * ms,
                      method='euler')
    pop.v = (np.random.rand(n) * 10.0 - 60.0) * mV
    exc, inh = pop[:n_exc], pop[n_exc:]

    tau_stdp = 20 * ms
    eta = 0.01 * nS
    alpha = 2 * 3.0 * 0.020
    wmax = 100 * nS
    t_on = 1 * second
    s_e = Synapses(exc, pop, on_pre='ge += 0.3*nS')
    s_ii = Synapses(inh, inh, on_pre='gi += 3*nS')
    s_ie = Synapses(inh, exc, model='''w : siemens
        dxpre/dt = -xpre/tau_stdp : 1 (event-driven)
        dxpost/dt = -xpost/tau_stdp : 1 (event-driven)''',
                    on_pre='''gi += w
        w = clip(w + eta*int(t >= t_on)*(xpost - alpha), 0*nS, wmax)
        xpre += 1''',
                    on_post='''w = clip(w + eta*int(t >= t_on)*xpre, 0*nS, wmax)
        xpost += 1''')

    S.timer_start('connect')
    s_e.connect(p=p)
    s_ii.connect(p=p)
    s_ie.connect(p=p)
    S.timer_stop('connect')
    s_ie.w = 0 * nS

    mon = SpikeMonitor(pop)
    S.timer_start('run_cpu', 'CLOCK_PROCESS_CPUTIME_ID')
    run(args.duration * ms)
    S.timer_stop('run_cpu')
    sim_s = S.build_and_run(args.idle_wait)
    connect_s = S.timer_read('connect')
    sim_cpu_s = S.timer_read('run_cpu')
    n_syn = int(len(s_e) + len(s_ii) + len(s_ie))
    t_spk = np.asarray(mon.t / second)
    i_spk = np.asarray(mon.i)
    w_mean = float(np.mean(np.asarray(s_ie.w / nS))) if len(s_ie) else 0.0

T = args.duration / 1000.0


def e_rate(t0, t1):
    sel = (t_spk >= t0) & (t_spk < t1) & (i_spk < n_exc)
    return float(np.count_nonzero(sel)) / n_exc / (t1 - t0)


C.emit({
    'model': 'vogels', 'scale': args.scale, 'duration_ms': args.duration,
    'threads': args.threads, 'seed': args.seed,
    'neurons': n, 'synapses': n_syn, 'spikes': int(len(t_spk)),
    'rate_hz': C.r(len(t_spk) / n / T, 4),
    'rate_before_hz': C.r(e_rate(0.0, min(1.0, T)), 4),
    'rate_after_hz': C.r(e_rate(max(1.0, T - 1.0), T), 4) if T > 1.0 else None,
    'w_mean_ns': C.r(w_mean, 6),
    'sim_s': C.r(sim_s), 'build_s': C.r(connect_s),
    'sim_cpu_s': C.r(sim_cpu_s), 'busy_before': S.busy_before,
})
