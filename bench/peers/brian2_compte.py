#!/usr/bin/python3
"""BrainTS peer benchmark: one trial of the Compte et al. (2000) bump attractor in Brian2 C++ standalone.

Model (the same as examples/compte_model.ts):
  * 2048*scale E and 512*scale I LIF cells, all-to-all (self-connections included); E cell i has
    the preferred angle 360 i / nE degrees
    E: C 0.5 nF, gL 25 nS, refractory 2 ms; I: C 0.2 nF, gL 20 nS, refractory 1 ms;
    rest -70 mV, threshold -50 mV, reset -60 mV; v0 ~ U(-70, -50) mV; dt 0.1 ms, second-order
    Runge-Kutta (midpoint, Brian2's 'rk2'), as BrainTS integrates it (the Mg block makes v
    nonlinear, so BrainTS's 'auto' picks RK2). Forward Euler at dt 0.1 ms gives spontaneous E
    rates about 8 % below RK2, which is within 3 % of RK4 (issue 12, bench/README.md).
  * C dv/dt = -gL(v - El) + gA(0 - v) + gN s(v)(0 - v) + gG(-70 mV - v) + I_stim,
    s(v) = 1 / (1 + [Mg]/3.57 exp(-0.062 v/mV)), [Mg] = 1 mM
  * external AMPA (2 ms): 1000 Poisson inputs at 1.8 Hz onto every cell, 3.1 nS (E), 2.38 nS (I)
  * NMDA per pre-synaptic E cell: dsN/dt = -sN/100 ms + 0.5/ms x (1 - sN), dx/dt = -x/2 ms,
    x += 1 on a spike; gN of a post cell = sum over pre of weight * sN (recomputed every step)
  * recurrent conductances (x 2048/nE from E, x 512/nI from I): NMDA onto E 0.381 nS times
    J(d), onto I 0.292 nS; GABA_A (10 ms, onto -70 mV) onto E 1.336 nS, onto I 1.024 nS
  * J(d) = J- + (J+ - J-) exp(-d^2 / 2 sigma^2), d the circular distance between preferred angles,
    J+ 1.62, sigma 14.4 deg, J- such that the mean of J over the nE distances k 360/nE is 1
  * cue: I_stim = 375 pA exp(-d^2 / 2 (6 deg)^2) around the cue angle (180 deg) on the E cells
    from --pre ms to --pre + 250 ms; --duration is the delay after the cue
Prints one JSON line: the times of _b2common (sim_s: wall clock around the three run() calls,
inside the binary) plus the statistics that examples/compte_model.ts prints (compteStats).
Extra options: --pre MS (default 500), --jplus J (default 1.62), --cue-pa PA (default 375).
"""
import sys

import _b2common as C


def take(flag, default):
    if flag in sys.argv:
        k = sys.argv.index(flag)
        v = float(sys.argv[k + 1])
        del sys.argv[k:k + 2]
        return v
    return default


pre_ms = take('--pre', 500.0)
j_plus = take('--jplus', 1.62)
cue_pa = take('--cue-pa', 375.0)
cue_ms, cue_deg, sigma_deg, cue_sigma = 250.0, 180.0, 14.4, 6.0
args = C.parse_args('Brian2 Compte et al. (2000) bump attractor trial (C++ standalone)', default_duration=3000.0)

with C.Standalone('b2compte_', args.threads, args.seed) as S:
    import numpy as np
    from brian2 import (NeuronGroup, Synapses, SpikeMonitor, PoissonInput, run, defaultclock,
                        ms, mV, nS, nF, pA, Hz, second)

    defaultclock.dt = 0.1 * ms
    sc = args.scale
    n_e = int(round(2048 * sc))
    n_i = int(round(512 * sc))
    # the profile's J-: mean of J over the ring exactly 1
    k = np.arange(n_e) * 360.0 / n_e
    d = np.minimum(k, 360 - k)
    g_mean = np.exp(-d ** 2 / (2 * sigma_deg ** 2)).mean()
    j_minus = (1 - j_plus * g_mean) / (1 - g_mean)
    eqs_e = '''
    dv/dt = (-gL*(v - El) - gA*v - gN*v/(1 + exp(-0.062*v/mV)/3.57) + gG*(EG - v) + I_stim) / Cm : volt (unless refractory)
    dgA/dt = -gA/(2*ms) : siemens
    dgG/dt = -gG/(10*ms) : siemens
    gN : siemens
    dsN/dt = -sN/(100*ms) + 0.5/ms*x*(1 - sN) : 1
    dx/dt = -x/(2*ms) : 1
    I_stim : amp
    '''
    eqs_i = '''
    dv/dt = (-gL*(v - El) - gA*v - gN*v/(1 + exp(-0.062*v/mV)/3.57) + gG*(EG - v)) / Cm : volt (unless refractory)
    dgA/dt = -gA/(2*ms) : siemens
    dgG/dt = -gG/(10*ms) : siemens
    gN : siemens
    '''
    El, EG = -70 * mV, -70 * mV
    E = NeuronGroup(n_e, eqs_e, threshold='v > -50*mV', reset='v = -60*mV; x += 1',
                    refractory=2 * ms, method='rk2', namespace={'gL': 25 * nS, 'Cm': 0.5 * nF, 'El': El, 'EG': EG})
    I = NeuronGroup(n_i, eqs_i, threshold='v > -50*mV', reset='v = -60*mV',
                    refractory=1 * ms, method='rk2', namespace={'gL': 20 * nS, 'Cm': 0.2 * nF, 'El': El, 'EG': EG})
    E.v = (np.random.rand(n_e) * 20 - 70) * mV
    I.v = (np.random.rand(n_i) * 20 - 70) * mV

    ee = Synapses(E, E, 'w : siemens\ngN_post = w*sN_pre : siemens (summed)')
    ei = Synapses(E, I, f'gN_post = {0.292 * 2048 / n_e}*nS*sN_pre : siemens (summed)')
    ie = Synapses(I, E, on_pre=f'gG_post += {1.336 * 512 / n_i}*nS')
    ii = Synapses(I, I, on_pre=f'gG_post += {1.024 * 512 / n_i}*nS')
    S.timer_start('connect')
    for syn in (ee, ei, ie, ii):
        syn.connect()
    S.timer_stop('connect')
    # circular distance (degrees) between the preferred angles of i and j; its square is all J needs
    dist = f'(abs(i - j)*{360.0 / n_e} - 360.0*int(abs(i - j)*{360.0 / n_e} > 180.0))'
    ee.w = f'{0.381 * 2048 / n_e}*nS*({j_minus} + {j_plus - j_minus}*exp(-{dist}**2/{2 * sigma_deg ** 2}))'

    bg_e = PoissonInput(E, 'gA', 1000, 1.8 * Hz, weight=3.1 * nS)
    bg_i = PoissonInput(I, 'gA', 1000, 1.8 * Hz, weight=2.38 * nS)
    mon_e = SpikeMonitor(E)
    mon_i = SpikeMonitor(I)
    cue_dist = f'(abs(i*{360.0 / n_e} - {cue_deg}) - 360.0*int(abs(i*{360.0 / n_e} - {cue_deg}) > 180.0))'
    S.timer_start('run_cpu', 'CLOCK_PROCESS_CPUTIME_ID')
    S.timer_start('run_wall')
    run(pre_ms * ms)
    E.I_stim = f'{cue_pa}*pA*exp(-{cue_dist}**2/{2 * cue_sigma ** 2})'
    run(cue_ms * ms)
    E.I_stim = 0 * pA
    run(args.duration * ms)
    S.timer_stop('run_wall')
    S.timer_stop('run_cpu')
    S.build_and_run(args.idle_wait)
    connect_s = S.timer_read('connect')
    sim_s = S.timer_read('run_wall')
    sim_cpu_s = S.timer_read('run_cpu')
    n_syn = int(sum(len(s) for s in (ee, ei, ie, ii)))
    te, ie_ = np.asarray(mon_e.t / second), np.asarray(mon_e.i)
    ti = np.asarray(mon_i.t / second)


# statistics as in compteStats (examples/compte_model.ts)
def ring_dist(a, b):
    x = np.abs(np.mod(a - b, 360.0))
    return np.where(x > 180, 360 - x, x)


def pop_vector(t0, t1):
    m = (te >= t0) & (te < t1)
    th = np.deg2rad(360.0 * ie_[m] / n_e)
    return float(np.mod(np.rad2deg(np.arctan2(np.sin(th).sum(), np.cos(th).sum())), 360.0))


cue_on, cue_off = pre_ms / 1000, (pre_ms + cue_ms) / 1000
end_t = cue_off + args.duration / 1000
end_from = max(cue_off, end_t - 0.5)
start_to = min(end_t, cue_off + 0.5)
end_c, start_c = pop_vector(end_from, end_t), pop_vector(cue_off, start_to)
drift = (end_c - start_c + 540) % 360 - 180
delay_s = max(1e-9, (end_t + end_from) / 2 - (cue_off + start_to) / 2)
theta = 360.0 * np.arange(n_e) / n_e
dpos = ring_dist(theta, end_c)
m = (te >= end_from) & (te < end_t)
dspk = ring_dist(360.0 * ie_[m] / n_e, end_c)
span = end_t - end_from
rate_in = (dspk <= 30).sum() / max(1, (dpos <= 30).sum()) / span
rate_out = (dspk > 90).sum() / max(1, (dpos > 90).sum()) / span


def rate(t, n, t0, t1):
    return float(((t >= t0) & (t < t1)).sum() / n / (t1 - t0)) if t1 > t0 else None


C.emit({
    'model': 'compte', 'scale': sc, 'duration_ms': args.duration, 'pre_ms': pre_ms,
    'threads': args.threads, 'seed': args.seed,
    'neurons': n_e + n_i, 'synapses': n_syn, 'spikes': int(len(te) + len(ti)),
    'end_centre_deg': C.r(end_c, 2), 'end_error_deg': C.r(ring_dist(end_c, cue_deg), 2),
    'start_centre_deg': C.r(start_c, 2), 'drift_deg': C.r(drift, 2),
    'drift_deg_per_s': C.r(abs(drift) / delay_s, 3),
    'rate_in_hz': C.r(rate_in, 3), 'rate_out_hz': C.r(rate_out, 3),
    'persists': int(rate_in >= 10 and rate_in >= 3 * rate_out),
    'rate_e_spont_hz': C.r(rate(te, n_e, 0, cue_on), 3), 'rate_i_spont_hz': C.r(rate(ti, n_i, 0, cue_on), 3),
    'rate_e_delay_hz': C.r(rate(te, n_e, start_to, end_t), 3), 'rate_i_delay_hz': C.r(rate(ti, n_i, start_to, end_t), 3),
    'centre_deg_100ms': [C.r(pop_vector(t - 0.1, t), 1) for t in np.arange(1, int(round(end_t * 10)) + 1) / 10],
    'sim_s': C.r(sim_s), 'build_s': C.r(connect_s),
    'sim_cpu_s': C.r(sim_cpu_s), 'busy_before': S.busy_before,
})
