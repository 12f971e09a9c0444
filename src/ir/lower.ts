/**
 * Lowering a built network's groups and projections into the step IR (src/ir/step.ts).
 *
 * The build resolves parameters, expands equations and chooses integrators with the user's names
 * (that is where messages need them); this file then gives every array a slot and renames every
 * symbol of every expression to the slot's minted symbol, so nothing downstream sees a user name.
 */
import { type Expr, sym, substitute, symbolsOf } from '../equations/ast.js';
import { type DeliveryIR, type GroupIR, type NetworkIR, type SlotIR } from './step.js';

/** Symbols an expression may keep: time and the time of the neuron's last spike (everything else is a slot). */
const RESERVED = new Set(['t', 'lastspike']);

/**
 * What the build knows about one group after expanding its equations: a GroupIR still in the
 * runtime's array keys (the builder mints the slots), with the keys of every array.
 */
export type GroupLowering = Omit<GroupIR, 'slots' | 'values'> & {
  /** Array keys of the group's runtime; 'p$…' and 'ext$…' are constant during a run. */
  readonly keys: readonly string[];
};

/** What the build knows about one event-driven projection. */
export type DeliveryLowering = Omit<DeliveryIR, 'target' | 'release' | 'index' | 'source' | 'gapPost'> & {
  /**
   * Just-in-time connectivity: the rows, generated from the seed when a lowering first reads
   * `indptr` / `indices` (training), never by the simulation, which regenerates rows per spike.
   */
  readonly rows?: () => { readonly indptr: Int32Array; readonly indices: Int32Array };
  readonly targetKey: string;
  readonly releaseKey: string | undefined;
  readonly sourceKey?: string;
  readonly gapPostKey?: string;
};

const isConstKey = (key: string) => key.startsWith('p$') || key.startsWith('ext$');

/**
 * Collects groups and deliveries and mints their slots.
 *
 * @example
 * const ir = new IRBuilder();
 * ir.addGroup({ index: 0, where: "LIF group 'E'", size: 10, kind: 'neurons', keys: ['v', 'p$tau'], vars, method: 'exp_euler', threshold, resets, refSteps: 20 });
 * ir.finish(1e-4).groups[0].vars[0].name // 's0'
 */
export class IRBuilder {
  private readonly slots: SlotIR[] = [];
  private readonly groups: GroupIR[] = [];
  private readonly deliveries: DeliveryIR[] = [];
  private readonly unsupported: string[] = [];
  /** group index → array key → slot id */
  private readonly byKey = new Map<number, Map<string, number>>();

  private slotOf(group: number, key: string): number {
    const id = this.byKey.get(group)?.get(key);
    if (id === undefined) throw new Error(`internal error: group ${group} has no array for a symbol the IR needs`);
    return id;
  }

  /** Adds a group; returns its IR and the slot symbol of each of its array keys. */
  addGroup(g: GroupLowering): { ir: GroupIR; symbolOf: ReadonlyMap<string, string> } {
    const keys = new Map<string, number>();
    this.byKey.set(g.index, keys);
    const ids: number[] = [];
    for (const key of g.keys) {
      const id = this.slots.length;
      this.slots.push({ id, symbol: `s${id}`, group: g.index, kind: isConstKey(key) ? 'const' : 'state', label: key });
      keys.set(key, id);
      ids.push(id);
    }
    let why = g.notDifferentiable;
    // Symbols without a slot (rand(), timed tables, lastspike) keep the group out of the IR's lowerings.
    const rename = (e: Expr): Expr =>
      substitute(e, (n) => {
        if (RESERVED.has(n)) return undefined;
        const id = keys.get(n);
        if (id === undefined) {
          why ??= `its equations read '${n}', which the differentiable lowering does not provide`;
          return undefined;
        }
        return sym(`s${id}`);
      });
    const vars = g.vars.map((v) => ({ name: `s${keys.get(v.name)!}`, rhs: rename(v.rhs), gated: v.gated }));
    const integrated = new Set(g.vars.map((v) => v.name));
    const values = g.keys.filter((k) => !isConstKey(k) && !integrated.has(k)).map((k) => `s${keys.get(k)!}`);
    const ir: GroupIR = {
      index: g.index,
      where: g.where,
      size: g.size,
      kind: g.kind,
      slots: ids,
      vars,
      values,
      method: g.method,
      threshold: g.threshold ? rename(g.threshold) : undefined,
      resets: g.resets.map((r) => ({ target: `s${this.slotOf(g.index, r.target)}`, op: r.op, value: rename(r.value) })),
      refSteps: g.refSteps,
      refCondition: g.refCondition ? rename(g.refCondition) : undefined,
      notDifferentiable: why,
    };
    this.groups.push(ir);
    return { ir, symbolOf: new Map([...keys].map(([key, id]) => [key, `s${id}`])) };
  }

  addDelivery(d: DeliveryLowering): void {
    const { targetKey, releaseKey, sourceKey, gapPostKey, rows, ...rest } = d;
    const delivery: DeliveryIR = {
      ...rest,
      index: this.deliveries.length,
      target: this.slotOf(d.post, targetKey),
      release: releaseKey === undefined ? undefined : this.slotOf(d.pre, releaseKey),
      source: sourceKey === undefined ? undefined : this.slotOf(d.pre, sourceKey),
      gapPost: gapPostKey === undefined ? undefined : this.slotOf(d.post, gapPostKey),
    };
    if (rows) {
      let made: ReturnType<typeof rows> | undefined;
      const get = () => (made ??= rows());
      Object.defineProperties(delivery, { indptr: { get: () => get().indptr, enumerable: true }, indices: { get: () => get().indices, enumerable: true } });
    }
    this.deliveries.push(delivery);
  }

  /** Records a part of the network that has no lowering in the IR yet (named in messages). */
  addUnsupported(what: string): void {
    this.unsupported.push(what);
  }

  finish(dt: number): NetworkIR {
    for (const g of this.groups) {
      if (g.notDifferentiable) continue;
      for (const v of g.vars) for (const s of symbolsOf(v.rhs)) if (!/^s\d+$/.test(s) && !RESERVED.has(s)) throw new Error('internal error: an unminted symbol reached the step IR');
    }
    return { dt, slots: this.slots, groups: this.groups, deliveries: this.deliveries, unsupported: this.unsupported };
  }
}
