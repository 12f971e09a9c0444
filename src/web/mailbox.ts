/**
 * A one-message mailbox in a SharedArrayBuffer: how a browser worker thread of the step engine
 * tells why it failed, readable while the engine's thread never yields to its event loop (which
 * a postMessage would need). Word 0 holds the length, set last; UTF-16 code units follow.
 */

/** Characters kept of a message. */
const CAPACITY = 1000;

/** A new, empty mailbox. @example const box = newMailbox(); */
export function newMailbox(): SharedArrayBuffer {
  return new SharedArrayBuffer(4 + 2 * CAPACITY);
}

/** Writes a message unless one is waiting (the first failure is the cause). @example post(box, 'failed') */
export function post(box: SharedArrayBuffer, message: string): void {
  const len = new Int32Array(box, 0, 1);
  if (Atomics.load(len, 0) !== 0) return;
  const text = (message || 'failed without a message').slice(0, CAPACITY);
  const chars = new Uint16Array(box, 4, CAPACITY);
  for (let i = 0; i < text.length; i++) chars[i] = text.charCodeAt(i);
  Atomics.store(len, 0, text.length);
}

/** The waiting message, if any, and empties the box. @example const m = take(box); */
export function take(box: SharedArrayBuffer): string | undefined {
  const len = new Int32Array(box, 0, 1);
  const n = Atomics.load(len, 0);
  if (n === 0) return undefined;
  const text = String.fromCharCode(...new Uint16Array(box, 4, n));
  Atomics.store(len, 0, 0);
  return text;
}
