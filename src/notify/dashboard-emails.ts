import { displayText } from "../domain/user-text.js";
import type { Locale } from "../signing/i18n.js";
import { compose } from "./emails.js";
import { translateEmail } from "./i18n.js";
import type { OutgoingEmail } from "./mailer.js";

/** Where an emailed sign-in link lands: the token in the fragment never reaches a server log. */
export function signInUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/app/sign-in#token=${token}`;
}

interface SignInFacts {
  readonly locale: Locale;
  readonly to: string;
  readonly accountName: string;
  readonly url: string;
}

function facts(input: SignInFacts) {
  return { locale: input.locale, accountName: input.accountName, subject: "", test: false };
}

/** The one-time link a person asked for on the sign-in page. */
export function signInLinkEmail(input: SignInFacts): OutgoingEmail {
  const t = (key: Parameters<typeof translateEmail>[1]) =>
    translateEmail(input.locale, key, { account: displayText(input.accountName) });
  return compose(facts(input), {
    to: input.to,
    subject: t("signInSubject"),
    greeting: t("greetingTeam"),
    paragraphs: [t("signInBody")],
    button: { label: t("signInButton"), url: input.url },
    footer: t("signInFooter"),
  });
}

/** The invitation of a new person of the account, by another. */
export function invitationEmail(
  input: SignInFacts & { readonly inviter: string; readonly role: string },
): OutgoingEmail {
  const t = (key: Parameters<typeof translateEmail>[1]) =>
    translateEmail(input.locale, key, {
      account: displayText(input.accountName),
      inviter: displayText(input.inviter),
      role: input.role,
    });
  return compose(facts(input), {
    to: input.to,
    subject: t("joinSubject"),
    greeting: t("greetingTeam"),
    paragraphs: [t("joinBody")],
    button: { label: t("joinButton"), url: input.url },
    footer: t("signInFooter"),
  });
}
