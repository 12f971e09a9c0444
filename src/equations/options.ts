/**
 * Options objects of the factories (Expon({ tau }), STDP({ ... }), timed(...)): each key known,
 * each value checked by its kind before the factory writes it into a declaration.
 */
import { BuildError } from '../lang/errors.js';
import { checkRecordKeys, checkIdentifier, checkFinite, checkText, describe } from './validate.js';
import { checkQuantityLike } from './quantity.js';

/**
 * The options object of a factory (Expon({ tau }), STDP({ ... })): known keys only, each checked
 * by its kind (a quantity, a name, a finite number, a text, a flag), the required ones present. Returns a copy.
 *
 * @example
 * checkOptions('Expon', { tau: '5 ms' }, { quantities: ['tau'], required: ['tau'] }) // { tau: '5 ms' }
 * checkOptions('Expon', { tua: '5 ms' }, { quantities: ['tau'] }) // throws: did you mean 'tau'?
 */
export function checkOptions(
  where: string,
  opts: unknown,
  kinds: { readonly quantities?: readonly string[]; readonly names?: readonly string[]; readonly numbers?: readonly string[]; readonly texts?: readonly string[]; readonly flags?: readonly string[]; readonly required?: readonly string[] },
): Record<string, unknown> {
  const { quantities = [], names = [], numbers = [], texts = [], flags = [], required = [] } = kinds;
  const o = checkRecordKeys(opts ?? {}, where, 'options', [...quantities, ...names, ...numbers, ...texts, ...flags], 'options are');
  for (const k of required) if (o[k] === undefined) throw new BuildError(where, k, 'is required', `give ${k}`);
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (quantities.includes(k)) o[k] = checkQuantityLike(v, where, k);
    else if (names.includes(k)) o[k] = checkIdentifier(v, where, k);
    else if (numbers.includes(k)) o[k] = checkFinite(v, where, k);
    else if (texts.includes(k)) o[k] = checkText(v, where, k);
    else if (typeof v !== 'boolean') throw new BuildError(where, k, `must be true or false, got ${describe(v)}`);
  }
  return o;
}
