/**
 * The order of the jobs a process enqueues (their `seq`): increasing within the process, across
 * its threads (the envelope writer's enqueues too), and with the clock across processes. Threads
 * share one through its `SharedArrayBuffer`.
 */
export class JobSequence {
  private readonly last: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    this.last = new BigInt64Array(buffer);
  }

  /** The next number: the clock's time in µs, or one past the last if that is not below. */
  next(nowMs: number): number {
    const floor = BigInt(nowMs) * 1000n;
    for (;;) {
      const last = Atomics.load(this.last, 0);
      const next = floor > last ? floor : last + 1n;
      if (Atomics.compareExchange(this.last, 0, last, next) === last) return Number(next);
    }
  }
}
