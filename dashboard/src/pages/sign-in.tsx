import type { DashboardSession } from "@certyneo/sdk";
import { useEffect, useState } from "preact/hooks";
import { anonymous } from "../api.js";
import { LanguagePicker } from "../app.js";
import { useI18n } from "../i18n.js";
import { ErrorNotice, Notice, TextField, useAction } from "../ui.js";

/**
 * Sign-in by password, or by a link emailed on request. An emailed link lands here with its
 * token in the fragment (#token=…), which no server log sees; it is used at once, then erased.
 */
export function SignInPage(props: {
  ended: boolean;
  onSignedIn: (session: DashboardSession) => void;
}) {
  const { t } = useI18n();
  const [mode, setMode] = useState<"password" | "link">("password");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [linkSent, setLinkSent] = useState(false);
  const [linkFailed, setLinkFailed] = useState(false);
  const [usingLink, setUsingLink] = useState(() => location.hash.startsWith("#token="));
  const action = useAction();

  useEffect(() => {
    document.title = `${t("signInTitle")} · Certyneo`;
  }, [t]);

  useEffect(() => {
    const token = new URLSearchParams(location.hash.slice(1)).get("token");
    if (!token) return;
    history.replaceState(null, "", location.pathname);
    anonymous.session.signIn({ token }).then(props.onSignedIn, () => {
      setUsingLink(false);
      setLinkFailed(true);
      setMode("link");
    });
  }, [props.onSignedIn]);

  if (usingLink) {
    return (
      <main class="sign-in" id="main">
        <p aria-live="polite">{t("linkSigningIn")}</p>
      </main>
    );
  }

  return (
    <main class="sign-in" id="main">
      <div class="sign-in-card">
        <p class="brand">Certyneo</p>
        <h1>{t("signInTitle")}</h1>
        <p class="muted">{t("signInIntro")}</p>
        {props.ended && <Notice kind="info">{t("sessionEnded")}</Notice>}
        {linkFailed && <Notice kind="error">{t("linkFailed")}</Notice>}
        {mode === "password" ? (
          <form
            onSubmit={async (event) => {
              event.preventDefault();
              const session = await action.run(() => anonymous.session.signIn({ email, password }));
              if (session) props.onSignedIn(session);
            }}
          >
            <TextField
              id="email"
              label={t("email")}
              type="email"
              autocomplete="username"
              required
              value={email}
              onValue={setEmail}
            />
            <TextField
              id="password"
              label={t("password")}
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onValue={setPassword}
            />
            <ErrorNotice error={action.error} />
            <button type="submit" class="button-primary wide" disabled={action.pending}>
              {action.pending ? t("signingIn") : t("signIn")}
            </button>
            <button
              type="button"
              class="link-button"
              onClick={() => {
                action.clear();
                setMode("link");
              }}
            >
              {t("emailMeALink")}
            </button>
          </form>
        ) : (
          <form
            onSubmit={async (event) => {
              event.preventDefault();
              const sent = await action.run(() => anonymous.session.requestLink(email));
              if (sent) setLinkSent(true);
            }}
          >
            <TextField
              id="link-email"
              label={t("email")}
              type="email"
              autocomplete="username"
              required
              value={email}
              onValue={setEmail}
            />
            <ErrorNotice error={action.error} />
            {linkSent && <Notice kind="success">{t("linkSent")}</Notice>}
            <button type="submit" class="button-primary wide" disabled={action.pending}>
              {t("sendLink")}
            </button>
            <button
              type="button"
              class="link-button"
              onClick={() => {
                action.clear();
                setLinkSent(false);
                setMode("password");
              }}
            >
              {t("usePassword")}
            </button>
          </form>
        )}
        <div class="sign-in-footer">
          <LanguagePicker />
        </div>
      </div>
    </main>
  );
}
