import type { Kysely } from "kysely";
import type { EnvelopeWithParts } from "../../db/envelope-with-parts.js";
import { insertRows } from "../../db/insert-rows.js";
import type { EnvelopesTable, FieldsTable, RecipientsTable, Tables } from "../../db/schema.js";
import { serializeReminderPolicy } from "../../domain/reminders.js";
import { newIdIn } from "../../security/random.js";
import type { EnvelopeSpec } from "./types.js";

/** The envelope's own columns that `spec` sets, on create and on update alike. */
export function specColumns(
  spec: EnvelopeSpec,
): Pick<
  EnvelopesTable,
  "subject" | "message" | "signing_order" | "metadata" | "expires_at" | "reminders" | "redirect_url"
> {
  return {
    subject: spec.subject,
    message: spec.message,
    signing_order: spec.signingOrder,
    metadata: JSON.stringify(spec.metadata),
    expires_at: spec.expiresAt,
    reminders: serializeReminderPolicy(spec.reminders),
    redirect_url: spec.redirectUrl,
  };
}

/**
 * A draft's documents, recipients and fields as `spec` has them (recipients of `keptIds` keep
 * their ids); answers them as the envelope's reads would.
 */
export async function writeContents(
  trx: Kysely<Tables>,
  envelopeId: string,
  spec: EnvelopeSpec,
  keptIds: readonly string[],
): Promise<Omit<EnvelopeWithParts, "envelope">> {
  await insertRows(
    trx,
    "envelope_documents",
    spec.documents.map((document, position) => ({
      envelope_id: envelopeId,
      document_id: document.id,
      position,
    })),
  );
  const recipientRows: RecipientsTable[] = [];
  const fieldRows: FieldsTable[] = [];
  for (const [position, recipient] of spec.recipients.entries()) {
    const row: RecipientsTable = {
      id: keptIds[position] ?? newIdIn(trx, "rcp"),
      envelope_id: envelopeId,
      position,
      email: recipient.email,
      name: recipient.name,
      role: recipient.role,
      routing_order: recipient.order,
      status: "PENDING",
      auth: recipient.auth ?? "none",
      phone: recipient.phone ?? null,
      locale: recipient.locale ?? null,
      channels: recipient.channels.join() === "email" ? null : JSON.stringify(recipient.channels),
      token_hash: null,
      invited_at: null,
      viewed_at: null,
      signed_at: null,
      declined_at: null,
      decline_reason: null,
      otp_hash: null,
      otp_expires_at: null,
      otp_attempts: null,
      otp_verified_at: null,
      signature_type: null,
      signature_text: null,
      signature_image_sha256: null,
      reminders_sent: 0,
      last_reminded_at: null,
      next_reminder_at: null,
      redirect_url: recipient.redirectUrl ?? null,
    };
    recipientRows.push(row);
    fieldRows.push(
      ...recipient.fields.map(
        (field, fieldPosition): FieldsTable => ({
          id: newIdIn(trx, "fld"),
          envelope_id: envelopeId,
          recipient_id: row.id,
          document_id: field.documentId,
          position: fieldPosition,
          type: field.type,
          page: field.page,
          x: field.x,
          y: field.y,
          width: field.width,
          height: field.height,
          required: field.required === false ? 0 : 1,
          auto_placed: field.autoPlaced ? 1 : 0,
          label: field.label ?? null,
          value: null,
        }),
      ),
    );
  }
  await insertRows(trx, "recipients", recipientRows);
  await insertRows(trx, "fields", fieldRows);
  return {
    documents: spec.documents.map(({ id, name, pages, sha256 }, position) => ({
      envelope_id: envelopeId,
      position,
      id,
      name,
      pages,
      sha256,
    })),
    recipients: recipientRows,
    fields: fieldRows,
  };
}
