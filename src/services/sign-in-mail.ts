import type { Kysely } from "kysely";
import type { Tables } from "../db/schema.js";
import { invitationEmail, signInLinkEmail, signInUrl } from "../notify/dashboard-emails.js";
import type { Mailer } from "../notify/mailer.js";
import type { Locale } from "../signing/i18n.js";
import { senderOf } from "./branding.js";
import type { User } from "./users.js";

/** The emails that bring a person to the dashboard: a sign-in link they asked for, an invitation. */
export class SignInMail {
  constructor(
    private readonly mailer: Mailer,
    private readonly db: Kysely<Tables>,
    private readonly publicUrl: string,
  ) {}

  async sendLink(user: User, token: string, locale: Locale): Promise<void> {
    await this.mailer.send(
      signInLinkEmail({
        locale,
        to: user.email,
        accountName: await this.accountName(user),
        url: signInUrl(this.publicUrl, token),
      }),
    );
  }

  async sendInvitation(user: User, token: string, inviter: string, locale: Locale): Promise<void> {
    await this.mailer.send(
      invitationEmail({
        locale,
        to: user.email,
        accountName: await this.accountName(user),
        url: signInUrl(this.publicUrl, token),
        inviter,
        role: user.role,
      }),
    );
  }

  /** As the account signs its other emails: its display name if it set one (branding). */
  private async accountName(user: User): Promise<string> {
    return (await senderOf(this.db, user.accountId)).name;
  }
}
