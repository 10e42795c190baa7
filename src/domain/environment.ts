export const ENVIRONMENTS = ["test", "live"] as const;

export type Environment = (typeof ENVIRONMENTS)[number];

export function isEnvironment(value: unknown): value is Environment {
  return typeof value === "string" && (ENVIRONMENTS as readonly string[]).includes(value);
}

/** What every tenant-owned query is limited to: one account, one environment. */
export interface Scope {
  readonly accountId: string;
  readonly environment: Environment;
}
