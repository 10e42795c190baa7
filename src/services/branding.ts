import type { Kysely } from "kysely";
import type { Tables } from "../db/schema.js";
import { checkAccentColor, checkLogo } from "../domain/branding.js";
import type { Clock } from "../domain/clock.js";

export interface Branding {
  accountId: string;
  /** The name recipients see; null: the account's name. */
  displayName: string | null;
  accentColor: string | null;
  /** A data: URL (PNG or JPEG). */
  logo: string | null;
  updatedAt: string | null;
}

export interface BrandingPatch {
  displayName?: string | null;
  accentColor?: string | null;
  logo?: string | null;
}

/** What recipients see of the account that sends them an envelope. */
export interface Sender {
  name: string;
  accentColor: string | null;
  logo: string | null;
}

/** An account's branding: the name, colour and logo on its signing pages and emails. */
export class BrandingService {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly clock: Clock,
  ) {}

  async get(accountId: string): Promise<Branding> {
    const row = await this.db
      .selectFrom("accounts")
      .select(["id", "display_name", "accent_color", "logo", "branding_updated_at"])
      .where("id", "=", accountId)
      .executeTakeFirstOrThrow();
    return {
      accountId: row.id,
      displayName: row.display_name,
      accentColor: row.accent_color,
      logo: row.logo,
      updatedAt: row.branding_updated_at,
    };
  }

  /** Changes what is given; each value is checked (contrast, image type and size) first. */
  async update(accountId: string, patch: BrandingPatch): Promise<Branding> {
    const accentColor =
      patch.accentColor === undefined || patch.accentColor === null
        ? patch.accentColor
        : checkAccentColor(patch.accentColor);
    const logo =
      patch.logo === undefined || patch.logo === null ? patch.logo : checkLogo(patch.logo);
    const displayName =
      patch.displayName === undefined ? undefined : patch.displayName?.trim() || null;
    await this.db
      .updateTable("accounts")
      .set({
        ...(displayName !== undefined && { display_name: displayName }),
        ...(accentColor !== undefined && { accent_color: accentColor }),
        ...(logo !== undefined && { logo }),
        branding_updated_at: this.clock.now().toISOString(),
      })
      .where("id", "=", accountId)
      .execute();
    return this.get(accountId);
  }
}

/** The account as its recipients see it: its display name (else its name), colour and logo. */
export async function senderOf(db: Kysely<Tables>, accountId: string): Promise<Sender> {
  const account = await db
    .selectFrom("accounts")
    .select(["name", "display_name", "accent_color", "logo"])
    .where("id", "=", accountId)
    .executeTakeFirstOrThrow();
  return {
    name: account.display_name ?? account.name,
    accentColor: account.accent_color,
    logo: account.logo,
  };
}
