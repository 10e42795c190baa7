import type { Kysely } from "kysely";
import type { Tables } from "../../db/schema.js";
import type { Scope } from "../../domain/environment.js";
import type { Page } from "../../domain/pagination.js";
import type { ActionContext } from "../event-log.js";
import { checkNewEnvelope, createEnvelope } from "./create-envelope.js";
import { type DeleteOutcome, deleteEnvelope } from "./delete-envelope.js";
import {
  envelopeFromKeyedRead,
  getEnvelope,
  keptRevision,
  listEnvelopes,
} from "./read-envelopes.js";
import { sendEnvelope } from "./send-envelope.js";
import type {
  Envelope,
  EnvelopeDeps,
  EnvelopeInput,
  EnvelopeListRequest,
  EnvelopePatch,
  EnvelopeSpec,
} from "./types.js";
import { updateEnvelope } from "./update-envelope.js";

export { ENVELOPE_OF_KEY, envelopeListFilters } from "./read-envelopes.js";
export type {
  Envelope,
  EnvelopeInput,
  EnvelopeListRequest,
  EnvelopePatch,
  Field,
  FieldInput,
  Recipient,
  RecipientInput,
} from "./types.js";

/** The envelope's writes, where they can run on another thread (`EnvelopeWriter`). */
export interface EnvelopeWrites {
  /** Writes the envelope `checkNewEnvelope` made (or is making) of the caller's input. */
  createChecked(
    scope: Scope,
    spec: EnvelopeSpec | Promise<EnvelopeSpec>,
    context: ActionContext,
  ): Promise<Envelope>;
  update(scope: Scope, id: string, patch: EnvelopePatch, context: ActionContext): Promise<Envelope>;
  delete(
    scope: Scope,
    id: string,
    reason: string | undefined,
    context: ActionContext,
  ): Promise<DeleteOutcome>;
  send(scope: Scope, id: string, context: ActionContext): Promise<Envelope>;
}

/**
 * Envelopes of an account: each use case is a file of this folder, named by its verb. Writes run
 * here, or on the thread of `writes` when given.
 */
export class EnvelopeService implements EnvelopeWrites {
  constructor(
    private readonly deps: EnvelopeDeps,
    private readonly writes?: EnvelopeWrites,
  ) {}

  /** A DRAFT envelope of `input`, checked here, written here or on the thread of `writes`. */
  create(scope: Scope, input: EnvelopeInput, context: ActionContext): Promise<Envelope> {
    return this.createChecked(scope, checkNewEnvelope(this.deps, scope, input), context);
  }

  async createChecked(
    scope: Scope,
    spec: EnvelopeSpec | Promise<EnvelopeSpec>,
    context: ActionContext,
  ): Promise<Envelope> {
    if (this.writes) return this.writes.createChecked(scope, spec, context);
    return createEnvelope(this.deps, scope, await spec, context);
  }

  list(scope: Scope, request: EnvelopeListRequest): Promise<Page<Envelope>> {
    return listEnvelopes(this.deps, scope, request);
  }

  /** The envelope `id` of `scope` that `ENVELOPE_OF_KEY` answered with the caller's key. */
  fromKeyedRead(scope: Scope, id: string, value: unknown): Promise<Envelope> {
    return envelopeFromKeyedRead(this.deps, scope, id, value);
  }

  /** What `ENVELOPE_OF_KEY` is told this instance keeps of envelope `id` (its revision). */
  keptRevision(id: string): number {
    return keptRevision(this.deps, id);
  }

  /** The envelope `id` of `scope`; within a transaction, pass it as `db`. */
  get(scope: Scope, id: string, db: Kysely<Tables> = this.deps.db): Promise<Envelope> {
    return getEnvelope(this.deps, scope, id, db);
  }

  update(scope: Scope, id: string, patch: EnvelopePatch, context: ActionContext) {
    if (this.writes) return this.writes.update(scope, id, patch, context);
    return updateEnvelope(this.deps, scope, id, patch, context);
  }

  /**
   * A draft is deleted; a sent envelope is voided (its links stop working); a finished one is
   * left alone.
   */
  delete(scope: Scope, id: string, reason: string | undefined, context: ActionContext) {
    if (this.writes) return this.writes.delete(scope, id, reason, context);
    return deleteEnvelope(this.deps, scope, id, reason, context);
  }

  send(scope: Scope, id: string, context: ActionContext): Promise<Envelope> {
    if (this.writes) return this.writes.send(scope, id, context);
    return sendEnvelope(this.deps, scope, id, context);
  }
}
