/**
 * `braints run <model file | name>`: builds the network a model file declares, runs it with a
 * progress bar (on a terminal), and writes what the monitors recorded.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { loadModelText, type LoadedModel } from '../modelfile/load.js';
import { StateMonitor } from '../runner/monitors.js';
import { terminalProgress } from '../node/progress.js';
import { parseTime, integer, choices, traceSpec, type TraceSpec } from './options.js';
import { resolveModel, formatOf } from './paths.js';
import { StopRequest, restoreTerminal } from './interrupt.js';
import { runInChunks } from './simulate.js';
import { writeResults, type NamedMonitor, type PlotFormat } from './output.js';
import { CliError } from './errors.js';

interface RunFlags {
  duration?: number;
  seed?: number;
  threads?: number;
  backend?: 'auto' | 'wasm' | 'js';
  dtype?: 'float32' | 'float64';
  dt?: number;
  out?: string;
  params?: string;
  plot: PlotFormat[];
  trace?: TraceSpec[];
  progress: 'auto' | 'always' | 'never';
}

/** Adds StateMonitors for the --trace requests. */
function addTraces(m: LoadedModel, traces: readonly TraceSpec[]): NamedMonitor[] {
  return traces.map((t) => {
    const g = m.groups.get(t.group);
    if (!g) throw new CliError(`--trace ${t.group}.${t.variable}: no group '${t.group}' in the model (groups: ${[...m.groups.keys()].join(', ')})`);
    const vars = g.model.lines.filter((l) => l.kind !== 'sub').map((l) => l.name);
    if (!vars.includes(t.variable)) throw new CliError(`--trace ${t.group}.${t.variable}: ${g.model.name} has no variable '${t.variable}' (variables: ${vars.join(', ')})`);
    const indices = t.indices ?? Array.from({ length: Math.min(5, g.size) }, (_, i) => i);
    const bad = indices.find((i) => !(i < g.size));
    if (bad !== undefined) throw new CliError(`--trace ${t.group}.${t.variable}[${indices.join(',')}]: neuron ${bad} is not in group '${t.group}' of ${g.size} neurons`);
    const mon = m.net.add(new StateMonitor(g, [t.variable], { indices }));
    return [`trace_${t.group}_${t.variable}`, mon] as const;
  });
}

/** Loads parameters written by `braints train` (checked by Network.loadParams: names, lengths, values). */
function loadTrained(net: LoadedModel['net'], path: string): void {
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CliError(`--params ${path}: cannot read it as JSON (${(err as Error).message.split('\n')[0]})`);
  }
  try {
    net.loadParams(saved);
  } catch (err) {
    throw new CliError(`--params ${path}: ${(err as Error).message}`);
  }
}

async function run(model: string, flags: RunFlags): Promise<number> {
  const found = resolveModel(model);
  if ('error' in found) throw new CliError(found.error);
  const text = readFileSync(found.path, 'utf8');
  const overrides = { seed: flags.seed, threads: flags.threads, backend: flags.backend, dtype: flags.dtype, dt: flags.dt === undefined ? undefined : `${flags.dt} s` };
  const loaded = loadModelText(text, Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)), { format: formatOf(found.path), source: found.path });
  const { net } = loaded;
  const monitors: NamedMonitor[] = [...loaded.monitors, ...addTraces(loaded, flags.trace ?? [])];
  const duration = flags.duration ?? loaded.duration ?? 1;
  const t0 = performance.now();
  net.build();
  if (flags.params !== undefined) loadTrained(net, flags.params);
  const buildS = (performance.now() - t0) / 1000;
  const steps = Math.round(duration / net.dt);
  const progress = flags.progress === 'never' ? undefined : terminalProgress({ force: flags.progress === 'always', stream: process.stderr });
  const stop = new StopRequest().install();
  console.log(`running ${net.name}: ${net.populations.reduce((s, g) => s + g.size, 0)} neurons, ${net.numSynapses} synapses, ${steps} steps of ${net.dt * 1000} ms (built in ${buildS.toFixed(2)} s)`);
  let result;
  try {
    result = await runInChunks(net, steps, { progress, stop, label: net.name });
  } finally {
    stop.remove();
    if (progress) restoreTerminal();
    net.close();
  }
  const tStop = result.steps * net.dt;
  if (result.interrupted) console.log(`interrupted (${stop.signal}) at step ${result.steps} of ${steps} (t = ${(tStop * 1000).toFixed(1)} ms): keeping what was recorded`);
  else console.log(`simulated ${(tStop * 1000).toFixed(1)} ms in ${result.seconds.toFixed(3)} s`);
  for (const [name, m] of monitors) {
    if ('numSpikes' in m) console.log(`  ${name}: ${m.numSpikes} spikes, mean rate ${(m.numSpikes / Math.max(1, m.source.size) / Math.max(tStop, 1e-12)).toFixed(2)} Hz`);
  }
  if (flags.out) {
    const summary = {
      model: found.path,
      params: flags.params,
      name: net.name,
      seed: net.options.seed ?? 0,
      dt_s: net.dt,
      steps: result.steps,
      requested_steps: steps,
      t_s: tStop,
      interrupted: result.interrupted,
      wall_s: result.seconds,
    };
    let plots = flags.plot;
    let files: string[];
    try {
      files = await writeResults(flags.out, monitors, { plots, tStop, summary });
    } catch (err) {
      if (!plots.includes('png') || !/@resvg\/resvg-js/.test((err as Error).message)) throw err;
      console.error(`warning: ${(err as Error).message}; writing SVG plots instead`);
      plots = plots.filter((p) => p !== 'png');
      if (!plots.includes('svg')) plots = [...plots, 'svg'];
      files = await writeResults(flags.out, monitors, { plots, tStop, summary });
    }
    console.log(`wrote ${files.length} files to ${flags.out}: ${files.join(', ')}`);
  }
  return result.interrupted ? 130 : 0;
}

/** The `run` command. */
export function runCommand(): Command {
  return new Command('run')
    .description('run a model file (or a shipped model by name, see `braints list`) and write what it records')
    .argument('<model>', 'a model file (.yaml, .yml, .json) or the name of a shipped model, e.g. coba')
    .option('-d, --duration <time>', "biological time, e.g. '1s' or '500ms' (default: the file's run.duration, else 1 s)", parseTime)
    .option('--seed <n>', "random seed (default: the file's run.seed, else 0)", integer(0, 2 ** 32 - 1))
    .option('--threads <n>', 'threads that simulate (the same spikes for any number)', integer(1, 256))
    .addOption(new Option('--backend <name>', 'where population updates run').choices(['auto', 'wasm', 'js']))
    .addOption(new Option('--dtype <type>', 'storage of state variables').choices(['float32', 'float64']))
    .option('--dt <time>', "time step, e.g. '0.05ms' (default: the file's run.dt, else 0.1 ms)", parseTime)
    .option('-o, --out <dir>', 'write spikes and traces (NPY and CSV), plots and run.json into this folder')
    .option('--plot <formats>', 'plot formats written with --out: svg, png or svg,png', choices(['svg', 'png'] as const), ['svg', 'png'] as PlotFormat[])
    .option('--params <file>', 'load trained parameters (the params.json of braints train) before running')
    .option('--trace <group.var[i,...]>', "also record a variable of some neurons, e.g. 'P.v[0,1,2]' (repeatable)", traceSpec)
    .addOption(new Option('--progress <when>', 'progress bar on stderr: auto (only on a terminal), always, never').choices(['auto', 'always', 'never']).default('auto'))
    .addHelpText('after', `
Examples:
  braints run coba --duration 1s --out out/coba
  braints run examples/models/cuba.yaml --seed 3 --threads 2 --plot png --out out/cuba
  braints run my_model.yaml --trace 'P.v[0,1]' --out out/mine

Ctrl-C stops at the next step boundary and writes what was recorded (exit status 130).`)
    .action(async (model: string, flags: RunFlags) => {
      process.exitCode = await run(model, flags);
    });
}
