import type { Kysely } from "kysely";
import type { Dialect } from "./dialect.js";
import type { EnvelopesTable, Tables } from "./schema.js";

/**
 * The envelope's row, locked until the transaction ends, so that two changes of one envelope
 * (and their event chains) never interleave. SQLite serialises writers already.
 */
export async function lockEnvelope(
  trx: Kysely<Tables>,
  dialect: Dialect,
  envelopeId: string,
): Promise<EnvelopesTable | undefined> {
  let query = trx.selectFrom("envelopes").selectAll().where("id", "=", envelopeId);
  if (dialect === "postgres") query = query.forUpdate();
  return query.executeTakeFirst();
}
