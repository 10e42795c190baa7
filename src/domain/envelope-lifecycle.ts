/**
 * The envelope lifecycle: every status, every action, and the one table that says which action
 * is allowed in which status. Services ask here before changing anything.
 */
export const ENVELOPE_STATUSES = [
  "DRAFT",
  "SENT",
  "COMPLETED",
  "DECLINED",
  "VOIDED",
  "EXPIRED",
] as const;
export type EnvelopeStatus = (typeof ENVELOPE_STATUSES)[number];

export const ENVELOPE_ACTIONS = [
  "update",
  "send",
  "delete",
  "void",
  "complete",
  "decline",
  "expire",
  "remind",
] as const;
export type EnvelopeAction = (typeof ENVELOPE_ACTIONS)[number];

/** What an allowed action leads to; `DELETED` means the draft no longer exists. */
export type EnvelopeOutcome = EnvelopeStatus | "DELETED";

export const TRANSITIONS: Readonly<
  Record<EnvelopeStatus, Partial<Record<EnvelopeAction, EnvelopeOutcome>>>
> = {
  DRAFT: { update: "DRAFT", send: "SENT", delete: "DELETED" },
  SENT: {
    void: "VOIDED",
    complete: "COMPLETED",
    decline: "DECLINED",
    expire: "EXPIRED",
    remind: "SENT",
  },
  COMPLETED: {},
  DECLINED: {},
  VOIDED: {},
  EXPIRED: {},
};

export const FINISHED_STATUSES: readonly EnvelopeStatus[] = [
  "COMPLETED",
  "DECLINED",
  "VOIDED",
  "EXPIRED",
];

/** SENT past its `expiresAt` counts as EXPIRED, even before the scheduler has marked it. */
export function effectiveStatus(
  status: EnvelopeStatus,
  expiresAt: string | null,
  now: string,
): EnvelopeStatus {
  return status === "SENT" && expiresAt !== null && expiresAt <= now ? "EXPIRED" : status;
}

export function isFinished(status: EnvelopeStatus): boolean {
  return FINISHED_STATUSES.includes(status);
}

export type TransitionResult =
  | { readonly allowed: true; readonly to: EnvelopeOutcome }
  | { readonly allowed: false; readonly code: string; readonly message: string };

const DRAFT_ONLY: readonly EnvelopeAction[] = ["update", "send", "delete"];

export function transition(status: EnvelopeStatus, action: EnvelopeAction): TransitionResult {
  const to = TRANSITIONS[status][action];
  if (to) return { allowed: true, to };
  if (DRAFT_ONLY.includes(action)) {
    return {
      allowed: false,
      code: "envelope_not_draft",
      message: `The envelope is ${status}; only a DRAFT can be ${action === "update" ? "changed" : action === "send" ? "sent" : "deleted"}.`,
    };
  }
  if (isFinished(status)) {
    return {
      allowed: false,
      code: "envelope_finished",
      message: `The envelope is already ${status}.`,
    };
  }
  return {
    allowed: false,
    code: "envelope_not_sent",
    message: `The envelope is ${status}; it has not been sent.`,
  };
}
