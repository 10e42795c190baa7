import { threadId } from "node:worker_threads";

/** The ticket the next writer takes (tickets are int32 and wrap around). */
const NEXT = 0;
/** The ticket whose writer may write now. */
const SERVING = 1;
/** The thread holding the lock (its id + 1), 0 when free. */
const HOLDER = 2;
/** 1 when a ticket was abandoned before its turn (then in the next cell): skipped when served. */
const ABANDONED = 3;
/** Per thread, two cells: 1 while it holds or awaits a ticket, and that ticket. */
const THREAD_TICKETS = 5;
/** Threads of one process that may share the lock. */
const THREADS = 4;

/** Each thread's place in the lock: one each, so that `abandon` finds the right ticket. */
export const WRITE_LOCK_SLOTS = {
  main: 0,
  envelopeWriter: 1,
  checkpoints: 2,
  /** For a test that holds the lock as another thread would. */
  other: 3,
} as const;

/** `Atomics.waitAsync` (in Node since 16; TypeScript types it from its ES2024 library on). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      cells: Int32Array,
      index: number,
      value: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

/**
 * SQLite's write lock, taken within the process before SQLite's own, by each of its threads with
 * a connection that writes (the main thread and the envelope writer), and by the checkpoints'
 * thread for those that hold SQLite's (`wal-checkpoint-thread.ts`). SQLite makes a writer that
 * finds the lock taken sleep in `busy_timeout`, which on the thread serving HTTP would stop every
 * request; this lock is awaited instead, and served in the order asked (a ticket lock: a busy
 * writer cannot starve the other thread). Writers of other processes (a CLI command, a second
 * instance) still meet SQLite's own lock, as before.
 *
 * The state lives in a `SharedArrayBuffer`, which is sent to the writer thread to share it.
 */
export class WriteLock {
  private readonly cells: Int32Array;
  private readonly slot: number;

  constructor(
    readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(
      (THREAD_TICKETS + 2 * THREADS) * Int32Array.BYTES_PER_ELEMENT,
    ),
    /** This thread's place among those sharing the lock (`WRITE_LOCK_SLOTS`). */
    slot: number = WRITE_LOCK_SLOTS.main,
  ) {
    this.cells = new Int32Array(buffer);
    this.slot = THREAD_TICKETS + 2 * slot;
  }

  /** Resolves once this thread holds the lock: after every writer that asked before it. */
  async acquire(): Promise<void> {
    const ticket = Atomics.add(this.cells, NEXT, 1);
    Atomics.store(this.cells, this.slot + 1, ticket);
    Atomics.store(this.cells, this.slot, 1);
    for (;;) {
      const serving = Atomics.load(this.cells, SERVING);
      if (serving === ticket) break;
      const wait = waitAsync(this.cells, SERVING, serving);
      if (wait.async) await wait.value;
    }
    Atomics.store(this.cells, HOLDER, threadId + 1);
  }

  /** Passes the lock to the next writer. */
  release(): void {
    Atomics.store(this.cells, HOLDER, 0);
    Atomics.store(this.cells, this.slot, 0);
    this.serveNext();
  }

  /** Whether a thread holds the lock now. */
  get held(): boolean {
    return Atomics.load(this.cells, HOLDER) !== 0;
  }

  /**
   * Gives up the ticket of the thread in `slot`, which ended (it can neither write nor release):
   * released if it held the lock, skipped when served if it was waiting.
   */
  abandon(slot: number): void {
    const cell = THREAD_TICKETS + 2 * slot;
    if (Atomics.exchange(this.cells, cell, 0) === 0) return;
    const ticket = Atomics.load(this.cells, cell + 1);
    if (Atomics.load(this.cells, SERVING) === ticket) {
      Atomics.store(this.cells, HOLDER, 0);
      this.serveNext();
    } else {
      Atomics.store(this.cells, ABANDONED + 1, ticket);
      Atomics.store(this.cells, ABANDONED, 1);
    }
  }

  private serveNext(): void {
    Atomics.add(this.cells, SERVING, 1);
    if (
      Atomics.load(this.cells, ABANDONED) === 1 &&
      Atomics.load(this.cells, ABANDONED + 1) === Atomics.load(this.cells, SERVING)
    ) {
      Atomics.store(this.cells, ABANDONED, 0);
      Atomics.add(this.cells, SERVING, 1);
    }
    Atomics.notify(this.cells, SERVING);
  }
}
