import { insertRows } from "../../db/insert-rows.js";
import type { EnvelopesTable } from "../../db/schema.js";
import type { Scope } from "../../domain/environment.js";
import { newId } from "../../security/random.js";
import type { ActionContext } from "../event-log.js";
import { envelopeOf } from "./read-envelopes.js";
import type { Envelope, EnvelopeDeps, EnvelopeInput, EnvelopeSpec } from "./types.js";
import { validateEnvelope } from "./validate-envelope.js";
import { specColumns, writeContents } from "./write-contents.js";

/**
 * What a new envelope of `input` would be, checked whole against its documents and the account's
 * defaults: read outside the transaction that writes it (`createEnvelope`), so that an envelope
 * writer's thread does not spend its turn on it.
 */
export async function checkNewEnvelope(
  deps: EnvelopeDeps,
  scope: Scope,
  input: EnvelopeInput,
): Promise<EnvelopeSpec> {
  const reminders =
    input.reminders === undefined ? (await deps.settings.get(scope)).reminders : input.reminders;
  return validateEnvelope(deps, scope, { ...input, reminders });
}

/** A DRAFT envelope of `spec`, as `checkNewEnvelope` answered it (`envelope.created`). */
export async function createEnvelope(
  deps: EnvelopeDeps,
  scope: Scope,
  spec: EnvelopeSpec,
  context: ActionContext,
): Promise<Envelope> {
  const now = deps.clock.now().toISOString();
  const row: EnvelopesTable = {
    id: newId("env"),
    account_id: scope.accountId,
    environment: scope.environment,
    status: "DRAFT",
    ...specColumns(spec),
    created_at: now,
    updated_at: now,
    sent_at: null,
    completed_at: null,
    declined_at: null,
    voided_at: null,
    void_reason: null,
    expired_at: null,
    sealed_at: null,
    sealing_error: null,
  };
  return deps.db.transaction().execute(async (trx) => {
    await insertRows(trx, "envelopes", [row]);
    const contents = await writeContents(trx, row.id, spec, []);
    const created = envelopeOf(deps, { envelope: row, ...contents });
    const subject = { id: row.id, scope, snapshot: async () => created, justCreated: true };
    await deps.events.append(trx, subject, context, [{ type: "envelope.created" }]);
    return created;
  });
}
