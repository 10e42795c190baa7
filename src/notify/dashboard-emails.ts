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

/** A message with one button that signs its reader in: `kind` picks its sentences. */
function signInEmail(
  input: SignInFacts,
  kind: "signIn" | "join",
  params: Record<string, string> = {},
): OutgoingEmail {
  const t = (key: Parameters<typeof translateEmail>[1]) =>
    translateEmail(input.locale, key, { account: displayText(input.accountName), ...params });
  return compose(
    { locale: input.locale, accountName: input.accountName, subject: "", test: false },
    {
      to: input.to,
      subject: t(`${kind}Subject`),
      greeting: t("greetingTeam"),
      paragraphs: [t(`${kind}Body`)],
      button: { label: t(`${kind}Button`), url: input.url },
      footer: t("signInFooter"),
    },
  );
}

/** The one-time link a person asked for on the sign-in page. */
export function signInLinkEmail(input: SignInFacts): OutgoingEmail {
  return signInEmail(input, "signIn");
}

/** The invitation of a new person of the account, by another. */
export function invitationEmail(
  input: SignInFacts & { readonly inviter: string; readonly role: string },
): OutgoingEmail {
  return signInEmail(input, "join", { inviter: displayText(input.inviter), role: input.role });
}
