import type { Kysely } from "kysely";
import type { Tables } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import { newId } from "../security/random.js";

export interface Account {
  id: string;
  name: string;
  createdAt: string;
}

export class AccountService {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly clock: Clock,
  ) {}

  async create(name: string, db: Kysely<Tables> = this.db): Promise<Account> {
    const row = { id: newId("acct"), name, created_at: this.clock.now().toISOString() };
    await db
      .insertInto("accounts")
      .values({
        ...row,
        display_name: null,
        accent_color: null,
        logo: null,
        branding_updated_at: null,
      })
      .execute();
    return toAccount(row);
  }

  async list(db: Kysely<Tables> = this.db): Promise<Account[]> {
    const rows = await db
      .selectFrom("accounts")
      .selectAll()
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .execute();
    return rows.map(toAccount);
  }

  async find(id: string): Promise<Account | undefined> {
    const row = await this.db
      .selectFrom("accounts")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row && toAccount(row);
  }
}

function toAccount(row: Pick<Tables["accounts"], "id" | "name" | "created_at">): Account {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}
