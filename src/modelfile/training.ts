/**
 * A model file's `training` section checked against the network it declares: which group gets
 * the data, which group's variable gives the logits, and whether the data set fits both. The
 * data itself is read by the command line (src/cli/train_data.ts): this module stays free of
 * Node APIs so model files load in a browser too.
 */
import { type NeuronGroup } from '../model/group.js';
import { InputGroup } from '../inputs/input_group.js';
import { SpikeGeneratorGroup } from '../inputs/index.js';
import { type ModelFile, type ModelFileTraining } from './schema.js';
import { type ModelFileIssue, unknownName } from './issue.js';

/** Fashion-MNIST: 28 × 28 pixels, 10 classes. */
export const FASHION_MNIST_SHAPE = { features: 784, classes: 10 } as const;

/** A training task whose names are resolved to the network's groups. */
export interface TrainingTask {
  readonly spec: ModelFileTraining;
  readonly input: InputGroup;
  readonly output: NeuronGroup;
  readonly variable: string;
  readonly reduce: 'mean' | 'max' | 'last';
  readonly features: number;
  readonly classes: number;
}

/**
 * Checks `file.training` against the built groups; adds every problem to `issues` with its path
 * and returns the task when there is none.
 */
export function checkTraining(file: ModelFile, groups: ReadonlyMap<string, NeuronGroup>, issues: ModelFileIssue[]): TrainingTask | undefined {
  const t = file.training!;
  const before = issues.length;
  const declared = Object.keys(file.groups);
  const dataGroups = declared.filter((g) => file.groups[g].data);
  const find = (name: string, path: string): NeuronGroup | undefined => {
    if (!declared.includes(name)) issues.push({ path, message: unknownName('group', name, declared) });
    return groups.get(name); // undefined: it could not be built, and that is reported already
  };

  const input = find(t.input, 'training.input');
  if (input && !(input instanceof InputGroup)) {
    issues.push({ path: 'training.input', message: `group '${t.input}' is not fed from data: declare it as { size: N, data: true }${dataGroups.length ? ` (data groups: ${dataGroups.join(', ')})` : ''}` });
  }

  const output = find(t.readout.group, 'training.readout.group');
  const variable = t.readout.variable ?? 'v';
  if (output instanceof SpikeGeneratorGroup) {
    issues.push({ path: 'training.readout.group', message: `group '${t.readout.group}' generates spikes and has no variable to read out: name a neuron group` });
  } else if (output) {
    const vars = output.model.lines.filter((l) => l.kind !== 'sub').map((l) => l.name);
    if (!vars.includes(variable)) issues.push({ path: 'training.readout.variable', message: unknownName(`variable of ${output.model.name}`, variable, vars) });
  }

  const d = t.data;
  const features = d.type === 'fashion-mnist' ? FASHION_MNIST_SHAPE.features : (d.features ?? input?.size ?? 0);
  const classes = d.type === 'fashion-mnist' ? FASHION_MNIST_SHAPE.classes : (d.classes ?? output?.size ?? 0);
  if (input instanceof InputGroup && input.size !== features) {
    const what = d.type === 'fashion-mnist' ? 'Fashion-MNIST samples have 784 pixels' : `the data set has ${features} features`;
    issues.push({ path: d.type === 'synthetic' && d.features !== undefined ? 'training.data.features' : 'training.input', message: `group '${t.input}' has ${input.size} neurons but ${what}: give it size: ${features}` });
  }
  if (output && !(output instanceof SpikeGeneratorGroup) && output.size !== classes) {
    issues.push({ path: d.type === 'synthetic' && d.classes !== undefined ? 'training.data.classes' : 'training.readout.group', message: `group '${t.readout.group}' has ${output.size} neurons but the data set has ${classes} classes: the readout needs one neuron per class` });
  }
  if (d.type === 'synthetic' && classes < 2) issues.push({ path: 'training.data.classes', message: 'expected at least 2 classes' });
  const nTrain = d.train ?? 60000;
  if (t.batch > nTrain) issues.push({ path: 'training.batch', message: `a batch of ${t.batch} is larger than the ${nTrain} training samples: use batch ≤ ${nTrain}` });

  const marked = Object.values(file.groups).some((g) => (g.train?.length ?? 0) > 0) || Object.values(file.connections ?? {}).some((c) => (c.train?.length ?? 0) > 0);
  if (!marked) issues.push({ path: 'training', message: 'nothing in the model is marked trainable: add train: [weight] to a connection (or train: [tau] to a group)' });

  if (issues.length > before || !(input instanceof InputGroup) || !output) return undefined;
  return { spec: t, input, output, variable, reduce: t.readout.reduce ?? 'mean', features, classes };
}
