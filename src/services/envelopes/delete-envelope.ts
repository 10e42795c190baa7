import type { Scope } from "../../domain/environment.js";
import type { ActionContext } from "../event-log.js";
import { allow, lock, snapshotOf } from "./helpers.js";
import type { Envelope, EnvelopeDeps } from "./types.js";

/** What a delete did: a draft is gone; a sent envelope is voided, and answered. */
export type DeleteOutcome = { deleted: true } | { deleted: false; envelope: Envelope };

/**
 * A draft is deleted; a sent envelope is voided (its links stop working); a finished one is
 * left alone.
 */
export async function deleteEnvelope(
  deps: EnvelopeDeps,
  scope: Scope,
  id: string,
  reason: string | undefined,
  context: ActionContext,
): Promise<DeleteOutcome> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await lock(deps, trx, scope, id);
    if (row.status === "DRAFT") {
      allow(row.status, "delete");
      await deps.events.append(trx, { id, scope }, context, [{ type: "envelope.deleted" }]);
      await trx.deleteFrom("fields").where("envelope_id", "=", id).execute();
      await trx.deleteFrom("recipients").where("envelope_id", "=", id).execute();
      await trx.deleteFrom("envelope_documents").where("envelope_id", "=", id).execute();
      await trx.deleteFrom("envelopes").where("id", "=", id).execute();
      return { deleted: true as const };
    }
    allow(row.status, "void");
    const now = deps.clock.now().toISOString();
    await trx
      .updateTable("envelopes")
      .set({ status: "VOIDED", voided_at: now, void_reason: reason ?? null, updated_at: now })
      .where("id", "=", id)
      .execute();
    const snapshot = snapshotOf(deps, scope, id, trx);
    await deps.events.append(trx, { id, scope, snapshot }, context, [
      { type: "envelope.voided", data: { reason: reason ?? null } },
    ]);
    return { deleted: false as const, envelope: await snapshot() };
  });
}
