import type { Kysely } from "kysely";
import type { EnvelopeWithParts } from "../../db/envelope-with-parts.js";
import { lockEnvelope } from "../../db/locks.js";
import type { EnvelopesTable, Tables } from "../../db/schema.js";
import {
  type EnvelopeAction,
  type EnvelopeStatus,
  transition,
} from "../../domain/envelope-lifecycle.js";
import type { Scope } from "../../domain/environment.js";
import { CertyneoError, notFound } from "../../domain/errors.js";
import { getEnvelope, getEnvelopeRows } from "./read-envelopes.js";
import type { Envelope, EnvelopeDeps } from "./types.js";

/** The envelope as it stands within `trx`, read once however often asked (see `EventSubject`). */
export function snapshotOf(
  deps: EnvelopeDeps,
  scope: Scope,
  id: string,
  trx: Kysely<Tables>,
): () => Promise<Envelope> {
  let read: Promise<Envelope> | undefined;
  return () => (read ??= getEnvelope(deps, scope, id, trx));
}

/** Throws the lifecycle's 409 unless `action` is allowed from `status`. */
export function allow(status: string, action: EnvelopeAction): void {
  const result = transition(status as EnvelopeStatus, action);
  if (!result.allowed) throw new CertyneoError("conflict", result.code, result.message);
}

/**
 * The rows of the envelope `id` of `scope` and of its parts, locked as by `lock`. On SQLite,
 * whose transactions hold the write lock from their start, that is one read.
 */
export async function lockWithParts(
  deps: EnvelopeDeps,
  trx: Kysely<Tables>,
  scope: Scope,
  id: string,
): Promise<EnvelopeWithParts> {
  if (deps.dialect === "postgres") await lock(deps, trx, scope, id);
  return getEnvelopeRows(deps, scope, id, trx);
}

/** The envelope row `id` of `scope`, locked until `trx` ends; a 404 for another scope's. */
export async function lock(
  deps: EnvelopeDeps,
  trx: Kysely<Tables>,
  scope: Scope,
  id: string,
): Promise<EnvelopesTable> {
  const row = await lockEnvelope(trx, deps.dialect, id);
  if (!row || row.account_id !== scope.accountId || row.environment !== scope.environment) {
    throw notFound("envelope", id);
  }
  return row;
}
