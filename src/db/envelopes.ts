import type { Kysely } from "kysely";
import type { Scope } from "../domain/environment.js";
import { notFound } from "../domain/errors.js";
import type { EnvelopesTable, Tables } from "./schema.js";

/** The envelope `id` of the caller's account and environment, or a 404 as if it did not exist. */
export async function findEnvelope(
  db: Kysely<Tables>,
  scope: Scope,
  id: string,
): Promise<EnvelopesTable> {
  const envelope = await db
    .selectFrom("envelopes")
    .selectAll()
    .where("id", "=", id)
    .where("account_id", "=", scope.accountId)
    .where("environment", "=", scope.environment)
    .executeTakeFirst();
  if (!envelope) throw notFound("envelope", id);
  return envelope;
}
