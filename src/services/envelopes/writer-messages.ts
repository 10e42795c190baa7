import type { Config } from "../../config.js";
import { CertyneoError } from "../../domain/errors.js";
import type { JobKind } from "../job-queue/index.js";
import type { EnvelopeWrites } from "./index.js";

/** What the envelope writer's thread is given when it starts. */
export interface WriterData {
  /** The app's configuration, as loaded by the main thread. */
  config: Config;
  secretKey: Uint8Array;
  /** The process's write lock (`WriteLock`), shared. */
  lock: SharedArrayBuffer;
  /** The thread's place in the write lock. */
  slot: number;
  /** The process's order of enqueued jobs (`JobSequence`), shared. */
  jobSequence: SharedArrayBuffer;
}

export type WriteMethod = keyof EnvelopeWrites;

/** A call of an envelope write, from the main thread. */
export interface WriteCall {
  method: WriteMethod;
  args: unknown[];
  /** The app's clock at the call, when it is not the system's (tests): the thread's "now". */
  now?: number | undefined;
}

/** What the thread is given: a call, or (once every call is answered) the order to close. */
export type WriterTask = WriteCall | { close: true };

/** A call's outcome, from the writer's thread, once committed or rolled back. */
export type WriteReply = { enqueued: JobKind[] } & ({ result: unknown } | { error: SentError });

/** An error as it crosses threads: a `CertyneoError` keeps its kind, code and parameter. */
export type SentError =
  | { certyneo: true; kind: CertyneoError["kind"]; code: string; message: string; param?: string }
  | { certyneo: false; name: string; message: string; stack?: string | undefined };

export function sentError(error: unknown): SentError {
  if (error instanceof CertyneoError)
    return {
      certyneo: true,
      kind: error.kind,
      code: error.code,
      message: error.message,
      ...(error.param !== undefined && { param: error.param }),
    };
  const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
  return { certyneo: false, name, message, stack };
}

/** The error the thread sent, as the main thread's own: the contract's for a `CertyneoError`. */
export function receivedError(sent: SentError): Error {
  if (sent.certyneo) return new CertyneoError(sent.kind, sent.code, sent.message, sent.param);
  const error = new Error(sent.message);
  error.name = sent.name;
  if (sent.stack) error.stack = sent.stack;
  return error;
}
