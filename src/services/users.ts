import type { Kysely } from "kysely";
import type { Tables, UsersTable } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import { CertyneoError } from "../domain/errors.js";
import { hashBearerToken, newBearerToken } from "../security/bearer-tokens.js";
import { hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from "../security/passwords.js";
import { newId } from "../security/random.js";

export const USER_ROLES = ["owner", "admin", "member"] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface User {
  id: string;
  accountId: string;
  email: string;
  name: string | null;
  role: UserRole;
  hasPassword: boolean;
  createdAt: string;
}

/** How long an emailed sign-in link works, once. */
export const SIGN_IN_LINK_MS = 15 * 60 * 1000;

/** One person, one sign-in, whatever the case or spaces they type. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toUser(row: UsersTable): User {
  return {
    id: row.id,
    accountId: row.account_id,
    email: row.email,
    name: row.name,
    role: row.role as UserRole,
    hasPassword: row.password_hash !== null,
    createdAt: row.created_at,
  };
}

function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new CertyneoError(
      "unprocessable",
      "password_invalid",
      `A password has ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`,
      "password",
    );
  }
}

/**
 * The people of each account and how they prove who they are: a password (scrypt) or a link
 * sent to their email, which works once, for 15 minutes. Answers about sign-in never say whether
 * an email is known: a wrong email and a wrong password are the same `null`.
 */
export class UserService {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly clock: Clock,
  ) {}

  async create(input: {
    accountId: string;
    email: string;
    role: UserRole;
    name?: string | undefined;
    password?: string | undefined;
  }): Promise<User> {
    if (input.password !== undefined) checkPassword(input.password);
    const email = normalizeEmail(input.email);
    const now = this.clock.now().toISOString();
    const row: UsersTable = {
      id: newId("usr"),
      account_id: input.accountId,
      email,
      name: input.name ?? null,
      role: input.role,
      password_hash: input.password === undefined ? null : await hashPassword(input.password),
      created_at: now,
      updated_at: now,
    };
    // The unique email decides, in one statement: two creations at once cannot both succeed.
    const inserted = await this.db
      .insertInto("users")
      .values(row)
      .onConflict((conflict) => conflict.column("email").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) {
      throw new CertyneoError(
        "conflict",
        "user_email_taken",
        `${email} already signs in to Certyneo.`,
        "email",
      );
    }
    return toUser(row);
  }

  async list(accountId: string): Promise<User[]> {
    const rows = await this.db
      .selectFrom("users")
      .selectAll()
      .where("account_id", "=", accountId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(toUser);
  }

  async find(id: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row && toUser(row);
  }

  async setPassword(userId: string, password: string): Promise<void> {
    checkPassword(password);
    await this.db
      .updateTable("users")
      .set({
        password_hash: await hashPassword(password),
        updated_at: this.clock.now().toISOString(),
      })
      .where("id", "=", userId)
      .execute();
  }

  /** The user whose email and password these are, or null: which of the two was wrong is not said. */
  async signInWithPassword(email: string, password: string): Promise<User | null> {
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("email", "=", normalizeEmail(email))
      .executeTakeFirst();
    // Checked even without a user: the answer takes as long either way.
    const ok = await verifyPassword(password, row?.password_hash ?? null);
    return ok && row ? toUser(row) : null;
  }

  /** A one-time sign-in link's token for the user of `email`; null when there is none. */
  async createSignInLink(email: string): Promise<{ user: User; token: string } | null> {
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("email", "=", normalizeEmail(email))
      .executeTakeFirst();
    if (!row) return null;
    const token = newBearerToken();
    const now = this.clock.now();
    await this.db
      .insertInto("sign_in_links")
      .values({
        token_hash: hashBearerToken(token),
        user_id: row.id,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + SIGN_IN_LINK_MS).toISOString(),
        used_at: null,
      })
      .execute();
    return { user: toUser(row), token };
  }

  /** The user a link was made for, once: a used, expired or unknown link is null. */
  async useSignInLink(token: string): Promise<User | null> {
    const now = this.clock.now().toISOString();
    // One statement marks it used only if it was not: two clicks, one session.
    const used = await this.db
      .updateTable("sign_in_links")
      .set({ used_at: now })
      .where("token_hash", "=", hashBearerToken(token))
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .returning("user_id")
      .executeTakeFirst();
    return used ? ((await this.find(used.user_id)) ?? null) : null;
  }

  /** Removes a user: their sessions end at once, their links stop working. */
  async remove(userId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("sessions").where("user_id", "=", userId).execute();
      await trx.deleteFrom("sign_in_links").where("user_id", "=", userId).execute();
      await trx.deleteFrom("users").where("id", "=", userId).execute();
    });
  }
}
