#!/usr/bin/python3
"""Replays one BrainTS Vogels et al. (2011) network in Brian2 and compares spikes and weights.

Usage: brian2_vogels_replay.py NET.json   (written by bench/vogels_replay.ts)

NET.json holds what BrainTS drew (initial v in volts, the rows of each projection: `indptr` over
the pre slice, `indices` into the post slice), the learning onset and duration (ms), and BrainTS's
float64 result (spike times in seconds and indices, mean I->E weight in nS). The model is
brian2_vogels.py's, statement for statement; only the random draws come from the file, so any
difference is one of semantics or of floating-point order. Brian2 runs in runtime mode (numpy
target: no compiler, a few minutes for 10 s at scale 0.2).

Prints one JSON line: both spike counts, the first (step, index) pair where the sorted spike
lists differ (null if none), both mean weights.
"""
import json
import sys

import numpy as np
from brian2 import (NeuronGroup, Synapses, SpikeMonitor, run, defaultclock, prefs,
                    ms, mV, nS, pF, pA, second, volt)

d = json.load(open(sys.argv[1]))
prefs.codegen.target = 'numpy'
defaultclock.dt = 0.1 * ms
n_exc, n_inh = d['ne'], d['ni']
n = n_exc + n_inh
gL, Cm, El, Ee, Ei, Ib = 10 * nS, 200 * pF, -60 * mV, 0 * mV, -80 * mV, 200 * pA
tau_e, tau_i = 5 * ms, 10 * ms
eqs = '''
dv/dt = (gL*(El - v) + ge*(Ee - v) + gi*(Ei - v) + Ib) / Cm : volt (unless refractory)
dge/dt = -ge/tau_e : siemens
dgi/dt = -gi/tau_i : siemens
'''
pop = NeuronGroup(n, eqs, threshold='v > -50*mV', reset='v = -60*mV', refractory=5 * ms,
                  method='euler')
pop.v = np.asarray(d['v0']) * volt
exc, inh = pop[:n_exc], pop[n_exc:]

tau_stdp = 20 * ms
eta = 0.01 * nS
alpha = 2 * 3.0 * 0.020
wmax = 100 * nS
t_on = d['learn_from_ms'] * ms
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


def connect(syn, rows):
    indptr = np.asarray(rows['indptr'])
    pre = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    syn.connect(i=pre, j=np.asarray(rows['indices']))


connect(s_e, d['proj']['E→all'])
connect(s_ii, d['proj']['I→I'])
connect(s_ie, d['proj']['I→E'])
s_ie.w = 0 * nS
mon = SpikeMonitor(pop)
run(d['duration_ms'] * ms)

steps = lambda t: np.round(np.asarray(t) / 1e-4).astype(int).tolist()
ours = sorted(zip(steps(mon.t / second), np.asarray(mon.i).tolist()))
theirs = sorted(zip(steps(d['t']), list(d['i'])))
first = next(([a, b] for a, b in zip(ours, theirs) if a != b), None)
sys.stdout.write(json.dumps({
    'brian2_spikes': len(ours), 'braints_spikes': len(theirs), 'first_difference': first,
    'brian2_w_mean_ns': float(np.mean(np.asarray(s_ie.w / nS))), 'braints_w_mean_ns': d['w_mean_ns'],
}) + '\n')
