#!/usr/bin/python3
"""Issue 12: the spread of the Compte et al. (2000) spontaneous rates in Brian2 over many networks.

Usage: brian2_compte_spont.py K METHOD SEED [MS]   (e.g. 18 rk2 12)

Builds K independent copies of brian2_compte.py's network at scale 0.25 (no cue; each copy its own
E and I cells, all-to-all only within the copy, its own initial v and Poisson input) in ONE C++
standalone project, so one compilation gives K samples. Equations, weights and METHOD ('euler',
'rk2') as in brian2_compte.py. Prints one JSON line per copy: E and I rates over [0, 500 ms)
(the benchmark's spontaneous window) and, with MS > 500, over [500 ms, MS).
Compare with `node dist/bench/compte_spont.js --seeds 1-30` (BrainTS, one network per seed).
"""
import json, sys, os, tempfile, shutil
import numpy as np
import brian2 as b2
from brian2 import (NeuronGroup, Synapses, SpikeMonitor, PoissonInput, run, defaultclock, ms, mV, nS, nF, Hz, second)
K = int(sys.argv[1]); method = sys.argv[2]; seed = int(sys.argv[3]); T = float(sys.argv[4]) if len(sys.argv) > 4 else 500.0
d_ = tempfile.mkdtemp(prefix='b2multi_')
b2.set_device('cpp_standalone', directory=d_, build_on_run=False)
b2.prefs.devices.cpp_standalone.extra_make_args_unix = ['-j2']
np.random.seed(seed); b2.seed(seed)
defaultclock.dt = 0.1 * ms
n_e, n_i = 512, 128; j_plus, sigma_deg = 1.62, 14.4
k = np.arange(n_e) * 360.0 / n_e
d = np.minimum(k, 360 - k)
g_mean = np.exp(-d ** 2 / (2 * sigma_deg ** 2)).mean()
j_minus = (1 - j_plus * g_mean) / (1 - g_mean)
eqs_e = '''
dv/dt = (-gL*(v - El) - gA*v - gN*v/(1 + exp(-0.062*v/mV)/3.57) + gG*(EG - v)) / Cm : volt (unless refractory)
dgA/dt = -gA/(2*ms) : siemens
dgG/dt = -gG/(10*ms) : siemens
gN : siemens
dsN/dt = -sN/(100*ms) + 0.5/ms*x*(1 - sN) : 1
dx/dt = -x/(2*ms) : 1
'''
eqs_i = '''
dv/dt = (-gL*(v - El) - gA*v - gN*v/(1 + exp(-0.062*v/mV)/3.57) + gG*(EG - v)) / Cm : volt (unless refractory)
dgA/dt = -gA/(2*ms) : siemens
dgG/dt = -gG/(10*ms) : siemens
gN : siemens
'''
El, EG = -70 * mV, -70 * mV
E = NeuronGroup(K * n_e, eqs_e, threshold='v > -50*mV', reset='v = -60*mV; x += 1',
                refractory=2 * ms, method=method, namespace={'gL': 25 * nS, 'Cm': 0.5 * nF, 'El': El, 'EG': EG})
I = NeuronGroup(K * n_i, eqs_i, threshold='v > -50*mV', reset='v = -60*mV',
                refractory=1 * ms, method=method, namespace={'gL': 20 * nS, 'Cm': 0.2 * nF, 'El': El, 'EG': EG})
E.v = (np.random.rand(K * n_e) * 20 - 70) * mV
I.v = (np.random.rand(K * n_i) * 20 - 70) * mV
ee = Synapses(E, E, 'w : siemens\ngN_post = w*sN_pre : siemens (summed)')
ei = Synapses(E, I, f'gN_post = {0.292 * 2048 / n_e}*nS*sN_pre : siemens (summed)')
ie = Synapses(I, E, on_pre=f'gG_post += {1.336 * 512 / n_i}*nS')
ii = Synapses(I, I, on_pre=f'gG_post += {1.024 * 512 / n_i}*nS')
ee.connect(f'i // {n_e} == j // {n_e}')
ei.connect(f'i // {n_e} == j // {n_i}')
ie.connect(f'i // {n_i} == j // {n_e}')
ii.connect(f'i // {n_i} == j // {n_i}')
dist = f'(abs(i % {n_e} - j % {n_e})*{360.0 / n_e} - 360.0*int(abs(i % {n_e} - j % {n_e})*{360.0 / n_e} > 180.0))'
ee.w = f'{0.381 * 2048 / n_e}*nS*({j_minus} + {j_plus - j_minus}*exp(-{dist}**2/{2 * sigma_deg ** 2}))'
bg_e = PoissonInput(E, 'gA', 1000, 1.8 * Hz, weight=3.1 * nS)
bg_i = PoissonInput(I, 'gA', 1000, 1.8 * Hz, weight=2.38 * nS)
me = SpikeMonitor(E); mi = SpikeMonitor(I)
run(T * ms)
out = os.dup(1); os.dup2(2, 1)
b2.device.build(directory=d_, compile=True, run=True)
os.dup2(out, 1)
te, ie_ = np.asarray(me.t / second), np.asarray(me.i)
ti, ii_ = np.asarray(mi.t / second), np.asarray(mi.i)
shutil.rmtree(d_, ignore_errors=True)
w = lambda t, a, b: (t >= a) & (t < b)
for c in range(K):
    e0 = ((ie_ // n_e == c) & w(te, 0, .5)).sum() / n_e / .5
    i0 = ((ii_ // n_i == c) & w(ti, 0, .5)).sum() / n_i / .5
    row = {'copy': c, 'method': method, 'seed': seed, 'e_0_500': round(float(e0), 3), 'i_0_500': round(float(i0), 3)}
    if T > 500:
        row['e_rest'] = round(float(((ie_ // n_e == c) & w(te, .5, T / 1000)).sum() / n_e / (T / 1000 - .5)), 3)
        row['i_rest'] = round(float(((ii_ // n_i == c) & w(ti, .5, T / 1000)).sum() / n_i / (T / 1000 - .5)), 3)
    print(json.dumps(row), flush=True)
