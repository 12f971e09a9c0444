#!/usr/bin/python3
"""Run the reference measurements for bench/peers/REFERENCE.md, one process at a time.

usage: /usr/bin/python3 bench/peers/run_reference.py OUT.jsonl        # run everything
       /usr/bin/python3 bench/peers/run_reference.py OUT.jsonl --summary   # print tables
       /usr/bin/python3 bench/peers/run_reference.py OUT.jsonl --only 'coba s1 t2,cuba s1 t2' \
           --seeds 4-8 [--env OMP_WAIT_POLICY=passive]     # extra runs of some configs

Configurations are interleaved by seed (seed 1 of every config, then seed 2, ...) so that a
burst of load from other processes spreads over all configurations instead of hitting one.
Each JSON line is the script's own output plus 'load1_before' / 'load1_after' (1-minute load
average from /proc/loadavg), the wall time of the whole process (compile included) and
'others_busy' = CPU time used by OTHER processes during that wall time, as a fraction of all
cores (from /proc/stat minus our children's rusage; coarse, since the ~15 s compile dominates).
"""
import resource
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = '/usr/bin/python3'

# (label, script, extra args, seeds)
CONFIGS = [
    ('coba s1 t1', 'brian2_coba.py', ['--scale', '1', '--threads', '1'], range(1, 11)),
    ('cuba s1 t1', 'brian2_cuba.py', ['--scale', '1', '--threads', '1'], range(1, 11)),
    ('cobahh s1 t1', 'brian2_cobahh.py', ['--scale', '1', '--threads', '1'], range(1, 6)),
    ('coba s1 t2', 'brian2_coba.py', ['--scale', '1', '--threads', '2'], range(1, 4)),
    ('cuba s1 t2', 'brian2_cuba.py', ['--scale', '1', '--threads', '2'], range(1, 4)),
    ('coba s10 t1', 'brian2_coba.py', ['--scale', '10', '--threads', '1'], range(1, 3)),
    ('connect s1', 'brian2_connect.py', ['--scale', '1'], range(1, 3)),
    ('connect s10', 'brian2_connect.py', ['--scale', '10'], range(1, 3)),
]


def load1():
    with open('/proc/loadavg') as f:
        return float(f.read().split()[0])


def busy_jiffies():
    with open('/proc/stat') as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4]          # all minus idle and iowait


def children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_all(out, only=None, seed_range=None, env=None, idle_wait=0.0):
    max_seed = max(max(s) for *_, s in CONFIGS)
    if seed_range is not None:
        max_seed = max(max_seed, max(seed_range))
    hz = os.sysconf('SC_CLK_TCK')
    ncpu = os.cpu_count() or 1
    run_env = dict(os.environ, **(env or {}))
    for seed in range(1, max_seed + 1):
        for label, script, extra, seeds in CONFIGS:
            if only is not None and label not in only:
                continue
            if seed_range is not None:
                seeds = seed_range
            if seed not in seeds:
                continue
            cmd = [PY, os.path.join(HERE, script), *extra, '--duration', '1000',
                   '--seed', str(seed)]
            if script == 'brian2_connect.py':
                cmd = [PY, os.path.join(HERE, script), *extra, '--seed', str(seed)]
            if idle_wait > 0:
                cmd += ['--idle-wait', str(idle_wait)]
            l0 = load1()
            b0, c0 = busy_jiffies(), children_cpu()
            t0 = time.time()
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env=run_env)
            wall = time.time() - t0
            others = ((busy_jiffies() - b0) / hz - (children_cpu() - c0)) / (wall * ncpu)
            if p.returncode != 0:
                print(f'FAILED {label} seed {seed}', file=sys.stderr)
                continue
            rec = json.loads(p.stdout.strip().splitlines()[-1])
            rec.update(config=label + (' ' + ','.join(f'{k}={v}' for k, v in env.items())
                                       if env else ''),
                       load1_before=l0, load1_after=load1(), process_wall_s=round(wall, 2),
                       others_busy=round(max(others, 0.0), 3))
            with open(out, 'a') as f:
                f.write(json.dumps(rec) + '\n')
            print(json.dumps(rec), flush=True)


def summary(path):
    recs = [json.loads(l) for l in open(path) if l.strip()]
    by = {}
    for r in recs:
        by.setdefault(r['config'], []).append(r)
    fields = ['rate_hz', 'sim_s', 'sim_cpu_s', 'build_s', 'connect_s', 'synapses']

    def mmm(vals):
        vals = [v for v in vals if v is not None]
        if not vals:
            return '—'
        return f'{min(vals):.4g} / {statistics.median(vals):.4g} / {max(vals):.4g}'

    print('| config | n | ' + ' | '.join(f + ' (min / median / max)' for f in fields) + ' |')
    print('|' + ' --- |' * (len(fields) + 2))
    for label, rs in by.items():
        cells = [mmm([r.get(f) for r in rs]) if any(f in r for r in rs) else '—'
                 for f in fields]
        print(f'| {label} | {len(rs)} | ' + ' | '.join(cells) + ' |')
    print()
    for label, rs in by.items():
        print(f'**{label}**\n')
        print('| seed | synapses | spikes | rate_hz | sim_s | sim_cpu_s | connect s | load1 before/after | others_busy | busy_before |')
        print('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
        for r in rs:
            conn = r.get('build_s', r.get('connect_s'))
            print(f"| {r['seed']} | {r['synapses']} | {r.get('spikes', '—')} | "
                  f"{r.get('rate_hz', '—')} | {r.get('sim_s', '—')} | {r.get('sim_cpu_s', '—')} | "
                  f"{conn} | {r['load1_before']:.2f}/{r['load1_after']:.2f} | {r.get('others_busy', '—')} | {r.get('busy_before', '—')} |")
        print()


if __name__ == '__main__':
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--summary', action='store_true')
    ap.add_argument('--only', default=None, help='comma-separated config labels')
    ap.add_argument('--seeds', default=None, help='a-b, overrides the seeds of every config')
    ap.add_argument('--env', action='append', default=[], help='K=V for the benchmark process')
    ap.add_argument('--idle-wait', type=float, default=0.0,
                    help="passed to each script: wait up to S s for an idle machine before the run")
    a = ap.parse_args()
    if a.summary:
        summary(a.out)
    else:
        rng = None
        if a.seeds:
            lo, hi = (int(x) for x in a.seeds.split('-'))
            rng = range(lo, hi + 1)
        run_all(a.out, a.only.split(',') if a.only else None, rng,
                dict(kv.split('=', 1) for kv in a.env), a.idle_wait)
