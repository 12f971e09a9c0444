"""Shared plumbing for the BrainTS Brian2 peer scripts (bench/peers/brian2_*.py).

Everything here is infrastructure only (CLI, C++ standalone set-up, quiet build, in-binary
timers, JSON output); the models themselves live in the individual scripts.

Timing sources
--------------
* ``sim_s``: ``device._last_run_time``, which Brian2's generated ``main`` measures around the
  network run only (read from ``results/last_run_info.txt``). Compilation, process start,
  array initialisation and synapse creation are all outside it.
* connect time (``build_s`` / ``connect_s``): measured INSIDE the compiled binary. We drop a
  ``clock_gettime(CLOCK_MONOTONIC)`` marker into ``main()`` right before the first
  ``Synapses.connect`` and another right after the last one, using Brian2's own
  ``device.insert_code('main', ...)`` hook (the statements are placed in ``main()`` in the same
  order as the Python calls). The elapsed time is written to ``results/timer_<tag>.txt`` and
  read back after the run. That is exactly the cost of the generated C++ synapse-creation code
  (sampling + pushing the i/j arrays), with no compile or Python overhead. The structures that
  Brian2 builds from the synapses at the start of ``run`` (spike queues) are part of the
  network run, not of this timer.
* ``sim_cpu_s``: CPU time of the whole process (CLOCK_PROCESS_CPUTIME_ID, all threads summed)
  between markers placed just before and after ``run()``. It includes Brian2's before-run set-up
  (spike queues) on top of what ``sim_s`` covers, but is much less sensitive than wall-clock to
  other processes competing for the cores; on a busy machine compare it with ``sim_s``
  (for 1 thread, sim_s >> sim_cpu_s means the run was descheduled).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

import numpy as np


def parse_args(description, default_duration=1000.0):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument('--scale', type=float, default=1.0,
                    help='neurons x scale, synaptic weights / scale (default 1 = 4000 neurons)')
    ap.add_argument('--duration', type=float, default=default_duration,
                    help='simulated time in ms (default %(default)s)')
    ap.add_argument('--threads', type=int, default=1,
                    help='OpenMP threads for the C++ standalone binary (default 1)')
    ap.add_argument('--seed', type=int, default=None,
                    help="seed for Brian2's seed() and numpy (default: unseeded)")
    ap.add_argument('--idle-wait', type=float, default=0.0,
                    help='after compiling, wait up to this many seconds for the machine to be '
                         'idle (< 15%% of all cores busy over 0.5 s) before running the binary; '
                         'the busy fraction seen last is reported as busy_before (default 0: '
                         'no waiting, only measure)')
    return ap.parse_args()


def cpu_busy_fraction(window=0.5):
    """Fraction of all cores busy (any process) over `window` seconds, from /proc/stat."""
    import time

    def snap():
        with open('/proc/stat') as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]

    t0, i0 = snap()
    time.sleep(window)
    t1, i1 = snap()
    total = t1 - t0
    return 0.0 if total <= 0 else 1.0 - (i1 - i0) / total


def wait_for_idle(max_wait, threshold=0.15):
    import time
    start = time.time()
    busy = cpu_busy_fraction()
    while busy > threshold and time.time() - start < max_wait:
        busy = cpu_busy_fraction()
    return busy


class QuietStdout:
    """Redirect file descriptor 1 to descriptor 2 for the duration of the block.

    Brian2 calls ``make`` through ``os.system`` and the binary through ``subprocess``; both
    inherit fd 1, so redirecting at the descriptor level (not just ``sys.stdout``) keeps the
    compiler chatter off our stdout, which must carry only the final JSON line.
    """

    def __enter__(self):
        sys.stdout.flush()
        self.saved = os.dup(1)
        os.dup2(2, 1)
        return self

    def __exit__(self, *exc):
        sys.stdout.flush()
        os.dup2(self.saved, 1)
        os.close(self.saved)
        return False


class Standalone:
    """Fresh C++ standalone project in a temp directory, removed again on exit."""

    def __init__(self, prefix, threads, seed):
        self.prefix = prefix
        self.threads = threads
        self.seed = seed
        self.directory = None
        self._quiet = QuietStdout()

    def __enter__(self):
        import signal
        import brian2 as b2
        self.b2 = b2
        # turn SIGTERM into SystemExit so that __exit__ still removes the temp directory
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        self._quiet.__enter__()
        self.directory = tempfile.mkdtemp(prefix=self.prefix)
        b2.set_device('cpp_standalone', directory=self.directory, build_on_run=False)
        if self.threads > 1:
            b2.prefs.devices.cpp_standalone.openmp_threads = self.threads
        # Brian2's default is an unbounded `make -j`, which spawns ~20 compilers at once on a
        # 2-core box; bound it to the core count (compile time is not measured anyway).
        b2.prefs.devices.cpp_standalone.extra_make_args_unix = [f'-j{os.cpu_count() or 1}']
        if self.seed is not None:
            np.random.seed(self.seed)
            b2.seed(self.seed)
        return self

    def __exit__(self, *exc):
        try:
            self._quiet.__exit__(*exc)
        finally:
            if self.directory is not None:
                shutil.rmtree(self.directory, ignore_errors=True)
        return False

    # --- in-binary timers (wall or CPU) --------------------------------------------------------
    def timer_start(self, tag, clock='CLOCK_MONOTONIC'):
        """Insert a start marker into main(); clock may be CLOCK_PROCESS_CPUTIME_ID."""
        self.b2.device.insert_code(
            'main',
            f'struct timespec _bts_timer_{tag}; clock_gettime({clock}, &_bts_timer_{tag});')
        self._clocks = getattr(self, '_clocks', {})
        self._clocks[tag] = clock

    def timer_stop(self, tag):
        clock = self._clocks[tag]
        self.b2.device.insert_code('main', (
            f'{{ struct timespec _bte; clock_gettime({clock}, &_bte);\n'
            f'  double _dt = (double)(_bte.tv_sec - _bts_timer_{tag}.tv_sec)'
            f' + 1e-9 * (double)(_bte.tv_nsec - _bts_timer_{tag}.tv_nsec);\n'
            f'  FILE *_tf = fopen("results/timer_{tag}.txt", "w");\n'
            '  if (_tf) { fprintf(_tf, "%.9f\\n", _dt); fclose(_tf); } }'))

    def timer_read(self, tag):
        path = os.path.join(self.directory, 'results', f'timer_{tag}.txt')
        try:
            with open(path) as f:
                return float(f.read().strip())
        except (OSError, ValueError):
            return None

    def build_and_run(self, idle_wait=0.0):
        """Compile, (optionally) wait for an idle machine, run; returns device._last_run_time.

        Compiling and running are split (build(run=False) + device.run) so that the idle check
        happens between them: our own compiler jobs are finished and do not count as load.
        with_output=False: the binary's own stdout goes to results/stdout.txt.
        """
        dev = self.b2.device
        dev.build(directory=self.directory, compile=True, run=False, with_output=False)
        self.busy_before = round(wait_for_idle(idle_wait), 3)
        dev.run(self.directory, False, [])
        t = getattr(dev, '_last_run_time', None)
        return None if t is None else float(t)


def emit(record):
    """Print the single JSON result line (always the last line on stdout)."""
    sys.stdout.write(json.dumps(record) + '\n')
    sys.stdout.flush()


def r(x, nd=6):
    return None if x is None else round(float(x), nd)
