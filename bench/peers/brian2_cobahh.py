#!/usr/bin/python3
"""BrainTS peer benchmark: COBAHH (Brette et al. 2007 benchmark 3) in Brian2 C++ standalone.

Model (identical to /work/shared/peers/brian2_cobahh.py):
  * 4000*scale Traub-Miles Hodgkin-Huxley neurons (3200*scale E, 800*scale I), one NeuronGroup
  * membrane area 20000 um^2: Cm = 1 uF/cm^2 * area = 200 pF, gl = 5e-5 S/cm^2 * area = 10 nS,
    g_Na = 100 mS/cm^2 * area = 20 uS, g_Kd = 30 mS/cm^2 * area = 6 uS
  * El -60 mV, EK -90 mV, ENa 50 mV, VT -63 mV, Ee 0 mV, Ei -80 mV
  * Cm dv/dt = gl(El-v) + ge(Ee-v) + gi(Ei-v) - gNa m^3 h (v-ENa) - gKd n^4 (v-EK)
  * gating rates (u = v - VT, all in mV, rates in 1/ms):
      alpha_m = 0.32*4/exprel((13-u)/4)      beta_m = 0.28*5/exprel((u-40)/5)
      alpha_h = 0.128*exp((17-u)/18)          beta_h = 4/(1+exp((40-u)/5))
      alpha_n = 0.032*5/exprel((15-u)/5)      beta_n = 0.5*exp((10-u)/40)
    (exprel(x) = (exp(x)-1)/x, so e.g. alpha_m = 0.32*(13-u)/(exp((13-u)/4)-1))
  * ge, gi in siemens, decay taue 5 ms / taui 10 ms
  * method 'exponential_euler'; spike = v > -20 mV with refractory 3 ms (no reset; the
    refractory period only blocks re-detection of the same spike)
  * synapses E->all, I->all, Bernoulli p = 0.02, on_pre ge += 6 nS/scale, gi += 67 nS/scale
  * init (Brian2 randn in generated code): v = El + (randn*5 - 5) mV,
    ge = (randn*1.5 + 4)*10 nS, gi = (randn*12 + 20)*10 nS; m, n, h start at 0
  * dt = 0.1 ms
Prints one JSON line (see bench/peers/README.md).
"""
import _b2common as C

args = C.parse_args('Brian2 COBAHH benchmark (C++ standalone)')

with C.Standalone('b2cobahh_', args.threads, args.seed) as S:
    from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Equations, run, defaultclock,
                        ms, mV, nS, umetre, ufarad, cm, siemens, msiemens)

    defaultclock.dt = 0.1 * ms
    area = 20000 * umetre ** 2
    Cm = (1 * ufarad * cm ** -2) * area
    gl = (5e-5 * siemens * cm ** -2) * area
    El, EK, ENa = -60 * mV, -90 * mV, 50 * mV
    g_na = (100 * msiemens * cm ** -2) * area
    g_kd = (30 * msiemens * cm ** -2) * area
    VT = -63 * mV
    taue, taui = 5 * ms, 10 * ms
    Ee, Ei = 0 * mV, -80 * mV
    we = 6 * nS / args.scale
    wi = 67 * nS / args.scale

    eqs = Equations('''
    dv/dt = (gl*(El-v) + ge*(Ee-v) + gi*(Ei-v) - g_na*(m*m*m)*h*(v-ENa) - g_kd*(n*n*n*n)*(v-EK))/Cm : volt
    dm/dt = alpha_m*(1-m) - beta_m*m : 1
    dn/dt = alpha_n*(1-n) - beta_n*n : 1
    dh/dt = alpha_h*(1-h) - beta_h*h : 1
    dge/dt = -ge*(1./taue) : siemens
    dgi/dt = -gi*(1./taui) : siemens
    alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
    beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
    beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
    ''')
    n_exc = int(3200 * args.scale)
    n_inh = int(800 * args.scale)
    n = n_exc + n_inh
    pop = NeuronGroup(n, model=eqs, threshold='v>-20*mV', refractory=3 * ms,
                      method='exponential_euler')
    syn_e = Synapses(pop[:n_exc], pop, on_pre='ge+=we')
    syn_i = Synapses(pop[n_exc:], pop, on_pre='gi+=wi')

    S.timer_start('connect')
    syn_e.connect(p=0.02)
    syn_i.connect(p=0.02)
    S.timer_stop('connect')

    pop.v = 'El + (randn() * 5 - 5)*mV'
    pop.ge = '(randn() * 1.5 + 4) * 10.*nS'
    pop.gi = '(randn() * 12 + 20) * 10.*nS'
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
    'model': 'cobahh', 'scale': args.scale, 'duration_ms': args.duration,
    'threads': args.threads, 'seed': args.seed,
    'neurons': n, 'synapses': n_syn, 'spikes': n_spk,
    'rate_hz': C.r(n_spk / n / (args.duration / 1000.0), 4),
    'sim_s': C.r(sim_s), 'build_s': C.r(connect_s),
    'sim_cpu_s': C.r(sim_cpu_s), 'busy_before': S.busy_before,
})
