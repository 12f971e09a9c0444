/**
 * The result of a sweep: a columnar table with one typed array per column — `job`, `seed`, every
 * parameter, every metric, and `ok` (1 where the job succeeded) — plus the error message of each
 * failed job. Rows are in job order, whatever order the jobs finished in, so the same sweep gives
 * the same table on one process, a process pool or a cluster.
 */
import { BuildError } from '../lang/errors.js';
import type { SweepPoint, SweepSpace } from './space.js';
import type { JobOutcome } from './experiment.js';

/** Columns of a {@link SweepTable}. */
export type SweepColumn = Float64Array | Int32Array | Uint8Array;

export class SweepTable {
  readonly rows: number;
  readonly paramNames: readonly string[];
  readonly metricNames: readonly string[];
  /** job (Int32), seed (Int32), parameters (Float64), metrics (Float64), ok (Uint8), in that order. */
  readonly columns: Readonly<Record<string, SweepColumn>>;
  /** Error message of each failed job, by job number. */
  readonly errors: ReadonlyMap<number, string>;

  constructor(paramNames: readonly string[], metricNames: readonly string[], columns: Record<string, SweepColumn>, errors: ReadonlyMap<number, string>) {
    this.paramNames = paramNames;
    this.metricNames = metricNames;
    this.columns = columns;
    this.rows = columns.job.length;
    this.errors = errors;
  }

  /** Column names in order. */
  get names(): string[] {
    return Object.keys(this.columns);
  }

  /** One column by name. */
  column(name: string): SweepColumn {
    const c = Object.prototype.hasOwnProperty.call(this.columns, name) ? this.columns[name] : undefined;
    if (!c) throw new BuildError('sweep table', 'column', `no column named ${JSON.stringify(String(name).slice(0, 80))}`, `use one of ${this.names.join(', ')}`);
    return c;
  }

  /** Row `i` as an object (column name → number). */
  row(i: number): Record<string, number> {
    if (!Number.isInteger(i) || i < 0 || i >= this.rows) throw new BuildError('sweep table', 'row', `expected a row in [0, ${this.rows}), got ${i}`, 'use a valid row index');
    const out: Record<string, number> = {};
    for (const [n, c] of Object.entries(this.columns)) out[n] = c[i];
    return out;
  }

  /** Number of jobs that failed. */
  get failed(): number {
    return this.errors.size;
  }

  /**
   * CSV text: a header, then one row per job; numbers in shortest round-tripping form, NaN as
   * `NaN`; an `error` column is added when a job failed.
   */
  toCsv(): string {
    const names = this.names;
    const withErrors = this.errors.size > 0;
    const head = withErrors ? [...names, 'error'] : names;
    const lines: string[] = [head.join(',')];
    const cols = names.map((n) => this.columns[n]);
    for (let r = 0; r < this.rows; r++) {
      const cells = cols.map((c) => String(c[r]));
      if (withErrors) cells.push(csvField(this.errors.get(this.columns.job[r]) ?? ''));
      lines.push(cells.join(','));
    }
    return lines.join('\n') + '\n';
  }

  /**
   * The table as Apache Arrow IPC bytes (the file format, also known as Feather v2: `pyarrow.feather.read_table`,
   * `pandas.read_feather`, `arrow::read_feather` read it). Columns keep their types (int32, float64,
   * uint8) and an `error` column (utf8, null where the job succeeded) is always present.
   */
  async toArrow(): Promise<Uint8Array> {
    const arrow = await import('apache-arrow');
    const vectors: Record<string, unknown> = {};
    for (const [n, c] of Object.entries(this.columns)) vectors[n] = arrow.makeVector(c);
    const errs = Array.from(this.columns.job, (j) => this.errors.get(j) ?? null);
    vectors.error = arrow.vectorFromArray(errs, new arrow.Utf8());
    const table = new arrow.Table(vectors as Record<string, InstanceType<typeof arrow.Vector>>);
    return arrow.tableToIPC(table, 'file');
  }
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Collects job outcomes as they arrive, in any order, keeping the first outcome of each job
 * (later ones are counted as duplicates and dropped), and builds the table.
 */
export class SweepCollector {
  readonly space: SweepSpace;
  private readonly results: (Readonly<Record<string, number>> | undefined)[];
  private readonly have: Uint8Array;
  private readonly errors = new Map<number, string>();
  private readonly metricOrder: string[];
  private count = 0;
  /** Outcomes received for a job that already had one (dropped). */
  duplicates = 0;

  /** `metricNames`: the metric columns in order, when known (else learned from the outcomes). */
  constructor(space: SweepSpace, metricNames?: readonly string[]) {
    this.space = space;
    const n = space.points.length;
    this.results = new Array(n).fill(undefined);
    this.have = new Uint8Array(n);
    this.metricOrder = metricNames ? [...metricNames] : [];
  }

  /** Jobs with an outcome. */
  get done(): number {
    return this.count;
  }
  get total(): number {
    return this.space.points.length;
  }
  /** Whether job `job` has an outcome. */
  has(job: number): boolean {
    return this.have[job] === 1;
  }
  /** The jobs still without an outcome. */
  missing(): SweepPoint[] {
    return this.space.points.filter((p) => !this.have[p.job]);
  }

  /** Records the outcome of `job`; false (and nothing changes) if it already had one. */
  accept(job: number, outcome: JobOutcome): boolean {
    if (!Number.isInteger(job) || job < 0 || job >= this.total) throw new RangeError(`sweep: job ${job} is not in this sweep (0…${this.total - 1})`);
    if (this.have[job]) {
      this.duplicates++;
      return false;
    }
    this.have[job] = 1;
    this.count++;
    if (outcome.ok) {
      this.results[job] = outcome.metrics;
      for (const m of Object.keys(outcome.metrics)) if (!this.metricOrder.includes(m)) this.metricOrder.push(m);
    } else {
      this.errors.set(job, outcome.error);
    }
    return true;
  }

  /** The table (jobs without an outcome have ok = 0, NaN metrics and the error 'not run'). */
  table(): SweepTable {
    const pts = this.space.points;
    const n = pts.length;
    const columns: Record<string, SweepColumn> = {};
    columns.job = Int32Array.from(pts, (p) => p.job);
    columns.seed = Int32Array.from(pts, (p) => p.seed);
    for (const name of this.space.names) columns[name] = Float64Array.from(pts, (p) => p.params[name]);
    for (const m of this.metricOrder) {
      columns[m] = Float64Array.from(this.results, (r) => {
        const v = r?.[m];
        return typeof v === 'number' ? v : NaN;
      });
    }
    columns.ok = Uint8Array.from(this.results, (r) => (r ? 1 : 0));
    const errors = new Map(this.errors);
    for (let j = 0; j < n; j++) if (!this.have[j]) errors.set(j, 'not run');
    return new SweepTable(this.space.names, [...this.metricOrder], columns, new Map([...errors].sort((a, b) => a[0] - b[0])));
  }
}
