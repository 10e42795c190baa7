import type { Kysely, Migration } from "kysely";

/** What a recipient's signing adds: their one-time code and their signature. */
export const signing: Migration = {
  async up(db: Kysely<unknown>) {
    // One column per statement: SQLite adds columns one at a time.
    const columns: [string, "text" | "integer"][] = [
      ["otp_hash", "text"],
      ["otp_expires_at", "text"],
      ["otp_attempts", "integer"],
      ["otp_verified_at", "text"],
      ["signature_type", "text"],
      ["signature_text", "text"],
      ["signature_image_sha256", "text"],
    ];
    for (const [name, type] of columns) {
      await db.schema.alterTable("recipients").addColumn(name, type).execute();
    }
  },
  async down(db: Kysely<unknown>) {
    for (const name of [
      "signature_image_sha256",
      "signature_text",
      "signature_type",
      "otp_verified_at",
      "otp_attempts",
      "otp_expires_at",
      "otp_hash",
    ]) {
      await db.schema.alterTable("recipients").dropColumn(name).execute();
    }
  },
};
