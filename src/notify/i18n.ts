import { interpolate, type Locale } from "../signing/i18n.js";

/** Every string of the emails and text messages, in each supported language. */
const en = {
  greeting: "Hello {name},",
  greetingTeam: "Hello,",
  footerPersonal:
    "This link is personal: do not forward this email. If you did not expect it, you can ignore it.",
  footerSender:
    "You receive this message because this address is set to be told about the envelopes of {account}.",
  footerParticipant: "You receive this message because you took part in “{subject}”.",
  testSubjectPrefix: "[TEST] ",
  testNotice: "Test environment: this envelope is not legally binding.",
  expiresOn: "Please act before {date}.",
  inviteSubject: "{account} asks you to sign “{subject}”",
  inviteApproveSubject: "{account} asks you to approve “{subject}”",
  inviteBody: "{account} asks you to review and sign “{subject}”.",
  inviteApproveBody: "{account} asks you to review and approve “{subject}”.",
  signButton: "Review and sign",
  approveButton: "Review and approve",
  reminderSubject: "Reminder: {account} is waiting for your signature on “{subject}”",
  reminderApproveSubject: "Reminder: {account} is waiting for your approval of “{subject}”",
  reminderBody: "{account} is still waiting for you to review and sign “{subject}”.",
  reminderApproveBody: "{account} is still waiting for you to review and approve “{subject}”.",
  completedSubject: "Completed: “{subject}”",
  completedBody: "Everyone has signed “{subject}”.",
  completedAttached:
    "The signed document is attached. Its digital seal can be checked in any PDF reader; keep it for your records.",
  completedLink:
    "The signed document is too large to attach. Download it with the button below and keep it for your records.",
  completedApiLink: "The signed document is too large to attach. Download it from the API: {url}",
  downloadButton: "Download the signed document",
  declinedSubject: "Declined: “{subject}”",
  declinedBody:
    "{name} declined to sign “{subject}”. The envelope is cancelled and its signing links no longer work.",
  reason: "Reason given: {reason}",
  voidedSubject: "Cancelled: “{subject}”",
  voidedBody:
    "{account} cancelled “{subject}”. You have nothing more to do, and the signing link no longer works.",
  expiredSubject: "Expired: “{subject}”",
  expiredBody: "“{subject}” expired before everyone had signed. Its signing links no longer work.",
  waitingFor: "Still waiting for: {names}.",
  otpSubject: "Your code to sign “{subject}”: {code}",
  otpBody: "Your code to sign “{subject}” is {code}.",
  otpValidity:
    "It is valid for 10 minutes. If you did not ask for it, you can ignore this message.",
  otpFooter: "Never share this code: nobody from {account} will ever ask you for it.",
  otpSms: "Certyneo: your code is {code} (valid for 10 minutes).",
  inviteSms: "{account} asks you to sign “{subject}”: {url}",
  inviteApproveSms: "{account} asks you to approve “{subject}”: {url}",
  reminderSms: "Reminder: {account} is waiting for your signature on “{subject}”: {url}",
  reminderApproveSms: "Reminder: {account} is waiting for your approval of “{subject}”: {url}",
  signInSubject: "Your sign-in link for {account}",
  signInBody:
    "Use the button below to sign in to {account} on Certyneo. The link works once, for 15 minutes.",
  signInButton: "Sign in",
  joinSubject: "{inviter} invites you to {account} on Certyneo",
  joinBody:
    "{inviter} invites you to join {account} on Certyneo as {role}. The button below signs you in; it works once, for 7 days. You can then set a password, or ask for a new link at any time.",
  joinButton: "Join {account}",
  signInFooter:
    "If you did not ask for this, ignore this email: nobody can sign in without the link.",
};

export type EmailMessages = typeof en;
export type EmailMessageKey = keyof EmailMessages;

const fr: EmailMessages = {
  greeting: "Bonjour {name},",
  greetingTeam: "Bonjour,",
  footerPersonal:
    "Ce lien vous est personnel : ne transférez pas ce message. Si vous ne l’attendiez pas, vous pouvez l’ignorer.",
  footerSender:
    "Vous recevez ce message car cette adresse est indiquée pour suivre les enveloppes de {account}.",
  footerParticipant: "Vous recevez ce message car vous avez participé à « {subject} ».",
  testSubjectPrefix: "[TEST] ",
  testNotice: "Environnement de test : cette enveloppe n’a aucune valeur juridique.",
  expiresOn: "Merci d’agir avant le {date}.",
  inviteSubject: "{account} vous invite à signer « {subject} »",
  inviteApproveSubject: "{account} vous invite à approuver « {subject} »",
  inviteBody: "{account} vous invite à relire et signer « {subject} ».",
  inviteApproveBody: "{account} vous invite à relire et approuver « {subject} ».",
  signButton: "Relire et signer",
  approveButton: "Relire et approuver",
  reminderSubject: "Rappel : {account} attend votre signature sur « {subject} »",
  reminderApproveSubject: "Rappel : {account} attend votre approbation de « {subject} »",
  reminderBody: "{account} attend toujours que vous relisiez et signiez « {subject} ».",
  reminderApproveBody: "{account} attend toujours que vous relisiez et approuviez « {subject} ».",
  completedSubject: "Terminé : « {subject} »",
  completedBody: "Tout le monde a signé « {subject} ».",
  completedAttached:
    "Le document signé est joint. Son cachet électronique peut être vérifié dans tout lecteur PDF ; conservez-le.",
  completedLink:
    "Le document signé est trop volumineux pour être joint. Téléchargez-le avec le bouton ci-dessous et conservez-le.",
  completedApiLink:
    "Le document signé est trop volumineux pour être joint. Téléchargez-le depuis l’API : {url}",
  downloadButton: "Télécharger le document signé",
  declinedSubject: "Refusé : « {subject} »",
  declinedBody:
    "{name} a refusé de signer « {subject} ». L’enveloppe est annulée et ses liens de signature ne fonctionnent plus.",
  reason: "Motif indiqué : {reason}",
  voidedSubject: "Annulé : « {subject} »",
  voidedBody:
    "{account} a annulé « {subject} ». Vous n’avez plus rien à faire et le lien de signature ne fonctionne plus.",
  expiredSubject: "Expiré : « {subject} »",
  expiredBody:
    "« {subject} » a expiré avant que tout le monde ait signé. Ses liens de signature ne fonctionnent plus.",
  waitingFor: "Signatures encore attendues : {names}.",
  otpSubject: "Votre code pour signer « {subject} » : {code}",
  otpBody: "Votre code pour signer « {subject} » est {code}.",
  otpValidity: "Il est valable 10 minutes. Si vous ne l’avez pas demandé, ignorez ce message.",
  otpFooter: "Ne communiquez jamais ce code : personne chez {account} ne vous le demandera.",
  otpSms: "Certyneo : votre code est {code} (valable 10 minutes).",
  inviteSms: "{account} vous invite à signer « {subject} » : {url}",
  inviteApproveSms: "{account} vous invite à approuver « {subject} » : {url}",
  reminderSms: "Rappel : {account} attend votre signature sur « {subject} » : {url}",
  reminderApproveSms: "Rappel : {account} attend votre approbation de « {subject} » : {url}",
  signInSubject: "Votre lien de connexion à {account}",
  signInBody:
    "Utilisez le bouton ci-dessous pour vous connecter à {account} sur Certyneo. Le lien fonctionne une fois, pendant 15 minutes.",
  signInButton: "Se connecter",
  joinSubject: "{inviter} vous invite dans {account} sur Certyneo",
  joinBody:
    "{inviter} vous invite à rejoindre {account} sur Certyneo en tant que {role}. Le bouton ci-dessous vous connecte ; il fonctionne une fois, pendant 7 jours. Vous pourrez ensuite choisir un mot de passe, ou demander un nouveau lien à tout moment.",
  joinButton: "Rejoindre {account}",
  signInFooter:
    "Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : personne ne peut se connecter sans le lien.",
};

const tr: EmailMessages = {
  greeting: "Merhaba {name},",
  greetingTeam: "Merhaba,",
  footerPersonal:
    "Bu bağlantı size özeldir: bu e-postayı iletmeyin. Beklemiyorsanız dikkate almayın.",
  footerSender:
    "Bu mesajı, bu adres {account} zarflarını takip etmek üzere ayarlandığı için alıyorsunuz.",
  footerParticipant: "Bu mesajı “{subject}” sürecine katıldığınız için alıyorsunuz.",
  testSubjectPrefix: "[TEST] ",
  testNotice: "Test ortamı: bu zarfın hukuki geçerliliği yoktur.",
  expiresOn: "Lütfen {date} tarihinden önce işlem yapın.",
  inviteSubject: "{account} sizden “{subject}” belgesini imzalamanızı istiyor",
  inviteApproveSubject: "{account} sizden “{subject}” belgesini onaylamanızı istiyor",
  inviteBody: "{account} “{subject}” belgesini incelemenizi ve imzalamanızı istiyor.",
  inviteApproveBody: "{account} “{subject}” belgesini incelemenizi ve onaylamanızı istiyor.",
  signButton: "İncele ve imzala",
  approveButton: "İncele ve onayla",
  reminderSubject: "Hatırlatma: {account} “{subject}” için imzanızı bekliyor",
  reminderApproveSubject: "Hatırlatma: {account} “{subject}” için onayınızı bekliyor",
  reminderBody: "{account} hâlâ “{subject}” belgesini incelemenizi ve imzalamanızı bekliyor.",
  reminderApproveBody:
    "{account} hâlâ “{subject}” belgesini incelemenizi ve onaylamanızı bekliyor.",
  completedSubject: "Tamamlandı: “{subject}”",
  completedBody: "Herkes “{subject}” belgesini imzaladı.",
  completedAttached:
    "İmzalı belge ektedir. Elektronik mührü her PDF okuyucuda doğrulanabilir; kayıtlarınız için saklayın.",
  completedLink:
    "İmzalı belge eklenemeyecek kadar büyük. Aşağıdaki düğmeyle indirin ve kayıtlarınız için saklayın.",
  completedApiLink: "İmzalı belge eklenemeyecek kadar büyük. API üzerinden indirin: {url}",
  downloadButton: "İmzalı belgeyi indir",
  declinedSubject: "Reddedildi: “{subject}”",
  declinedBody:
    "{name}, “{subject}” belgesini imzalamayı reddetti. Zarf iptal edildi ve imza bağlantıları artık çalışmıyor.",
  reason: "Belirtilen neden: {reason}",
  voidedSubject: "İptal edildi: “{subject}”",
  voidedBody:
    "{account}, “{subject}” zarfını iptal etti. Yapmanız gereken bir şey kalmadı; imza bağlantısı artık çalışmıyor.",
  expiredSubject: "Süresi doldu: “{subject}”",
  expiredBody:
    "“{subject}” belgesinin süresi, herkes imzalamadan önce doldu. İmza bağlantıları artık çalışmıyor.",
  waitingFor: "Hâlâ beklenenler: {names}.",
  otpSubject: "“{subject}” belgesini imzalamak için kodunuz: {code}",
  otpBody: "“{subject}” belgesini imzalamak için kodunuz {code}.",
  otpValidity: "Kod 10 dakika geçerlidir. Siz istemediyseniz bu mesajı dikkate almayın.",
  otpFooter: "Bu kodu kimseyle paylaşmayın: {account} sizden asla bu kodu istemez.",
  otpSms: "Certyneo: kodunuz {code} (10 dakika geçerli).",
  inviteSms: "{account} sizden “{subject}” belgesini imzalamanızı istiyor: {url}",
  inviteApproveSms: "{account} sizden “{subject}” belgesini onaylamanızı istiyor: {url}",
  reminderSms: "Hatırlatma: {account} “{subject}” için imzanızı bekliyor: {url}",
  reminderApproveSms: "Hatırlatma: {account} “{subject}” için onayınızı bekliyor: {url}",
  signInSubject: "{account} için giriş bağlantınız",
  signInBody:
    "Certyneo'da {account} hesabına giriş yapmak için aşağıdaki düğmeyi kullanın. Bağlantı 15 dakika boyunca bir kez çalışır.",
  signInButton: "Giriş yap",
  joinSubject: "{inviter} sizi Certyneo'da {account} hesabına davet ediyor",
  joinBody:
    "{inviter} sizi Certyneo'da {account} hesabına {role} olarak katılmaya davet ediyor. Aşağıdaki düğme giriş yapmanızı sağlar; 7 gün boyunca bir kez çalışır. Ardından bir parola belirleyebilir veya istediğiniz zaman yeni bir bağlantı isteyebilirsiniz.",
  joinButton: "{account} hesabına katıl",
  signInFooter:
    "Bunu siz istemediyseniz bu e-postayı dikkate almayın: bağlantı olmadan kimse giriş yapamaz.",
};

const MESSAGES: Record<Locale, EmailMessages> = { en, fr, tr };

export function translateEmail(
  locale: Locale,
  key: EmailMessageKey,
  params: Record<string, string | number> = {},
): string {
  return interpolate(MESSAGES[locale][key], params);
}

/** A date as people of the locale write it, in UTC (the time zone of every stored instant). */
export function formatDate(locale: Locale, iso: string): string {
  return `${new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short", timeZone: "UTC" }).format(new Date(iso))} UTC`;
}
