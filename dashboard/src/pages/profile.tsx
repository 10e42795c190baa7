import type { User } from "@certyneo/sdk";
import { useState } from "preact/hooks";
import { useSignedIn } from "../api.js";
import { useI18n } from "../i18n.js";
import { Loading, Outcome, PageHeader, TextField, useAction, useLoad } from "../ui.js";

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
  const action = useAction();
  return (
    <form
      class="card narrow"
      onSubmit={async (event) => {
        event.preventDefault();
        const user = await action.run(async () => {
          const updated = await api.users.update(props.user.id, {
            name: name.trim() || null,
            ...(email.trim() !== props.user.email && { email: email.trim() }),
            ...(password && { password }),
          });
          setSession(await api.session.get());
          return updated;
        });
        if (user) setPassword("");
      }}
    >
      <TextField
        id="profile-name"
        label={t("name")}
        autocomplete="name"
        maxLength={200}
        value={name}
        onValue={setName}
      />
      <TextField
        id="profile-email"
        label={t("email")}
        type="email"
        autocomplete="email"
        required
        value={email}
        onValue={setEmail}
      />
      <TextField
        id="profile-password"
        label={t("newPassword")}
        type="password"
        autocomplete="new-password"
        minLength={12}
        maxLength={256}
        value={password}
        onValue={setPassword}
        hint={t("passwordHint")}
      />
      <Outcome action={action} success={t("saved")} />
      <button type="submit" class="button-primary" disabled={action.pending}>
        {t("save")}
      </button>
    </form>
  );
}
