// A full garbage collection in the analysis thread once it has been idle a while after work that
// left V8's heap much larger than what it still holds. An analysis that walks a large import
// closure grows the heap by a hundred megabytes or more, nearly all garbage a moment later; V8
// keeps those pages committed until its own memory reducer runs, and the editor's memory is what
// the thread holds between analyses. Collecting at a quiet moment gives the pages back; a message
// that arrives first cancels it, so a burst of keystrokes never waits on a collection.
import * as v8 from 'v8';
import * as vm from 'vm';

export interface HeapFigures {
  heapTotal: number;
  heapUsed: number;
}

export interface IdleCollectionOptions {
  /** How long the thread must stay idle first. */
  quietMs: number;
  /** Below this committed heap nothing is worth collecting. */
  minHeapBytes: number;
  /** Collect when the committed heap is more than this many times what is in use. */
  slack: number;
  collect: () => void;
  heap?: () => HeapFigures;
}

export class IdleCollection {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: IdleCollectionOptions) {}

  /** After some work: a collection once the thread has stayed quiet, if the heap is worth it. */
  workDone(): void {
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const { heapTotal, heapUsed } = (this.options.heap ?? process.memoryUsage)();
      if (heapTotal >= this.options.minHeapBytes && heapTotal > this.options.slack * heapUsed) this.options.collect();
    }, this.options.quietMs);
    // A pending collection never keeps the thread alive.
    this.timer.unref();
  }

  /** New work arrived: no collection until it is done. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * V8's full collection, or undefined when the runtime refuses to expose it. The flag is read when
 * a context is created, so a new context hands out `gc`; the flag itself changes nothing else.
 */
export function fullCollection(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? () => (gc as () => void)() : undefined;
  } catch {
    return undefined;
  }
}
