import type { VerificationProblem, VerificationResult } from "../pdf/verify-pdf.js";
import type { RevocationStatus } from "../pki/certificate-chains.js";
import { interpolate, type Locale } from "../signing/i18n.js";

/** Every string of the verification page, in each language the signing pages speak. */
const en = {
  title: "Verify a signed PDF",
  intro:
    "Choose a PDF to check whether this service sealed it and whether it has changed since. The file is checked on this server and is not kept.",
  fileLabel: "PDF file",
  verify: "Verify",
  verifyAnother: "Verify another file",
  languages: "Language",
  result_sealed_unchanged: "Authentic: sealed by this service, and unchanged since.",
  result_sealed_changed:
    "Sealed by this service, but changed since: this file is not exactly what was sealed.",
  result_altered: "Altered: a signature no longer matches the file's contents.",
  result_signed_elsewhere:
    "Signed, but not by this service. The signatures match the file; who signed is shown below.",
  result_unsigned: "This PDF carries no digital signature.",
  testEnvelope: "Test envelope: made in a test environment, it has no legal value.",
  envelope: "Envelope",
  contents_documents: "The signed documents",
  contents_audit_trail: "The audit trail",
  contents: "What this file is",
  signers: "Signed by",
  role_SIGNER: "{name}, signed on {date}",
  role_APPROVER: "{name}, approved on {date}",
  sealedAt: "Sealed on",
  unchanged: "Changed since sealing",
  unchangedNo:
    "No. Only validation data and timestamps were added since, as long-term archiving does.",
  unchangedYes:
    "Yes. What follows the seal in the file is not covered by this service's seal and timestamps.",
  uncovered: "{bytes} bytes at the end of the file are covered by no signature.",
  level: "Long-term validation",
  "level_B-LTA":
    "PAdES B-LTA: timestamped, with the certificates and revocation data needed to check it later, and an archive timestamp valid until {date}.",
  "level_B-LT":
    "PAdES B-LT: timestamped, with the certificates and revocation data needed to check it later.",
  "level_B-T":
    "PAdES B-T: timestamped, but the revocation data needed to check it in years is missing.",
  "level_B-B": "PAdES B-B: not timestamped; the signing time is only what the signer claims.",
  eventChain: "Events of the audit trail",
  eventChainIntact:
    "{count} events, attached to this file; their hash chain is intact. Last hash: {head}",
  eventChainBroken: "The attached events do not form an intact hash chain: they were changed.",
  file: "File",
  fileFacts: "{size} bytes, SHA-256 {sha256}",
  details: "Signatures and timestamps",
  kind_signature: "Signature",
  kind_document_timestamp: "Document timestamp",
  signedBy: "By",
  byPlatform: "this service",
  notByPlatform: "not this service",
  intact: "Matches the bytes it covers",
  notIntact: "Does not match the bytes it covers",
  covers: "Covers",
  coversWhole: "the whole file",
  coversPart: "the file as it was then ({bytes} bytes)",
  claimedTime: "Time claimed by the signer",
  timestamp: "Timestamp",
  timestampFacts: "{date}, by {authority}",
  reason: "Reason",
  certification: "Certification",
  certification_no_changes: "no change allowed after it",
  certification_form_filling: "form filling and signing allowed after it",
  certification_form_filling_and_annotations: "form filling, signing and comments allowed after it",
  certificates: "Certificates",
  issuedBy: "Issued by",
  validity: "Valid from {from} to {to}",
  fingerprint: "SHA-256 fingerprint",
  revocation: "Revocation",
  revocation_good: "not revoked (revocation list in the file)",
  revocation_revoked: "revoked",
  revocation_missing: "no revocation data in the file",
  revocation_not_applicable: "root certificate",
  problems: "Findings",
  problem_byte_range_invalid: "Its byte range is malformed: it cannot be checked.",
  problem_cms_malformed: "Its signature data is malformed.",
  problem_digest_mismatch: "The bytes it covers were changed after signing.",
  problem_signature_invalid: "The signature value does not verify with the signer's certificate.",
  problem_signer_certificate_missing: "The signer's certificate is missing.",
  problem_signing_time_attribute:
    "It carries a signing-time attribute, which PAdES baseline signatures must not.",
  problem_signing_certificate_mismatch: "It names another certificate than the one that signed.",
  problem_untrusted: "Its certificate does not chain to this service's root.",
  problem_certificate_not_valid_at_signing_time:
    "The signer's certificate was not valid at the signing time.",
  problem_revoked: "A certificate of its chain was revoked before the signing time.",
  problem_revocation_data_missing: "The file lacks revocation data for its certificates.",
  problem_timestamp_invalid: "Its timestamp does not verify.",
  problem_no_timestamp: "It carries no timestamp.",
  truncated: "The file holds more signatures than are checked here: only the first ones were.",
  error_document_not_pdf: "This file is not a PDF.",
  error_document_too_large: "This file is larger than the size limit.",
  error_document_empty: "This file is empty.",
  error_document_corrupt: "This PDF is damaged and cannot be read.",
  error_document_encrypted: "This PDF is encrypted: it cannot be checked here.",
  error_parameter_missing: "Choose a PDF file first.",
  error_rate_limit_exceeded: "Too many verifications from your address. Try again in a minute.",
  error_verification_busy: "The service is busy. Try again in a few seconds.",
};

export type VerifyMessageKey = keyof typeof en;
type Messages = Record<VerifyMessageKey, string>;

const fr: Messages = {
  title: "Vérifier un PDF signé",
  intro:
    "Choisissez un PDF pour vérifier que ce service l'a scellé et qu'il n'a pas changé depuis. Le fichier est vérifié sur ce serveur et n'est pas conservé.",
  fileLabel: "Fichier PDF",
  verify: "Vérifier",
  verifyAnother: "Vérifier un autre fichier",
  languages: "Langue",
  result_sealed_unchanged: "Authentique : scellé par ce service, et inchangé depuis.",
  result_sealed_changed:
    "Scellé par ce service, mais modifié depuis : ce fichier n'est pas exactement celui qui a été scellé.",
  result_altered: "Altéré : une signature ne correspond plus au contenu du fichier.",
  result_signed_elsewhere:
    "Signé, mais pas par ce service. Les signatures correspondent au fichier ; le signataire est indiqué ci-dessous.",
  result_unsigned: "Ce PDF ne porte aucune signature numérique.",
  testEnvelope:
    "Enveloppe de test : créée dans un environnement de test, elle n'a aucune valeur juridique.",
  envelope: "Enveloppe",
  contents_documents: "Les documents signés",
  contents_audit_trail: "Le dossier de preuve",
  contents: "Nature du fichier",
  signers: "Signé par",
  role_SIGNER: "{name}, signé le {date}",
  role_APPROVER: "{name}, approuvé le {date}",
  sealedAt: "Scellé le",
  unchanged: "Modifié depuis le scellement",
  unchangedNo:
    "Non. Seuls des données de validation et des horodatages ont été ajoutés depuis, comme le fait l'archivage à long terme.",
  unchangedYes:
    "Oui. Ce qui suit le sceau dans le fichier n'est couvert ni par le sceau ni par les horodatages de ce service.",
  uncovered: "{bytes} octets en fin de fichier ne sont couverts par aucune signature.",
  level: "Validation à long terme",
  "level_B-LTA":
    "PAdES B-LTA : horodaté, avec les certificats et les données de révocation nécessaires pour le vérifier plus tard, et un horodatage d'archive valable jusqu'au {date}.",
  "level_B-LT":
    "PAdES B-LT : horodaté, avec les certificats et les données de révocation nécessaires pour le vérifier plus tard.",
  "level_B-T":
    "PAdES B-T : horodaté, mais sans les données de révocation nécessaires pour le vérifier dans des années.",
  "level_B-B":
    "PAdES B-B : non horodaté ; l'heure de signature n'est que celle qu'annonce le signataire.",
  eventChain: "Événements du dossier de preuve",
  eventChainIntact:
    "{count} événements, joints à ce fichier ; leur chaîne de hachage est intacte. Dernier hachage : {head}",
  eventChainBroken:
    "Les événements joints ne forment pas une chaîne de hachage intacte : ils ont été modifiés.",
  file: "Fichier",
  fileFacts: "{size} octets, SHA-256 {sha256}",
  details: "Signatures et horodatages",
  kind_signature: "Signature",
  kind_document_timestamp: "Horodatage du document",
  signedBy: "Par",
  byPlatform: "ce service",
  notByPlatform: "pas ce service",
  intact: "Correspond aux octets qu'elle couvre",
  notIntact: "Ne correspond pas aux octets qu'elle couvre",
  covers: "Couvre",
  coversWhole: "tout le fichier",
  coversPart: "le fichier tel qu'il était alors ({bytes} octets)",
  claimedTime: "Heure annoncée par le signataire",
  timestamp: "Horodatage",
  timestampFacts: "{date}, par {authority}",
  reason: "Motif",
  certification: "Certification",
  certification_no_changes: "aucune modification permise ensuite",
  certification_form_filling: "remplissage de formulaires et signatures permis ensuite",
  certification_form_filling_and_annotations:
    "remplissage de formulaires, signatures et commentaires permis ensuite",
  certificates: "Certificats",
  issuedBy: "Émis par",
  validity: "Valable du {from} au {to}",
  fingerprint: "Empreinte SHA-256",
  revocation: "Révocation",
  revocation_good: "non révoqué (liste de révocation dans le fichier)",
  revocation_revoked: "révoqué",
  revocation_missing: "aucune donnée de révocation dans le fichier",
  revocation_not_applicable: "certificat racine",
  problems: "Constats",
  problem_byte_range_invalid: "Sa plage d'octets est malformée : elle ne peut pas être vérifiée.",
  problem_cms_malformed: "Ses données de signature sont malformées.",
  problem_digest_mismatch: "Les octets qu'elle couvre ont été modifiés après la signature.",
  problem_signature_invalid:
    "La valeur de signature ne se vérifie pas avec le certificat du signataire.",
  problem_signer_certificate_missing: "Le certificat du signataire manque.",
  problem_signing_time_attribute:
    "Elle porte un attribut signing-time, que les signatures PAdES de base ne doivent pas avoir.",
  problem_signing_certificate_mismatch: "Elle désigne un autre certificat que celui qui a signé.",
  problem_untrusted: "Son certificat ne remonte pas à la racine de ce service.",
  problem_certificate_not_valid_at_signing_time:
    "Le certificat du signataire n'était pas valable à l'heure de signature.",
  problem_revoked: "Un certificat de sa chaîne a été révoqué avant l'heure de signature.",
  problem_revocation_data_missing:
    "Le fichier n'a pas les données de révocation de ses certificats.",
  problem_timestamp_invalid: "Son horodatage ne se vérifie pas.",
  problem_no_timestamp: "Elle ne porte aucun horodatage.",
  truncated:
    "Le fichier porte plus de signatures que ce service n'en vérifie : seules les premières l'ont été.",
  error_document_not_pdf: "Ce fichier n'est pas un PDF.",
  error_document_too_large: "Ce fichier dépasse la taille maximale.",
  error_document_empty: "Ce fichier est vide.",
  error_document_corrupt: "Ce PDF est endommagé et ne peut pas être lu.",
  error_document_encrypted: "Ce PDF est chiffré : il ne peut pas être vérifié ici.",
  error_parameter_missing: "Choisissez d'abord un fichier PDF.",
  error_rate_limit_exceeded:
    "Trop de vérifications depuis votre adresse. Réessayez dans une minute.",
  error_verification_busy: "Le service est occupé. Réessayez dans quelques secondes.",
};

const tr: Messages = {
  title: "İmzalı bir PDF'i doğrulayın",
  intro:
    "Bu hizmetin bir PDF'i mühürleyip mühürlemediğini ve o zamandan beri değişip değişmediğini denetlemek için dosyayı seçin. Dosya bu sunucuda denetlenir ve saklanmaz.",
  fileLabel: "PDF dosyası",
  verify: "Doğrula",
  verifyAnother: "Başka bir dosya doğrula",
  languages: "Dil",
  result_sealed_unchanged: "Özgün: bu hizmet tarafından mühürlendi ve o zamandan beri değişmedi.",
  result_sealed_changed:
    "Bu hizmet tarafından mühürlendi, ancak sonradan değişti: bu dosya mühürlenen dosyanın tıpkısı değil.",
  result_altered: "Değiştirilmiş: bir imza artık dosyanın içeriğiyle eşleşmiyor.",
  result_signed_elsewhere:
    "İmzalı, ancak bu hizmet tarafından değil. İmzalar dosyayla eşleşiyor; imzalayan aşağıda gösteriliyor.",
  result_unsigned: "Bu PDF hiçbir dijital imza taşımıyor.",
  testEnvelope: "Test zarfı: bir test ortamında oluşturuldu, hukuki değeri yoktur.",
  envelope: "Zarf",
  contents_documents: "İmzalanan belgeler",
  contents_audit_trail: "Denetim kaydı",
  contents: "Bu dosya nedir",
  signers: "İmzalayanlar",
  role_SIGNER: "{name}, {date} tarihinde imzaladı",
  role_APPROVER: "{name}, {date} tarihinde onayladı",
  sealedAt: "Mühürlenme tarihi",
  unchanged: "Mühürden sonra değişti mi",
  unchangedNo:
    "Hayır. O zamandan beri yalnızca doğrulama verileri ve zaman damgaları eklendi; uzun süreli arşivleme bunu yapar.",
  unchangedYes:
    "Evet. Dosyada mühürden sonra gelen kısım bu hizmetin mührü ve zaman damgalarınca kapsanmıyor.",
  uncovered: "Dosyanın sonundaki {bytes} bayt hiçbir imzayla kapsanmıyor.",
  level: "Uzun süreli doğrulama",
  "level_B-LTA":
    "PAdES B-LTA: zaman damgalı, ileride denetlemek için gereken sertifikalar ve iptal verileriyle, {date} tarihine kadar geçerli bir arşiv zaman damgasıyla.",
  "level_B-LT":
    "PAdES B-LT: zaman damgalı, ileride denetlemek için gereken sertifikalar ve iptal verileriyle.",
  "level_B-T":
    "PAdES B-T: zaman damgalı, ancak yıllar sonra denetlemek için gereken iptal verileri eksik.",
  "level_B-B": "PAdES B-B: zaman damgası yok; imza zamanı yalnızca imzalayanın beyanı.",
  eventChain: "Denetim kaydının olayları",
  eventChainIntact: "Bu dosyaya ekli {count} olay; karma zincirleri sağlam. Son karma: {head}",
  eventChainBroken: "Ekli olaylar sağlam bir karma zinciri oluşturmuyor: değiştirilmişler.",
  file: "Dosya",
  fileFacts: "{size} bayt, SHA-256 {sha256}",
  details: "İmzalar ve zaman damgaları",
  kind_signature: "İmza",
  kind_document_timestamp: "Belge zaman damgası",
  signedBy: "İmzalayan",
  byPlatform: "bu hizmet",
  notByPlatform: "bu hizmet değil",
  intact: "Kapsadığı baytlarla eşleşiyor",
  notIntact: "Kapsadığı baytlarla eşleşmiyor",
  covers: "Kapsam",
  coversWhole: "dosyanın tamamı",
  coversPart: "dosyanın o anki hâli ({bytes} bayt)",
  claimedTime: "İmzalayanın beyan ettiği zaman",
  timestamp: "Zaman damgası",
  timestampFacts: "{date}, {authority} tarafından",
  reason: "Gerekçe",
  certification: "Sertifikasyon",
  certification_no_changes: "sonrasında hiçbir değişikliğe izin yok",
  certification_form_filling: "sonrasında form doldurma ve imzalamaya izin var",
  certification_form_filling_and_annotations:
    "sonrasında form doldurma, imzalama ve yorumlara izin var",
  certificates: "Sertifikalar",
  issuedBy: "Veren",
  validity: "{from} ile {to} arasında geçerli",
  fingerprint: "SHA-256 parmak izi",
  revocation: "İptal durumu",
  revocation_good: "iptal edilmemiş (iptal listesi dosyada)",
  revocation_revoked: "iptal edilmiş",
  revocation_missing: "dosyada iptal verisi yok",
  revocation_not_applicable: "kök sertifika",
  problems: "Bulgular",
  problem_byte_range_invalid: "Bayt aralığı bozuk: denetlenemiyor.",
  problem_cms_malformed: "İmza verisi bozuk.",
  problem_digest_mismatch: "Kapsadığı baytlar imzadan sonra değiştirilmiş.",
  problem_signature_invalid: "İmza değeri imzalayanın sertifikasıyla doğrulanmıyor.",
  problem_signer_certificate_missing: "İmzalayanın sertifikası eksik.",
  problem_signing_time_attribute:
    "PAdES temel imzalarında bulunmaması gereken bir signing-time özniteliği taşıyor.",
  problem_signing_certificate_mismatch: "İmzalayan sertifikadan başka bir sertifikayı gösteriyor.",
  problem_untrusted: "Sertifikası bu hizmetin köküne bağlanmıyor.",
  problem_certificate_not_valid_at_signing_time:
    "İmzalayanın sertifikası imza zamanında geçerli değildi.",
  problem_revoked: "Zincirindeki bir sertifika imza zamanından önce iptal edilmiş.",
  problem_revocation_data_missing: "Dosyada sertifikalarının iptal verileri yok.",
  problem_timestamp_invalid: "Zaman damgası doğrulanmıyor.",
  problem_no_timestamp: "Zaman damgası taşımıyor.",
  truncated: "Dosyada burada denetlenenden fazla imza var: yalnızca ilkleri denetlendi.",
  error_document_not_pdf: "Bu dosya bir PDF değil.",
  error_document_too_large: "Bu dosya boyut sınırını aşıyor.",
  error_document_empty: "Bu dosya boş.",
  error_document_corrupt: "Bu PDF hasarlı ve okunamıyor.",
  error_document_encrypted: "Bu PDF şifreli: burada denetlenemez.",
  error_parameter_missing: "Önce bir PDF dosyası seçin.",
  error_rate_limit_exceeded: "Adresinizden çok fazla doğrulama yapıldı. Bir dakika sonra deneyin.",
  error_verification_busy: "Hizmet şu an meşgul. Birkaç saniye sonra deneyin.",
};

const MESSAGES: Record<Locale, Messages> = { en, fr, tr };

export function say(
  locale: Locale,
  key: VerifyMessageKey,
  params: Record<string, string | number> = {},
): string {
  return interpolate(MESSAGES[locale][key], params);
}

/** The message for an error code the page explains, if it has one. */
export function errorMessage(locale: Locale, code: string): string | undefined {
  const key = `error_${code}`;
  return key in en ? say(locale, key as VerifyMessageKey) : undefined;
}

export const resultKey = (result: VerificationResult) => `result_${result}` as const;
export const problemKey = (problem: VerificationProblem) => `problem_${problem}` as const;
export const revocationKey = (status: RevocationStatus) => `revocation_${status}` as const;
