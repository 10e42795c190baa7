/** Every string a recipient sees, in each supported language. */
export const LOCALES = ["en", "fr", "tr"] as const;
export type Locale = (typeof LOCALES)[number];

const en = {
  title: "Sign: {subject}",
  intro: "{account} asks you to review and sign these documents.",
  introApprover: "{account} asks you to review and approve these documents.",
  introCc: "{account} sends you these documents for your information. You have nothing to do.",
  documents: "Documents",
  pageOf: "Page {page} of {pages}",
  loading: "Loading the document…",
  yourFields: "The highlighted areas are yours to fill in.",
  otpTitle: "Confirm it is you",
  otpIntroEmail: "We will send a 6-digit code to {destination}.",
  otpIntroSms: "We will send a 6-digit code by SMS to {destination}.",
  otpSend: "Send me a code",
  otpResend: "Send a new code",
  otpSent: "A code was sent to {destination}. It is valid for 10 minutes.",
  otpLabel: "6-digit code",
  otpVerify: "Confirm",
  otpVerified: "Thank you, your identity is confirmed.",
  otpInvalid: "This code is not right. {remaining} attempt(s) left.",
  otpExpired: "This code has expired. Ask for a new one.",
  otpLocked: "Too many wrong codes. Ask for a new one.",
  otpDeliveryFailed: "The code could not be sent just now. Please try again in a moment.",
  otpTestHint: "Test environment: the code 123456 is always accepted.",
  consentSign:
    "I have read the documents above and I agree to sign them electronically. I understand that my electronic signature binds me as my handwritten signature would.",
  consentApprove: "I have read the documents above and I approve them.",
  signatureTitle: "Your signature",
  draw: "Draw",
  typeIt: "Type",
  clear: "Clear",
  drawHint: "Sign in the box with your mouse, finger or pen.",
  typedLabel: "Your full name",
  fieldsTitle: "Information to fill in",
  fieldInitials: "Initials",
  fieldDate: "Date",
  fieldText: "Text",
  fieldCheckbox: "I agree",
  sign: "Sign",
  approve: "Approve",
  decline: "Decline",
  declineTitle: "Decline to sign",
  declineReason: "Tell the sender why you decline (required)",
  declineConfirm: "Decline the documents",
  cancel: "Cancel",
  doneSigned:
    "Thank you, you have signed. You will receive the signed documents by email once everyone has signed.",
  doneApproved: "Thank you, you have approved the documents.",
  doneDeclined: "You declined. The sender has been told.",
  waiting: "It is not your turn yet. Waiting for: {names}.",
  completed: "This envelope is completed: everyone has signed.",
  completedSealing:
    "This envelope is completed: everyone has signed. Its documents are being sealed; this page will offer them in a moment.",
  completedSealingFailed:
    "This envelope is completed: everyone has signed. Its documents could not be sealed yet; they will be emailed to you once they are.",
  checkAgain: "Check again",
  getSigned: "Get the signed documents",
  downloadSigned: "Download the signed document",
  downloadAuditTrail: "Download the audit trail",
  verifyDocument: "Check a signed document",
  declined: "This envelope was declined. This link no longer works.",
  voided: "The sender cancelled this envelope. This link no longer works.",
  expired: "This envelope has expired. This link no longer works.",
  invalidLink: "This signing link is not valid. Check that you copied it whole.",
  missingConsent: "Tick the box to give your consent.",
  missingSignature: "Add your signature first.",
  missingField: "Fill in every required field.",
  error: "Something went wrong. Please try again.",
  tooMany: "Too many attempts. Wait a minute, then try again.",
  testBanner: "TEST — not legally binding",
  signHere: "Sign here",
  initialsHere: "Initials",
  requiredMark: "required",
  optionalMark: "optional",
  fieldOnPage: "{label}, page {page}",
  upload: "Upload",
  uploadLabel: "A picture of your signature (PNG or JPEG, up to 5 MB)",
  uploadUnreadable: "This file is not a PNG or JPEG picture that can be read.",
  uploadTooLarge: "This picture is too large: choose one under 5 MB.",
  initialsLabel: "Your initials",
  adoptTitle: "Adopt your signature",
  adoptIntro: "It will appear like this in every signature field of yours.",
  adopt: "Adopt and apply",
  changeSignature: "Change your signature",
  barStart: "Start",
  barNext: "Next field",
  barFinish: "Finish",
  barHelp: "Help",
  progress: "{done} of {total} required fields",
  progressNone: "Nothing to fill in: read the documents, then finish.",
  progressDone: "All required fields are filled.",
  otpFirst: "Confirm it is you first.",
  finishTitleSign: "Sign the documents",
  finishTitleApprove: "Approve the documents",
  finishSummary: "Documents: {names}.",
  helpTitle: "How to sign",
  helpStep1: "Read the documents. The highlighted areas are yours.",
  helpStep2:
    "Press Start, then Next field: each field is shown in turn. Click a signature field to draw, type or upload your signature.",
  helpStep3: "When every required field is filled, press Finish, give your consent and sign.",
  helpContact:
    "A question about the documents? Ask {account}, who sent them. If something is wrong, decline and say why.",
  close: "Close",
  doneWhatSigned: "What you signed: {names}.",
  doneWhatApproved: "What you approved: {names}.",
  doneNextAll:
    "Everyone has signed. The signed documents and their audit trail will reach you by email in a few minutes.",
  doneNextOthers:
    "Once everyone has signed, you will receive the signed documents and their audit trail by email.",
  redirecting: "Taking you back to {host}…",
  continue: "Continue",
  thanksSigned: "Thank you, you have signed.",
};

type Messages = typeof en;
export type MessageKey = keyof Messages;

const fr: Messages = {
  title: "Signer : {subject}",
  intro: "{account} vous invite à relire et signer ces documents.",
  introApprover: "{account} vous invite à relire et approuver ces documents.",
  introCc: "{account} vous transmet ces documents pour information. Vous n’avez rien à faire.",
  documents: "Documents",
  pageOf: "Page {page} sur {pages}",
  loading: "Chargement du document…",
  yourFields: "Les zones en surbrillance sont à remplir par vous.",
  otpTitle: "Confirmez votre identité",
  otpIntroEmail: "Nous allons envoyer un code à 6 chiffres à {destination}.",
  otpIntroSms: "Nous allons envoyer un code à 6 chiffres par SMS au {destination}.",
  otpSend: "Recevoir un code",
  otpResend: "Recevoir un nouveau code",
  otpSent: "Un code a été envoyé à {destination}. Il est valable 10 minutes.",
  otpLabel: "Code à 6 chiffres",
  otpVerify: "Confirmer",
  otpVerified: "Merci, votre identité est confirmée.",
  otpInvalid: "Ce code est incorrect. Il vous reste {remaining} essai(s).",
  otpExpired: "Ce code a expiré. Demandez-en un nouveau.",
  otpLocked: "Trop de codes erronés. Demandez-en un nouveau.",
  otpDeliveryFailed: "Le code n’a pas pu être envoyé pour l’instant. Réessayez dans un moment.",
  otpTestHint: "Environnement de test : le code 123456 est toujours accepté.",
  consentSign:
    "J’ai lu les documents ci-dessus et j’accepte de les signer électroniquement. Je comprends que ma signature électronique m’engage comme ma signature manuscrite.",
  consentApprove: "J’ai lu les documents ci-dessus et je les approuve.",
  signatureTitle: "Votre signature",
  draw: "Dessiner",
  typeIt: "Saisir",
  clear: "Effacer",
  drawHint: "Signez dans le cadre avec la souris, le doigt ou un stylet.",
  typedLabel: "Vos nom et prénom",
  fieldsTitle: "Informations à compléter",
  fieldInitials: "Initiales",
  fieldDate: "Date",
  fieldText: "Texte",
  fieldCheckbox: "J’accepte",
  sign: "Signer",
  approve: "Approuver",
  decline: "Refuser",
  declineTitle: "Refuser de signer",
  declineReason: "Indiquez à l’expéditeur pourquoi vous refusez (obligatoire)",
  declineConfirm: "Refuser les documents",
  cancel: "Annuler",
  doneSigned:
    "Merci, vous avez signé. Vous recevrez les documents signés par e-mail quand tout le monde aura signé.",
  doneApproved: "Merci, vous avez approuvé les documents.",
  doneDeclined: "Vous avez refusé. L’expéditeur en a été informé.",
  waiting: "Ce n’est pas encore votre tour. En attente de : {names}.",
  completed: "Cette enveloppe est terminée : tout le monde a signé.",
  completedSealing:
    "Cette enveloppe est terminée : tout le monde a signé. Ses documents sont en cours de scellement ; cette page les proposera dans un instant.",
  completedSealingFailed:
    "Cette enveloppe est terminée : tout le monde a signé. Ses documents n’ont pas encore pu être scellés ; ils vous seront envoyés par e-mail dès qu’ils le seront.",
  checkAgain: "Vérifier à nouveau",
  getSigned: "Obtenir les documents signés",
  downloadSigned: "Télécharger le document signé",
  downloadAuditTrail: "Télécharger le dossier de preuve",
  verifyDocument: "Vérifier un document signé",
  declined: "Cette enveloppe a été refusée. Ce lien ne fonctionne plus.",
  voided: "L’expéditeur a annulé cette enveloppe. Ce lien ne fonctionne plus.",
  expired: "Cette enveloppe a expiré. Ce lien ne fonctionne plus.",
  invalidLink: "Ce lien de signature n’est pas valide. Vérifiez que vous l’avez copié en entier.",
  missingConsent: "Cochez la case pour donner votre consentement.",
  missingSignature: "Ajoutez d’abord votre signature.",
  missingField: "Remplissez tous les champs obligatoires.",
  error: "Une erreur est survenue. Veuillez réessayer.",
  tooMany: "Trop de tentatives. Attendez une minute puis réessayez.",
  testBanner: "TEST — sans valeur juridique",
  signHere: "Signer ici",
  initialsHere: "Initiales",
  requiredMark: "obligatoire",
  optionalMark: "facultatif",
  fieldOnPage: "{label}, page {page}",
  upload: "Importer",
  uploadLabel: "Une image de votre signature (PNG ou JPEG, 5 Mo au plus)",
  uploadUnreadable: "Ce fichier n’est pas une image PNG ou JPEG lisible.",
  uploadTooLarge: "Cette image est trop lourde : choisissez-en une de moins de 5 Mo.",
  initialsLabel: "Vos initiales",
  adoptTitle: "Adoptez votre signature",
  adoptIntro: "Elle apparaîtra ainsi dans chacun de vos champs de signature.",
  adopt: "Adopter et appliquer",
  changeSignature: "Changer de signature",
  barStart: "Commencer",
  barNext: "Champ suivant",
  barFinish: "Terminer",
  barHelp: "Aide",
  progress: "{done} champ(s) obligatoire(s) sur {total}",
  progressNone: "Rien à remplir : lisez les documents, puis terminez.",
  progressDone: "Tous les champs obligatoires sont remplis.",
  otpFirst: "Confirmez d’abord votre identité.",
  finishTitleSign: "Signer les documents",
  finishTitleApprove: "Approuver les documents",
  finishSummary: "Documents : {names}.",
  helpTitle: "Comment signer",
  helpStep1: "Lisez les documents. Les zones en surbrillance sont les vôtres.",
  helpStep2:
    "Appuyez sur Commencer, puis sur Champ suivant : chaque champ vous est montré à son tour. Cliquez sur un champ de signature pour dessiner, saisir ou importer votre signature.",
  helpStep3:
    "Quand tous les champs obligatoires sont remplis, appuyez sur Terminer, donnez votre consentement et signez.",
  helpContact:
    "Une question sur les documents ? Posez-la à {account}, qui vous les a envoyés. Si quelque chose ne va pas, refusez en expliquant pourquoi.",
  close: "Fermer",
  doneWhatSigned: "Vous avez signé : {names}.",
  doneWhatApproved: "Vous avez approuvé : {names}.",
  doneNextAll:
    "Tout le monde a signé. Les documents signés et leur dossier de preuve vous parviendront par e-mail dans quelques minutes.",
  doneNextOthers:
    "Quand tout le monde aura signé, vous recevrez par e-mail les documents signés et leur dossier de preuve.",
  redirecting: "Retour vers {host}…",
  continue: "Continuer",
  thanksSigned: "Merci, vous avez signé.",
};

const tr: Messages = {
  title: "İmzala: {subject}",
  intro: "{account} bu belgeleri incelemenizi ve imzalamanızı istiyor.",
  introApprover: "{account} bu belgeleri incelemenizi ve onaylamanızı istiyor.",
  introCc: "{account} bu belgeleri bilginize sunuyor. Yapmanız gereken bir şey yok.",
  documents: "Belgeler",
  pageOf: "Sayfa {page} / {pages}",
  loading: "Belge yükleniyor…",
  yourFields: "Vurgulanan alanları sizin doldurmanız gerekiyor.",
  otpTitle: "Kimliğinizi doğrulayın",
  otpIntroEmail: "{destination} adresine 6 haneli bir kod göndereceğiz.",
  otpIntroSms: "{destination} numarasına SMS ile 6 haneli bir kod göndereceğiz.",
  otpSend: "Kod gönder",
  otpResend: "Yeni kod gönder",
  otpSent: "{destination} adresine bir kod gönderildi. Kod 10 dakika geçerlidir.",
  otpLabel: "6 haneli kod",
  otpVerify: "Onayla",
  otpVerified: "Teşekkürler, kimliğiniz doğrulandı.",
  otpInvalid: "Kod hatalı. {remaining} deneme hakkınız kaldı.",
  otpExpired: "Kodun süresi doldu. Yeni bir kod isteyin.",
  otpLocked: "Çok fazla hatalı kod girildi. Yeni bir kod isteyin.",
  otpDeliveryFailed: "Kod şu anda gönderilemedi. Lütfen biraz sonra tekrar deneyin.",
  otpTestHint: "Test ortamı: 123456 kodu her zaman kabul edilir.",
  consentSign:
    "Yukarıdaki belgeleri okudum ve elektronik olarak imzalamayı kabul ediyorum. Elektronik imzamın, el yazısı imzam gibi beni bağladığını anlıyorum.",
  consentApprove: "Yukarıdaki belgeleri okudum ve onaylıyorum.",
  signatureTitle: "İmzanız",
  draw: "Çiz",
  typeIt: "Yaz",
  clear: "Temizle",
  drawHint: "Kutunun içine fare, parmak veya kalemle imzalayın.",
  typedLabel: "Adınız ve soyadınız",
  fieldsTitle: "Doldurulacak bilgiler",
  fieldInitials: "Paraf",
  fieldDate: "Tarih",
  fieldText: "Metin",
  fieldCheckbox: "Kabul ediyorum",
  sign: "İmzala",
  approve: "Onayla",
  decline: "Reddet",
  declineTitle: "İmzalamayı reddet",
  declineReason: "Gönderene neden reddettiğinizi yazın (zorunlu)",
  declineConfirm: "Belgeleri reddet",
  cancel: "Vazgeç",
  doneSigned:
    "Teşekkürler, imzaladınız. Herkes imzaladığında imzalı belgeler size e-postayla gönderilecek.",
  doneApproved: "Teşekkürler, belgeleri onayladınız.",
  doneDeclined: "Reddettiniz. Gönderen bilgilendirildi.",
  waiting: "Henüz sıranız gelmedi. Beklenenler: {names}.",
  completed: "Bu zarf tamamlandı: herkes imzaladı.",
  completedSealing:
    "Bu zarf tamamlandı: herkes imzaladı. Belgeleri mühürleniyor; bu sayfa onları birazdan sunacak.",
  completedSealingFailed:
    "Bu zarf tamamlandı: herkes imzaladı. Belgeleri henüz mühürlenemedi; mühürlendiklerinde size e-postayla gönderilecek.",
  checkAgain: "Yeniden kontrol et",
  getSigned: "İmzalı belgeleri alın",
  downloadSigned: "İmzalı belgeyi indir",
  downloadAuditTrail: "Denetim kaydını indir",
  verifyDocument: "İmzalı bir belgeyi doğrula",
  declined: "Bu zarf reddedildi. Bu bağlantı artık çalışmıyor.",
  voided: "Gönderen bu zarfı iptal etti. Bu bağlantı artık çalışmıyor.",
  expired: "Bu zarfın süresi doldu. Bu bağlantı artık çalışmıyor.",
  invalidLink: "Bu imza bağlantısı geçerli değil. Bağlantıyı eksiksiz kopyaladığınızdan emin olun.",
  missingConsent: "Onay vermek için kutuyu işaretleyin.",
  missingSignature: "Önce imzanızı ekleyin.",
  missingField: "Zorunlu alanların hepsini doldurun.",
  error: "Bir sorun oluştu. Lütfen tekrar deneyin.",
  tooMany: "Çok fazla deneme. Bir dakika bekleyip tekrar deneyin.",
  testBanner: "TEST — hukuki geçerliliği yoktur",
  signHere: "Burayı imzalayın",
  initialsHere: "Paraf",
  requiredMark: "zorunlu",
  optionalMark: "isteğe bağlı",
  fieldOnPage: "{label}, sayfa {page}",
  upload: "Yükle",
  uploadLabel: "İmzanızın bir resmi (PNG veya JPEG, en fazla 5 MB)",
  uploadUnreadable: "Bu dosya okunabilir bir PNG veya JPEG resmi değil.",
  uploadTooLarge: "Bu resim çok büyük: 5 MB’tan küçük bir resim seçin.",
  initialsLabel: "Parafınız",
  adoptTitle: "İmzanızı belirleyin",
  adoptIntro: "İmzanız tüm imza alanlarınızda böyle görünecek.",
  adopt: "Belirle ve uygula",
  changeSignature: "İmzanızı değiştirin",
  barStart: "Başla",
  barNext: "Sonraki alan",
  barFinish: "Bitir",
  barHelp: "Yardım",
  progress: "{total} zorunlu alandan {done} tanesi dolduruldu",
  progressNone: "Doldurulacak alan yok: belgeleri okuyun, sonra bitirin.",
  progressDone: "Tüm zorunlu alanlar dolduruldu.",
  otpFirst: "Önce kimliğinizi doğrulayın.",
  finishTitleSign: "Belgeleri imzalayın",
  finishTitleApprove: "Belgeleri onaylayın",
  finishSummary: "Belgeler: {names}.",
  helpTitle: "Nasıl imzalanır",
  helpStep1: "Belgeleri okuyun. Vurgulanan alanlar size aittir.",
  helpStep2:
    "Başla’ya, ardından Sonraki alan’a basın: her alan sırayla gösterilir. İmzanızı çizmek, yazmak veya yüklemek için bir imza alanına tıklayın.",
  helpStep3: "Tüm zorunlu alanlar dolduğunda Bitir’e basın, onayınızı verin ve imzalayın.",
  helpContact:
    "Belgelerle ilgili bir sorunuz mu var? Belgeleri gönderen {account} ile iletişime geçin. Bir sorun varsa nedenini yazarak reddedin.",
  close: "Kapat",
  doneWhatSigned: "İmzaladığınız belgeler: {names}.",
  doneWhatApproved: "Onayladığınız belgeler: {names}.",
  doneNextAll:
    "Herkes imzaladı. İmzalı belgeler ve denetim kayıtları birkaç dakika içinde e-postayla size ulaşacak.",
  doneNextOthers:
    "Herkes imzaladığında imzalı belgeleri ve denetim kayıtlarını e-postayla alacaksınız.",
  redirecting: "{host} adresine geri dönülüyor…",
  continue: "Devam",
  thanksSigned: "Teşekkürler, imzaladınız.",
};

const MESSAGES: Record<Locale, Messages> = { en, fr, tr };

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/** The recipient's own locale if we have it, else the browser's preference, else English. */
export function resolveLocale(
  recipientLocale: string | null,
  acceptLanguage: string | undefined,
): Locale {
  const own = recipientLocale?.slice(0, 2).toLowerCase();
  if (own && isLocale(own)) return own;
  const preferences = (acceptLanguage ?? "")
    .split(",")
    .map((part) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { language: tag.slice(0, 2).toLowerCase(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((p) => p.language && Number.isFinite(p.q) && p.q > 0)
    .sort((a, b) => b.q - a.q);
  return preferences.map((p) => p.language).find(isLocale) ?? "en";
}

/** `{name}` placeholders replaced by their values; unknown ones are left visible. */
export function interpolate(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

export function translate(
  locale: Locale,
  key: MessageKey,
  params: Record<string, string | number> = {},
): string {
  return interpolate(MESSAGES[locale][key], params);
}

/** All strings of a locale, for the page's script. */
export function messagesFor(locale: Locale): Messages {
  return MESSAGES[locale];
}
