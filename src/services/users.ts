import type { Kysely } from "kysely";
import type { Tables, UsersTable } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import { CertyneoError, roleInsufficient } from "../domain/errors.js";
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
/** How long an invitation's link works, once (and the owner's link printed at first start). */
export const INVITATION_LINK_MS = 7 * 24 * 60 * 60 * 1000;

/** Who asks for a change to the people of an account: a user (their id), or an API key (null). */
export interface UserManager {
  userId: string | null;
  role: UserRole;
}

function refuse(what: string, manager: UserManager): never {
  throw roleInsufficient(manager.role, what);
}

/**
 * Owners manage everyone; admins manage admins and members, never an owner; members manage no one.
 * `role` is the target's role now, `to` the role it would get.
 */
function checkMayManage(manager: UserManager, role: UserRole, to: UserRole = role): void {
  if (manager.role === "member") refuse("manage the people of the account", manager);
  if (manager.role !== "owner" && (role === "owner" || to === "owner"))
    refuse("make, change or remove an owner", manager);
}

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

  /** The user who signs in as `email`, whatever its case and spaces. */
  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("email", "=", normalizeEmail(email))
      .executeTakeFirst();
    return row && toUser(row);
  }

  /** A one-time sign-in link's token for the user of `email`; null when there is none. */
  async createSignInLink(email: string): Promise<{ user: User; token: string } | null> {
    const user = await this.findByEmail(email);
    if (!user) return null;
    return { user, token: await this.linkFor(user.id, SIGN_IN_LINK_MS) };
  }

  /** A one-time sign-in link's token for user `userId`, working for `ttlMs`. */
  async linkFor(userId: string, ttlMs: number): Promise<string> {
    const token = newBearerToken();
    const now = this.clock.now();
    await this.db
      .insertInto("sign_in_links")
      .values({
        token_hash: hashBearerToken(token),
        user_id: userId,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + ttlMs).toISOString(),
        used_at: null,
      })
      .execute();
    return token;
  }

  /** Adds a person to the account, with a link to sign in the first time (for their email). */
  async invite(
    accountId: string,
    input: { email: string; role: UserRole; name?: string | undefined },
    manager: UserManager,
  ): Promise<{ user: User; token: string }> {
    checkMayManage(manager, input.role);
    const user = await this.create({ accountId, ...input });
    return { user, token: await this.linkFor(user.id, INVITATION_LINK_MS) };
  }

  /** The user `userId` of `accountId`, or 404 `user_not_found`. */
  async get(accountId: string, userId: string): Promise<User> {
    const user = await this.find(userId);
    if (!user || user.accountId !== accountId) {
      throw new CertyneoError("not_found", "user_not_found", `No user with id "${userId}".`);
    }
    return user;
  }

  /**
   * Changes a person: their own name, email and password (themselves only), or a role (by an
   * owner, or an admin for non-owners). The last owner stays an owner.
   */
  async update(
    accountId: string,
    userId: string,
    patch: { name?: string | null; email?: string; password?: string; role?: UserRole },
    manager: UserManager,
  ): Promise<User> {
    const user = await this.get(accountId, userId);
    const self = manager.userId === userId;
    if ((patch.email !== undefined || patch.password !== undefined) && !self)
      refuse("change another person's email or password", manager);
    if (patch.name !== undefined && !self) checkMayManage(manager, user.role);
    if (patch.role !== undefined && patch.role !== user.role) {
      checkMayManage(manager, user.role, patch.role);
      if (user.role === "owner") await this.keepAnOwner(accountId, userId);
    }
    if (patch.password !== undefined) checkPassword(patch.password);
    const email = patch.email === undefined ? undefined : normalizeEmail(patch.email);
    if (email !== undefined && email !== user.email) {
      const taken = await this.db
        .selectFrom("users")
        .select("id")
        .where("email", "=", email)
        .executeTakeFirst();
      if (taken) {
        throw new CertyneoError(
          "conflict",
          "user_email_taken",
          `${email} already signs in to Certyneo.`,
          "email",
        );
      }
    }
    await this.db
      .updateTable("users")
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(email !== undefined && { email }),
        ...(patch.role !== undefined && { role: patch.role }),
        ...(patch.password !== undefined && {
          password_hash: await hashPassword(patch.password),
        }),
        updated_at: this.clock.now().toISOString(),
      })
      .where("id", "=", userId)
      .execute();
    return this.get(accountId, userId);
  }

  /** Removes a person of the account, as `manager` may: their sessions end at once. */
  async removeFrom(accountId: string, userId: string, manager: UserManager): Promise<void> {
    const user = await this.get(accountId, userId);
    if (manager.userId !== userId) checkMayManage(manager, user.role);
    if (user.role === "owner") await this.keepAnOwner(accountId, userId);
    await this.remove(userId);
  }

  /** 409 `last_owner` when `userId` is the account's only owner. */
  private async keepAnOwner(accountId: string, userId: string): Promise<void> {
    const other = await this.db
      .selectFrom("users")
      .select("id")
      .where("account_id", "=", accountId)
      .where("role", "=", "owner")
      .where("id", "!=", userId)
      .executeTakeFirst();
    if (!other) {
      throw new CertyneoError(
        "conflict",
        "last_owner",
        "This is the account's only owner: make someone else an owner first.",
      );
    }
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
