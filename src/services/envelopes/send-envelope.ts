import { type Kysely, sql } from "kysely";
import { precompiled } from "../../db/precompiled.js";
import type { Tables } from "../../db/schema.js";
import type { Scope } from "../../domain/environment.js";
import { DAY_MS } from "../../domain/reminders.js";
import { SigningTokens } from "../../security/signing-tokens.js";
import type { ActionContext } from "../event-log.js";
import { inviteCurrentStage } from "../invitations.js";
import { allow, lockWithParts } from "./helpers.js";
import { envelopeOf } from "./read-envelopes.js";
import type { Envelope, EnvelopeDeps } from "./types.js";
import { checkSendable } from "./validate-envelope.js";

/**
 * Moves a draft to SENT: every recipient gets their link, those whose turn it is are invited
 * (`envelope.sent`, `recipient.invited`), and the envelope expires at its `expiresAt` or after the
 * account's default.
 */
export async function sendEnvelope(
  deps: EnvelopeDeps,
  scope: Scope,
  id: string,
  context: ActionContext,
): Promise<Envelope> {
  return deps.db.transaction().execute(async (trx) => {
    const rows = await lockWithParts(deps, trx, scope, id);
    const envelope = envelopeOf(deps, rows);
    allow(envelope.status, "send");
    checkSendable(deps, envelope);
    const now = deps.clock.now().toISOString();
    // CC recipients get a link too: it downloads the signed copy once the envelope completes.
    await setTokenHashes(
      trx,
      envelope.recipients.map((r) => ({
        id: r.id,
        hash: SigningTokens.hash(deps.tokens.tokenFor(r.id)),
      })),
    );
    const expiresAt =
      envelope.expiresAt ??
      new Date(
        deps.clock.now().getTime() +
          (await deps.settings.get(scope, trx)).expiresAfterDays * DAY_MS,
      ).toISOString();
    const stage = await inviteCurrentStage(trx, id, envelope.signingOrder, now, {
      recipients: envelope.recipients,
      reminders: envelope.reminders,
    });
    const changes = { status: "SENT", sent_at: now, updated_at: now, expires_at: expiresAt };
    await markSent(trx, id, now, expiresAt);
    const recipients = rows.recipients.map((r) =>
      stage.invited.ids.includes(r.id) ? { ...r, ...stage.invited.changes } : r,
    );
    const sent = envelopeOf(deps, {
      ...rows,
      envelope: { ...rows.envelope, ...changes },
      recipients,
    });
    const subject = { id, scope, snapshot: async () => sent, recipients };
    await deps.events.append(trx, subject, context, [{ type: "envelope.sent" }, ...stage.events]);
    return sent;
  });
}

/** Each recipient's token hash, in one statement (one round trip on PostgreSQL). */
async function setTokenHashes(
  trx: Kysely<Tables>,
  recipients: readonly { id: string; hash: string }[],
): Promise<void> {
  if (recipients.length === 0) return;
  const cases = sql.join(
    recipients.map((r) => sql`when ${r.id} then ${r.hash}`),
    sql` `,
  );
  await trx
    .updateTable("recipients")
    .set({ token_hash: sql<string>`case id ${cases} end` })
    .where(
      "id",
      "in",
      recipients.map((r) => r.id),
    )
    .execute();
}

/** The draft sent at `now`, to expire at `expiresAt`. */
const markSent = precompiled((db: Kysely<Tables>, id: string, now: string, expiresAt: string) =>
  db
    .updateTable("envelopes")
    .set({ status: "SENT", sent_at: now, updated_at: now, expires_at: expiresAt })
    .where("id", "=", id),
);
