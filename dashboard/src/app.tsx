import type { DashboardSession } from "@certyneo/sdk";
import { useEffect, useMemo, useState } from "preact/hooks";
import { anonymous, clientFor, isAdmin, SessionContext, type SignedIn } from "./api.js";
import {
  I18nContext,
  initialLocale,
  LOCALES,
  type Locale,
  type MessageKey,
  translator,
  useI18n,
} from "./i18n.js";
import { AccountSettingsPage } from "./pages/account-settings.js";
import { EnvelopePage } from "./pages/envelope.js";
import { EnvelopesPage } from "./pages/envelopes.js";
import { KeysPage } from "./pages/keys.js";
import { NewEnvelopePage } from "./pages/new-envelope.js";
import { PeoplePage } from "./pages/people.js";
import { ProfilePage } from "./pages/profile.js";
import { SignInPage } from "./pages/sign-in.js";
import { WebhookPage } from "./pages/webhook.js";
import { WebhooksPage } from "./pages/webhooks.js";
import { match, navigate, useLocation } from "./router.js";
import { Link, Notice } from "./ui.js";

export function App() {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const i18n = useMemo(
    () =>
      translator(locale, (next) => {
        localStorage.setItem("certyneo.locale", next);
        setLocaleState(next);
      }),
    [locale],
  );
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  return (
    <I18nContext.Provider value={i18n}>
      <Root />
    </I18nContext.Provider>
  );
}

type SessionState =
  | { kind: "loading" }
  | { kind: "signed-out"; ended: boolean }
  | { kind: "signed-in"; session: DashboardSession };

function Root() {
  const { path } = useLocation();
  const [state, setState] = useState<SessionState>({ kind: "loading" });
  useEffect(() => {
    anonymous.session.get().then(
      (session) => setState({ kind: "signed-in", session }),
      () => setState({ kind: "signed-out", ended: false }),
    );
  }, []);
  const signedIn = useMemo<SignedIn | null>(() => {
    if (state.kind !== "signed-in") return null;
    const api = clientFor(state.session.csrfToken, () =>
      setState({ kind: "signed-out", ended: true }),
    );
    return {
      session: state.session,
      api,
      setSession: (session) => setState({ kind: "signed-in", session }),
      signOut: async () => {
        await api.session.signOut().catch(() => undefined);
        setState({ kind: "signed-out", ended: false });
        navigate("/sign-in");
      },
    };
  }, [state]);

  if (state.kind === "loading") return null;
  if (!signedIn) {
    return (
      <SignInPage
        ended={state.kind === "signed-out" && state.ended}
        onSignedIn={(session) => {
          setState({ kind: "signed-in", session });
          if (path === "/sign-in") navigate("/", { replace: true });
        }}
      />
    );
  }
  if (path === "/sign-in") {
    navigate("/", { replace: true });
    return null;
  }
  return (
    <SessionContext.Provider value={signedIn}>
      <Shell signedIn={signedIn} path={path} />
    </SessionContext.Provider>
  );
}

const ROUTES: [string, (params: Record<string, string>) => preact.JSX.Element][] = [
  ["/", () => <EnvelopesPage />],
  ["/envelopes", () => <EnvelopesPage />],
  ["/envelopes/new", () => <NewEnvelopePage />],
  ["/envelopes/:id", (p) => <EnvelopePage id={p.id!} />],
  ["/developers/keys", () => <KeysPage />],
  ["/developers/webhooks", () => <WebhooksPage />],
  ["/developers/webhooks/:id", (p) => <WebhookPage id={p.id!} />],
  ["/settings/account", () => <AccountSettingsPage />],
  ["/settings/people", () => <PeoplePage />],
  ["/settings/profile", () => <ProfilePage />],
];

function page(path: string) {
  for (const [pattern, render] of ROUTES) {
    const params = match(pattern, path);
    if (params) return render(params);
  }
  return <NotFound />;
}

function NotFound() {
  return (
    <Notice kind="info">
      <Link href="/">Certyneo</Link>
    </Notice>
  );
}

const NAV: {
  section?: MessageKey;
  items: { href: string; label: MessageKey; admin?: boolean }[];
}[] = [
  {
    items: [
      { href: "/envelopes", label: "navEnvelopes" },
      { href: "/envelopes/new", label: "navNewEnvelope" },
    ],
  },
  {
    section: "navDevelopers",
    items: [
      { href: "/developers/keys", label: "navKeys" },
      { href: "/developers/webhooks", label: "navWebhooks" },
    ],
  },
  {
    section: "navSettings",
    items: [
      { href: "/settings/account", label: "navAccount" },
      { href: "/settings/people", label: "navPeople" },
      { href: "/settings/profile", label: "navProfile" },
    ],
  },
];

function isCurrent(href: string, path: string): boolean {
  if (href === "/envelopes")
    return path === "/" || (path.startsWith("/envelopes") && path !== "/envelopes/new");
  return path === href || path.startsWith(`${href}/`);
}

function Shell(props: { signedIn: SignedIn; path: string }) {
  const { t } = useI18n();
  const { session } = props.signedIn;
  // A new page is announced: focus goes to its title, as a screen reader user expects.
  useEffect(() => {
    const timer = setTimeout(() => {
      document.getElementById("page-title")?.focus();
      // On a phone the navigation is a scrolling row: keep the current page's tab in view.
      document
        .querySelector(".sidebar [aria-current=page]")
        ?.scrollIntoView({ block: "nearest", inline: "center" });
    }, 50);
    return () => clearTimeout(timer);
  }, [props.path]);
  return (
    <>
      <a class="skip-link" href="#main">
        {t("skipToContent")}
      </a>
      <header class="topbar">
        <Link href="/" class="brand">
          Certyneo
        </Link>
        <EnvironmentSwitch signedIn={props.signedIn} />
        <div class="topbar-end">
          <LanguagePicker />
          <span class="who" title={session.user.email}>
            {t("signedInAs", {
              email: session.user.email,
              role: t(
                `role${session.user.role[0]!.toUpperCase()}${session.user.role.slice(1)}` as MessageKey,
              ),
            })}
          </span>
          <button type="button" class="button-secondary" onClick={props.signedIn.signOut}>
            {t("signOut")}
          </button>
        </div>
      </header>
      {session.environment === "test" && (
        <div class="test-banner" role="note">
          {t("testBanner")}
        </div>
      )}
      <div class="layout">
        <nav class="sidebar" aria-label={t("mainNavigation")}>
          {NAV.map((group) => (
            <div class="nav-group" key={group.section ?? "main"}>
              {group.section && <p class="nav-section">{t(group.section)}</p>}
              <ul>
                {group.items
                  .filter((item) => !item.admin || isAdmin(session))
                  .map((item) => (
                    <li key={item.href}>
                      <Link href={item.href} current={isCurrent(item.href, props.path)}>
                        {t(item.label)}
                      </Link>
                    </li>
                  ))}
              </ul>
            </div>
          ))}
        </nav>
        <main id="main" class="content" key={session.environment}>
          {page(props.path)}
        </main>
      </div>
    </>
  );
}

function EnvironmentSwitch(props: { signedIn: SignedIn }) {
  const { t } = useI18n();
  const { session, api, setSession } = props.signedIn;
  return (
    <fieldset class="env-switch">
      <legend class="visually-hidden">{t("environment")}</legend>
      {(["test", "live"] as const).map((environment) => (
        <label key={environment} class={session.environment === environment ? "checked" : ""}>
          <input
            type="radio"
            name="environment"
            value={environment}
            checked={session.environment === environment}
            onChange={async () => setSession(await api.session.switchEnvironment(environment))}
          />
          {t(environment)}
        </label>
      ))}
    </fieldset>
  );
}

export function LanguagePicker() {
  const { t, locale, setLocale } = useI18n();
  return (
    <label class="language">
      <span class="visually-hidden">{t("language")}</span>
      <select
        value={locale}
        onChange={(event) => setLocale((event.target as HTMLSelectElement).value as Locale)}
      >
        {LOCALES.map((code) => (
          <option key={code} value={code}>
            {translator(code, () => {}).t("languageName")}
          </option>
        ))}
      </select>
    </label>
  );
}
