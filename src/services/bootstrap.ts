import { sql } from "kysely";
import type { Database } from "../db/database.js";
import type { Account, AccountService } from "./accounts.js";
import type { ApiKeyService, CreatedApiKey } from "./api-keys.js";
import type { User, UserService } from "./users.js";

export const FIRST_ACCOUNT_NAME = "Default account";

/**
 * The account to use when the operator named none: the only one, or a new one when there is
 * none yet. Several accounts and no choice is an error the caller must surface.
 */
export async function soleAccount(
  database: Database,
  accounts: AccountService,
): Promise<{ account: Account; created: boolean } | { ambiguous: Account[] }> {
  return database.db.transaction().execute(async (trx) => {
    if (database.dialect === "postgres") {
      // Two instances starting together on an empty database must not both create an account.
      await sql`lock table accounts in share row exclusive mode`.execute(trx);
    }
    const existing = await accounts.list(trx);
    if (existing.length > 1) return { ambiguous: existing };
    const [first] = existing;
    if (first) return { account: first, created: false };
    return { account: await accounts.create(FIRST_ACCOUNT_NAME, trx), created: true };
  });
}

/**
 * On the first start against an empty database: one account, one test key to try the API, and
 * its owner with a link to sign in to the dashboard (working once, for 7 days).
 */
export async function bootstrapFirstAccount(
  database: Database,
  accounts: AccountService,
  keys: ApiKeyService,
  users: UserService,
  ownerEmail: string,
): Promise<{ account: Account; key: CreatedApiKey; owner: User; signInToken: string } | undefined> {
  const result = await soleAccount(database, accounts);
  if (!("created" in result) || !result.created) return undefined;
  const key = await keys.create(
    { accountId: result.account.id, environment: "test" },
    { name: "Created at first start" },
  );
  const { user, token } = await users.invite(
    result.account.id,
    { email: ownerEmail, role: "owner" },
    { userId: null, role: "owner" },
  );
  return { account: result.account, key, owner: user, signInToken: token };
}
