/**
 * Errors BrainTS raises. Every refusal names where (the model or projection), the field, what is
 * wrong and what would be valid, so the user can fix the declaration without reading our code.
 */

/**
 * Invalid model, parameter or connectivity, found when a network is declared or built.
 *
 * @example
 * throw new BuildError("LIF 'E'", 'tau', 'must be positive, got -5 ms', "give a positive time, e.g. '10 ms'");
 */
export class BuildError extends Error {
  readonly where: string;
  readonly field: string;
  constructor(where: string, field: string, problem: string, fix?: string) {
    super(`${where}: ${field}: ${problem}${fix ? `. Fix: ${fix}` : ''}`);
    this.name = 'BuildError';
    this.where = where;
    this.field = field;
  }
}

/**
 * A simulation that produced a non-finite value. The run stops; what was recorded up to the
 * previous step is kept in {@link DivergenceError.partial}.
 *
 * @example
 * try { net.run('1 s'); }
 * catch (e) { if (e instanceof DivergenceError) console.log(e.variable, e.neuron, e.partial); else throw e; }
 */
export class DivergenceError extends Error {
  readonly population: string;
  readonly variable: string;
  readonly neuron: number;
  readonly step: number;
  /** Results recorded before the divergence (the runner fills this in). */
  partial: unknown;
  constructor(population: string, variable: string, neuron: number, step: number, t: number) {
    super(
      `diverged: population '${population}', variable '${variable}', neuron ${neuron}, step ${step} (t = ${(t * 1000).toFixed(3)} ms) became non-finite. ` +
        'Reduce dt, choose a stabler integrator, or check the parameters.',
    );
    this.name = 'DivergenceError';
    this.population = population;
    this.variable = variable;
    this.neuron = neuron;
    this.step = step;
    this.partial = undefined;
  }
}
