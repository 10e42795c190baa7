import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ENVELOPE_ACTIONS,
  ENVELOPE_STATUSES,
  type EnvelopeAction,
  type EnvelopeStatus,
  transition,
} from "../../src/domain/envelope-lifecycle.js";

/** The whole table, written out: every pair not listed here must be refused. */
const ALLOWED: Record<string, string> = {
  "DRAFT update": "DRAFT",
  "DRAFT send": "SENT",
  "DRAFT delete": "DELETED",
  "SENT void": "VOIDED",
  "SENT complete": "COMPLETED",
  "SENT decline": "DECLINED",
  "SENT expire": "EXPIRED",
  "SENT remind": "SENT",
};

function expectedRefusal(status: EnvelopeStatus, action: EnvelopeAction): string {
  if (["update", "send", "delete"].includes(action)) return "envelope_not_draft";
  return status === "DRAFT" ? "envelope_not_sent" : "envelope_finished";
}

describe("envelope lifecycle", () => {
  for (const status of ENVELOPE_STATUSES) {
    for (const action of ENVELOPE_ACTIONS) {
      const key = `${status} ${action}`;
      it(`${status} + ${action}`, () => {
        const result = transition(status, action);
        if (ALLOWED[key]) {
          assert.deepEqual(result, { allowed: true, to: ALLOWED[key] });
        } else {
          assert.equal(result.allowed, false);
          assert.ok(!result.allowed);
          assert.equal(result.code, expectedRefusal(status, action));
          assert.match(result.message, new RegExp(status));
        }
      });
    }
  }
});
