export const RECIPIENT_ROLES = ["SIGNER", "APPROVER", "CC"] as const;
export type RecipientRole = (typeof RECIPIENT_ROLES)[number];

export const RECIPIENT_STATUSES = [
  "PENDING",
  "SENT",
  "VIEWED",
  "SIGNED",
  "APPROVED",
  "DECLINED",
] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

export const RECIPIENT_AUTH_METHODS = ["none", "email_otp", "sms_otp"] as const;
export type RecipientAuth = (typeof RECIPIENT_AUTH_METHODS)[number];

export const SIGNING_ORDERS = ["parallel", "sequential"] as const;
export type SigningOrder = (typeof SIGNING_ORDERS)[number];

/** Roles that must act for the envelope to complete; CC only receives the result. */
export function acts(role: RecipientRole): boolean {
  return role === "SIGNER" || role === "APPROVER";
}

/** Invited (and perhaps viewed) but not acted yet: whom invitations and reminders are for. */
export const AWAITING_ACTION: readonly RecipientStatus[] = ["SENT", "VIEWED"];

export function awaitsAction(status: RecipientStatus): boolean {
  return AWAITING_ACTION.includes(status);
}

export function hasActed(status: RecipientStatus): boolean {
  return status === "SIGNED" || status === "APPROVED";
}

export interface RoutedRecipient {
  readonly id: string;
  readonly role: RecipientRole;
  readonly order: number;
  readonly status: RecipientStatus;
}

/**
 * Who may act now. In parallel, every signer and approver who has not acted. In sequence, those
 * of the lowest `order` still waiting: equal orders form one stage and act in parallel.
 */
export function currentStage<T extends RoutedRecipient>(
  recipients: readonly T[],
  order: SigningOrder,
): T[] {
  const waiting = recipients.filter((r) => acts(r.role) && !hasActed(r.status));
  if (order === "parallel" || waiting.length === 0) return waiting;
  const stage = Math.min(...waiting.map((r) => r.order));
  return waiting.filter((r) => r.order === stage);
}

/** The default `order` of the recipient at `index` when none is given. */
export function defaultOrder(index: number, order: SigningOrder): number {
  return order === "sequential" ? index + 1 : 1;
}
