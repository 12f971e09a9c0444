/**
 * How the step engine starts its worker threads: a hook, so that the engine stays free of
 * platform code. Node.js (the default) starts worker_threads, which run while the starting
 * thread blocks; a browser registers Web Workers (braints/web `useWebWorkerThreads`), which start
 * only once the starting thread returns to its event loop, so a network there awaits
 * `net.startThreads()` before it runs.
 */
import type { WasmMemory, WasmModule } from '../wasm/runtime.js';

/** What a worker thread needs to join the engine (sent once, when it starts). */
export interface EngineThreadData {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  /** Byte offset of the control block. */
  readonly ctl: number;
  /** This thread's index (1..T−1; the engine's own thread is 0). */
  readonly w: number;
  /** Bytes per control line. */
  readonly line: number;
  /** Line of the control block where this thread's run result goes. */
  readonly resultLine: number;
  /** The command sequence number when this worker was started (commands after it are new). */
  readonly seq: number;
  /** The engine's epoch when this worker was started. */
  readonly epoch: number;
  /** Test only: fail when about to simulate `step`. */
  readonly fault?: { readonly step: number; readonly kind: 'throw' | 'exit' | 'hang' | 'trap' };
}

/** A started worker thread, as the engine holds it. */
export interface EngineThread {
  terminate(): void;
  /** The messages it sent when it failed, read without waiting (the engine's thread may not yield). */
  takeMessages(): string[];
}

/** Starts worker threads on one platform. */
export interface EngineThreadHost {
  /**
   * True when a thread started by `spawn` runs while the starting thread blocks (the engine then
   * starts its threads itself, at build and after a fault); false when it starts only after the
   * starting thread returns to its event loop (`StepEngine.startThreads` must be awaited first).
   */
  readonly startsWhileBlocked: boolean;
  spawn(data: EngineThreadData): EngineThread;
}

let registered: EngineThreadHost | undefined;

/**
 * Sets how engines start their threads from now on (undefined: back to Node's worker_threads).
 *
 * @example
 * setEngineThreadHost(webWorkerThreadHost(new URL('./engine_thread.js', import.meta.url)));
 */
export function setEngineThreadHost(host: EngineThreadHost | undefined): void {
  registered = host;
}

/** The registered host, else Node's. */
export function engineThreadHost(): EngineThreadHost {
  return registered ?? NODE_HOST;
}

interface NodeWorkerThreads {
  Worker: new (url: URL, opts: { workerData: unknown; transferList?: unknown[] }) => { on(ev: string, cb: (e: Error) => void): void; unref(): void; terminate(): unknown };
  MessageChannel: new () => { port1: unknown; port2: unknown };
  receiveMessageOnPort(port: unknown): { message: unknown } | undefined;
}

function nodeWorkerThreads(): NodeWorkerThreads {
  // reached through the process object, so that bundlers for the browser see no Node import
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.('node:worker_threads') as NodeWorkerThreads | undefined;
  if (!mod) throw new Error('threads > 1 need Node.js ≥ 20.16 (worker_threads), or Web Workers registered with useWebWorkerThreads (braints/web); use threads: 1');
  return mod;
}

/** Node.js: worker_threads running src/node/engine_worker.ts; each reports its failure on its own port, read synchronously. */
const NODE_HOST: EngineThreadHost = {
  startsWhileBlocked: true,
  spawn(data) {
    const wt = nodeWorkerThreads();
    const channel = new wt.MessageChannel();
    const worker = new wt.Worker(new URL('../node/engine_worker.js', import.meta.url), { workerData: { ...data, port: channel.port2 }, transferList: [channel.port2] });
    worker.on('error', () => undefined); // reported on the port and in the control words
    worker.unref();
    (channel.port1 as { unref?: () => void }).unref?.();
    return {
      terminate: () => void worker.terminate(),
      takeMessages: () => {
        const out: string[] = [];
        for (let msg = wt.receiveMessageOnPort(channel.port1); msg; msg = wt.receiveMessageOnPort(channel.port1)) out.push(String(msg.message));
        return out;
      },
    };
  },
};
