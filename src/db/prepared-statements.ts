import type pg from "pg";

/**
 * SQL texts that each PostgreSQL connection prepares once, under a name, and afterwards only
 * binds and executes. Planning one of our point reads costs PostgreSQL more than running it
 * (0.26 ms against 0.09 for an envelope with its parts). Only texts that never change with their
 * values are registered (those compiled once: `precompiled.ts`, the rate-limit take), so the
 * statements a connection keeps are few and fixed.
 */
const names = new Map<string, string>();

export function registerPreparedStatement(text: string): void {
  if (!names.has(text)) names.set(text, `certyneo_${names.size + 1}`);
}

/** PostgreSQL's answer when a table changed under a prepared `select *` (a migration). */
const PLAN_RESULT_CHANGED = "0A000";

type Query = (...args: unknown[]) => Promise<unknown>;

/**
 * Makes `client` run the registered texts as named statements (each prepared on first use); other
 * queries go as before. A statement whose result changed shape since it was prepared (another
 * instance migrated a table) is prepared again under a new name and run once more.
 */
export function prepareRegisteredStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as Query;
  const generations = new Map<string, number>();
  const named = (name: string, text: string, values: unknown): Promise<unknown> => {
    const generation = generations.get(name) ?? 0;
    return query({ name: `${name}_${generation}`, text, values });
  };
  (client as unknown as { query: Query }).query = (...args: unknown[]) => {
    const [text, values] = args;
    const name = typeof text === "string" && args.length <= 2 ? names.get(text) : undefined;
    if (!name) return query(...args);
    return named(name, text as string, values).catch((error: unknown) => {
      if ((error as { code?: string }).code !== PLAN_RESULT_CHANGED) throw error;
      generations.set(name, (generations.get(name) ?? 0) + 1);
      return named(name, text as string, values);
    });
  };
}
