import type { Environment } from "../domain/environment.js";

/** Timestamps are stored as ISO 8601 UTC strings in both dialects; they sort as text. */
type Timestamp = string;

export interface AccountsTable {
  id: string;
  name: string;
  created_at: Timestamp;
}

export interface ApiKeysTable {
  id: string;
  account_id: string;
  environment: Environment;
  name: string | null;
  /** SHA-256 (hex) of the whole secret; the secret itself is never stored. */
  secret_hash: string;
  last4: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  /** Per-key overrides set by an operator; `null` means the configured default. */
  rate_limit_per_minute: number | null;
  rate_limit_burst: number | null;
}

export interface RateLimitBucketsTable {
  key: string;
  tokens: number;
  updated_at_ms: number;
  /** 1 when the latest take found a token, 0 when it was refused. */
  last_take_allowed: number;
}

export interface Tables {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  rate_limit_buckets: RateLimitBucketsTable;
}
