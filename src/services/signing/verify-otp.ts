import { timingSafeEqual } from "node:crypto";
import type { RecipientsTable } from "../../db/schema.js";
import { CertyneoError } from "../../domain/errors.js";
import type { ActionContext } from "../event-log.js";
import { otpHash } from "./send-otp.js";
import {
  assertCanAct,
  assertLive,
  badRequest,
  describe,
  limit,
  mutate,
  resolveSession,
} from "./session.js";
import { OTP_MAX_ATTEMPTS, type SigningDeps, TEST_OTP_CODE } from "./types.js";

/** Confirms the code last sent: the recipient may act for `OTP_VERIFIED_TTL_MS`. */
export async function verifyOtp(
  deps: SigningDeps,
  token: string,
  code: string,
  context: ActionContext,
): Promise<{ verified: true }> {
  if (!/^\d{6}$/.test(code)) throw badRequest("parameter_invalid", "The code is 6 digits.", "code");
  const session = await resolveSession(deps, token);
  assertLive(deps, session);
  assertCanAct(await describe(deps, session));
  await limit(deps, `otp-verify:${session.recipient.id}`, { perMinute: 10, burst: 10 }, "attempts");
  let failure: CertyneoError | undefined;
  await mutate(deps, token, context, async (trx, { recipient, envelope }, now) => {
    const testCode = envelope.environment === "test" && code === TEST_OTP_CODE;
    if (!testCode) {
      failure = checkCode(deps, recipient, code);
      if (failure) {
        const attempts = (recipient.otp_attempts ?? 0) + 1;
        const locked = attempts >= OTP_MAX_ATTEMPTS;
        if (recipient.otp_hash && failure.code === "otp_invalid") {
          await trx
            .updateTable("recipients")
            .set(locked ? { otp_attempts: attempts, otp_hash: null } : { otp_attempts: attempts })
            .where("id", "=", recipient.id)
            .execute();
          if (locked)
            failure = otpError(
              "otp_locked",
              "Too many wrong codes: this code no longer works. Ask for a new one.",
            );
          else
            failure = otpError(
              "otp_invalid",
              `This code is not right. ${OTP_MAX_ATTEMPTS - attempts} attempt(s) left.`,
            );
        }
        return [
          {
            type: "recipient.otp_failed",
            recipientId: recipient.id,
            data: { reason: failure.code },
          },
        ];
      }
    }
    await trx
      .updateTable("recipients")
      .set({ otp_verified_at: now, otp_hash: null, otp_attempts: 0 })
      .where("id", "=", recipient.id)
      .execute();
    return [
      {
        type: "recipient.otp_verified",
        recipientId: recipient.id,
        data: { method: recipient.auth },
      },
    ];
  });
  if (failure) throw failure;
  return { verified: true };
}

function checkCode(
  deps: SigningDeps,
  recipient: RecipientsTable,
  code: string,
): CertyneoError | undefined {
  if (!recipient.otp_hash) {
    return (recipient.otp_attempts ?? 0) >= OTP_MAX_ATTEMPTS
      ? otpError("otp_locked", "Too many wrong codes: ask for a new code.")
      : otpError("otp_not_sent", "No code is waiting: ask for a code first.");
  }
  if (!recipient.otp_expires_at || recipient.otp_expires_at <= deps.clock.now().toISOString()) {
    return otpError("otp_expired", "This code has expired: ask for a new one.");
  }
  const expected = Buffer.from(recipient.otp_hash, "hex");
  const actual = Buffer.from(otpHash(deps, recipient.id, code), "hex");
  return timingSafeEqual(expected, actual)
    ? undefined
    : otpError("otp_invalid", "This code is not right.");
}

function otpError(code: string, message: string): CertyneoError {
  return new CertyneoError("unauthenticated", code, message, "code");
}
