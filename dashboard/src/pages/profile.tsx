import type { User } from "@certyneo/sdk";
import { useState } from "preact/hooks";
import { useSignedIn } from "../api.js";
import { useI18n } from "../i18n.js";
import { ErrorNotice, Loading, Notice, PageHeader, useAction, useLoad } from "../ui.js";

/** Your own name, email and password. */
export function ProfilePage() {
  const { t } = useI18n();
  const { api, session } = useSignedIn();
  const loaded = useLoad(() => api.users.get(session.user.id), [session.user.id]);
  return (
    <>
      <PageHeader title={t("profileTitle")} />
      <Loading loaded={loaded}>{(user) => <ProfileForm user={user} />}</Loading>
    </>
  );
}

function ProfileForm(props: { user: User }) {
  const { t } = useI18n();
  const { api, setSession } = useSignedIn();
  const [name, setName] = useState(props.user.name ?? "");
  const [email, setEmail] = useState(props.user.email);
  const [password, setPassword] = useState("");
  const [saved, setSaved] = useState(false);
  const action = useAction();
  return (
    <form
      class="card narrow"
      onSubmit={async (event) => {
        event.preventDefault();
        setSaved(false);
        const user = await action.run(async () => {
          const updated = await api.users.update(props.user.id, {
            name: name.trim() || null,
            ...(email.trim() !== props.user.email && { email: email.trim() }),
            ...(password && { password }),
          });
          setSession(await api.session.get());
          return updated;
        });
        if (user) {
          setPassword("");
          setSaved(true);
        }
      }}
    >
      <div class="field">
        <label for="profile-name">{t("name")}</label>
        <input
          id="profile-name"
          autocomplete="name"
          maxLength={200}
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
      </div>
      <div class="field">
        <label for="profile-email">{t("email")}</label>
        <input
          id="profile-email"
          type="email"
          autocomplete="email"
          required
          value={email}
          onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
        />
      </div>
      <div class="field">
        <label for="profile-password">{t("newPassword")}</label>
        <input
          id="profile-password"
          type="password"
          autocomplete="new-password"
          minLength={12}
          maxLength={256}
          aria-describedby="profile-password-hint"
          value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
        />
        <p id="profile-password-hint" class="hint">
          {t("passwordHint")}
        </p>
      </div>
      <ErrorNotice error={action.error} />
      {saved && <Notice kind="success">{t("saved")}</Notice>}
      <button type="submit" class="button-primary" disabled={action.pending}>
        {t("save")}
      </button>
    </form>
  );
}
