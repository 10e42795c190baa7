import type { Migration, MigrationProvider } from "kysely";
import type { Dialect } from "../dialect.js";
import { foundation } from "./0001_foundation.js";
import { documentsAndEnvelopes } from "./0002_documents_envelopes.js";
import { signing } from "./0003_signing.js";
import { sealing } from "./0004_sealing.js";
import { webhooks } from "./0005_webhooks.js";
import { notifications } from "./0006_notifications.js";
import { sealingState } from "./0007_sealing_state.js";
import { referenceIndexes } from "./0008_reference_indexes.js";
import { jobLanes } from "./0009_job_lanes.js";
import { users } from "./0010_users.js";
import { branding } from "./0011_branding.js";
import { listIndexes } from "./0012_list_indexes.js";
import { archiveTimestamps } from "./0013_archive_timestamps.js";
import { redirectUrls } from "./0014_redirect_urls.js";
import { storedBlobs } from "./0015_stored_blobs.js";
import { partialIndexes } from "./0016_partial_indexes.js";
import { claimAndExpiryIndexes } from "./0017_claim_and_expiry_indexes.js";
import { envelopeRevisions } from "./0018_envelope_revisions.js";

/** Every migration, in order. Names are permanent: never rename or reorder one that shipped. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    "0001_foundation": foundation(dialect),
    "0002_documents_envelopes": documentsAndEnvelopes,
    "0003_signing": signing,
    "0004_sealing": sealing,
    "0005_webhooks": webhooks,
    "0006_notifications": notifications,
    "0007_sealing_state": sealingState,
    "0008_reference_indexes": referenceIndexes,
    "0009_job_lanes": jobLanes,
    "0010_users": users,
    "0011_branding": branding,
    "0012_list_indexes": listIndexes,
    "0013_archive_timestamps": archiveTimestamps,
    "0014_redirect_urls": redirectUrls,
    "0015_stored_blobs": storedBlobs(dialect),
    "0016_partial_indexes": partialIndexes,
    "0017_claim_and_expiry_indexes": claimAndExpiryIndexes,
    "0018_envelope_revisions": envelopeRevisions(dialect),
  };
  return { getMigrations: async () => migrations };
}
