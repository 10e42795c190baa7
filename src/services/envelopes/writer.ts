import { Piscina } from "piscina";
import type { Config } from "../../config.js";
import { WRITE_LOCK_SLOTS, type WriteLock } from "../../db/write-lock.js";
import type { Clock } from "../../domain/clock.js";
import type { Scope } from "../../domain/environment.js";
import type { ActionContext } from "../event-log.js";
import type { JobKind } from "../job-queue/index.js";
import type { JobSequence } from "../job-sequence.js";
import type { DeleteOutcome } from "./delete-envelope.js";
import type { EnvelopeWrites } from "./index.js";
import type { Envelope, EnvelopePatch, EnvelopeSpec } from "./types.js";
import {
  receivedError,
  type WriteCall,
  type WriteMethod,
  type WriteReply,
  type WriterData,
  type WriterTask,
} from "./writer-messages.js";

/** Under tsx (tests) the thread runs the TypeScript source; once built, the JavaScript. */
const THREAD_FILE = new URL(
  `./writer-thread${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`,
  import.meta.url,
).href;

/** Calls the thread runs at once: they queue for its connection there, not here. */
const CONCURRENT_CALLS = 256;

export interface EnvelopeWriterOptions {
  config: Config;
  secretKey: Buffer;
  /** The process's write lock, which the main thread's connection takes too. */
  writeLock: WriteLock;
  /** The process's order of enqueued jobs, which the main thread's queue follows too. */
  jobSequence: JobSequence;
  /** The app's clock, when it is not the system's (tests): each call runs at its time. */
  clock?: Clock | undefined;
  /** Told of each kind of job a call enqueued, once it has committed. */
  onEnqueued(kind: JobKind): void;
}

/**
 * The envelopes' writes (create, update, delete, send) on a thread of their own, with their own
 * SQLite connection: the thread serving HTTP parses, authenticates, validates (a new envelope
 * against its documents too) and answers while SQLite runs a write's statements and its commit
 * elsewhere (docs/architecture.md). Each call is a message with its arguments, answered with the
 * result or the error, a `CertyneoError` rebuilt as the contract's. The thread starts at the
 * first call; if it ends unexpectedly, the calls it had are refused and the next one starts it
 * again.
 */
export class EnvelopeWriter implements EnvelopeWrites {
  private pool: Piscina<WriterTask, WriteReply | undefined> | undefined;
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private closed = false;

  constructor(private readonly options: EnvelopeWriterOptions) {}

  /** In flight from the call: a close waits for the check of `spec` too. */
  createChecked(
    scope: Scope,
    spec: EnvelopeSpec | Promise<EnvelopeSpec>,
    context: ActionContext,
  ): Promise<Envelope> {
    const args = Promise.resolve(spec).then((checked) => [scope, checked, context]);
    return this.call("createChecked", args) as Promise<Envelope>;
  }

  update(scope: Scope, id: string, patch: EnvelopePatch, context: ActionContext) {
    return this.call("update", [scope, id, patch, context]) as Promise<Envelope>;
  }

  delete(scope: Scope, id: string, reason: string | undefined, context: ActionContext) {
    return this.call("delete", [scope, id, reason, context]) as Promise<DeleteOutcome>;
  }

  send(scope: Scope, id: string, context: ActionContext): Promise<Envelope> {
    return this.call("send", [scope, id, context]) as Promise<Envelope>;
  }

  /** Ends the thread once it has answered every call, its connection closed first. */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    if (!pool) return;
    this.pool = undefined;
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    try {
      await pool.run({ close: true });
    } finally {
      await pool.destroy();
    }
  }

  private async call(method: WriteMethod, args: unknown[] | Promise<unknown[]>): Promise<unknown> {
    if (this.closed) {
      // Refused, whatever its arguments (a new envelope's check, still running) come to.
      Promise.resolve(args).catch(() => {});
      // The app is closing: its connections are, or are about to be.
      throw new Error("The envelope writer is closed");
    }
    this.pool ??= this.start();
    const pool = this.pool;
    const now = this.options.clock?.now().getTime();
    this.inFlight += 1;
    let reply: WriteReply | undefined;
    try {
      reply = await pool.run({ method, args: await args, now } satisfies WriteCall);
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.drained?.();
    }
    if (!reply) throw new Error("The envelope writer answered nothing");
    for (const kind of reply.enqueued) this.options.onEnqueued(kind);
    if ("error" in reply) throw receivedError(reply.error);
    return reply.result;
  }

  private start(): Piscina<WriterTask, WriteReply | undefined> {
    const data: WriterData = {
      config: this.options.config,
      secretKey: this.options.secretKey,
      lock: this.options.writeLock.buffer,
      slot: WRITE_LOCK_SLOTS.envelopeWriter,
      jobSequence: this.options.jobSequence.buffer,
    };
    const pool = new Piscina<WriterTask, WriteReply | undefined>({
      filename: THREAD_FILE,
      minThreads: 1,
      maxThreads: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: CONCURRENT_CALLS,
      // Plain messages: the thread's event loop runs between calls (its calls await the lock).
      atomics: "disabled",
      workerData: data,
    });
    // A thread that ended (it failed; Piscina starts another) will never release what it held.
    pool.on("workerDestroy", () => this.options.writeLock.abandon(WRITE_LOCK_SLOTS.envelopeWriter));
    return pool;
  }
}
