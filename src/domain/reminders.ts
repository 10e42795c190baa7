/** When recipients who have not acted are reminded: first after some days, then every few days. */
export interface ReminderPolicy {
  readonly firstAfterDays: number;
  readonly everyDays: number;
  /** Automatic reminders per recipient; 0 sends none. */
  readonly max: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
export const REMINDER_LIMITS = { days: { min: 1, max: 365 }, max: { min: 0, max: 20 } } as const;

/** A manual reminder is refused when the recipient was invited or reminded more recently. */
export const MANUAL_REMINDER_INTERVAL_MS = 60 * 60 * 1000;

/**
 * When the scheduler should next remind a recipient, given how many automatic reminders they
 * have had and when the last message (the invitation, or the latest reminder) was sent.
 */
export function nextReminderAt(
  policy: ReminderPolicy | null,
  sentSoFar: number,
  lastMessageAt: Date,
): Date | null {
  if (!policy || sentSoFar >= policy.max) return null;
  const days = sentSoFar === 0 ? policy.firstAfterDays : policy.everyDays;
  return new Date(lastMessageAt.getTime() + days * DAY_MS);
}

export function parseReminderPolicy(json: string | null): ReminderPolicy | null {
  if (!json) return null;
  const { firstAfterDays, everyDays, max } = JSON.parse(json) as ReminderPolicy;
  return { firstAfterDays, everyDays, max };
}

export function serializeReminderPolicy(policy: ReminderPolicy | null): string | null {
  return policy
    ? JSON.stringify({
        firstAfterDays: policy.firstAfterDays,
        everyDays: policy.everyDays,
        max: policy.max,
      })
    : null;
}
