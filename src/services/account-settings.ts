import type { Kysely } from "kysely";
import { precompiled } from "../db/precompiled.js";
import type { AccountSettingsTable, Tables } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import type { Environment, Scope } from "../domain/environment.js";
import { CertyneoError } from "../domain/errors.js";
import {
  parseReminderPolicy,
  REMINDER_LIMITS,
  type ReminderPolicy,
  serializeReminderPolicy,
} from "../domain/reminders.js";
import { isLocale, type Locale } from "../signing/i18n.js";

export const MAX_SENDER_EMAILS = 20;
export const EXPIRY_DAYS_LIMITS = { min: 1, max: 3650 } as const;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What an account decides about its notifications, per environment. */
export interface AccountSettings {
  environment: Environment;
  /** Told when an envelope completes (with the signed PDF), is declined or expires. */
  senderEmails: string[];
  senderLocale: Locale;
  /** Given to new envelopes that do not set their own; `null`: no reminders. */
  reminders: ReminderPolicy | null;
  /** How long after it is sent an envelope without `expiresAt` expires. */
  expiresAfterDays: number;
  updatedAt: string | null;
}

export interface AccountSettingsPatch {
  senderEmails?: readonly string[] | undefined;
  senderLocale?: string | undefined;
  reminders?: ReminderPolicy | null | undefined;
  /** `null` goes back to the configured default. */
  expiresAfterDays?: number | null | undefined;
}

function invalid(message: string, param: string): CertyneoError {
  return new CertyneoError("invalid_request", "parameter_invalid", message, param);
}

/** Checks a policy from any source (API, CLI); the HTTP schema checks the same bounds first. */
export function checkReminderPolicy(policy: ReminderPolicy, param: string): ReminderPolicy {
  const { days, max } = REMINDER_LIMITS;
  for (const name of ["firstAfterDays", "everyDays"] as const) {
    const value = policy[name];
    if (!Number.isInteger(value) || value < days.min || value > days.max) {
      throw invalid(
        `${name} is a whole number of days from ${days.min} to ${days.max}.`,
        `${param}.${name}`,
      );
    }
  }
  if (!Number.isInteger(policy.max) || policy.max < max.min || policy.max > max.max) {
    throw invalid(`max is a whole number from ${max.min} to ${max.max}.`, `${param}.max`);
  }
  return policy;
}

/** The scope's stored settings: read by every envelope created and sent. */
const settingsOf = precompiled((db: Kysely<Tables>, accountId: string, environment: string) =>
  db
    .selectFrom("account_settings")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("environment", "=", environment as Environment),
);

export class AccountSettingsService {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly clock: Clock,
    private readonly defaultExpiryDays: number,
  ) {}

  async get(scope: Scope, db: Kysely<Tables> = this.db): Promise<AccountSettings> {
    const row = await this.stored(scope, db);
    return {
      environment: scope.environment,
      senderEmails: row ? (JSON.parse(row.sender_emails) as string[]) : [],
      senderLocale: row && isLocale(row.sender_locale) ? row.sender_locale : "en",
      reminders: parseReminderPolicy(row?.reminders ?? null),
      expiresAfterDays: row?.expires_after_days ?? this.defaultExpiryDays,
      updatedAt: row?.updated_at ?? null,
    };
  }

  /** Changes what the patch names; the rest keeps its value. */
  async update(scope: Scope, patch: AccountSettingsPatch): Promise<AccountSettings> {
    const stored = await this.stored(scope);
    if (patch.senderLocale !== undefined && !isLocale(patch.senderLocale)) {
      throw invalid("senderLocale is one of en, fr, tr.", "senderLocale");
    }
    const { min, max } = EXPIRY_DAYS_LIMITS;
    const days = patch.expiresAfterDays;
    if (days != null && (!Number.isInteger(days) || days < min || days > max)) {
      throw invalid(
        `expiresAfterDays is a whole number from ${min} to ${max}.`,
        "expiresAfterDays",
      );
    }
    const row: AccountSettingsTable = {
      account_id: scope.accountId,
      environment: scope.environment,
      sender_emails: patch.senderEmails
        ? JSON.stringify(normalizeEmails(patch.senderEmails))
        : (stored?.sender_emails ?? "[]"),
      sender_locale: patch.senderLocale ?? stored?.sender_locale ?? "en",
      reminders:
        patch.reminders === undefined
          ? (stored?.reminders ?? null)
          : serializeReminderPolicy(
              patch.reminders && checkReminderPolicy(patch.reminders, "reminders"),
            ),
      expires_after_days: days === undefined ? (stored?.expires_after_days ?? null) : days,
      updated_at: this.clock.now().toISOString(),
    };
    const { account_id, environment, ...changes } = row;
    await this.db
      .insertInto("account_settings")
      .values(row)
      .onConflict((oc) => oc.columns(["account_id", "environment"]).doUpdateSet(changes))
      .execute();
    return this.get(scope);
  }

  private async stored(scope: Scope, db: Kysely<Tables> = this.db) {
    const [row] = await settingsOf(db, scope.accountId, scope.environment);
    return row;
  }
}

/** Trimmed, lower-cased, each once, at most {@link MAX_SENDER_EMAILS}. */
function normalizeEmails(emails: readonly string[]): string[] {
  const unique = [...new Set(emails.map((e) => e.trim().toLowerCase()))];
  unique.forEach((email, index) => {
    if (!EMAIL.test(email) || email.length > 254) {
      throw invalid(`"${email}" is not an email address.`, `senderEmails[${index}]`);
    }
  });
  if (unique.length > MAX_SENDER_EMAILS) {
    throw invalid(`At most ${MAX_SENDER_EMAILS} addresses.`, "senderEmails");
  }
  return unique;
}
