import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * Encrypts secrets at rest with AES-256-GCM, under a key derived (HKDF) from the server secret
 * and a purpose, so that each use has its own key. Sealed form: 12-byte nonce, 16-byte tag,
 * ciphertext. Optional associated data (e.g. the id of the row that holds the sealed value) is
 * authenticated, not stored: opening needs the same, so a value moved to another row fails.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(serverSecret: Buffer, purpose: string) {
    this.key = Buffer.from(hkdfSync("sha256", serverSecret, Buffer.alloc(0), purpose, 32));
  }

  seal(plain: Buffer, associated?: Buffer): Buffer {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    if (associated) cipher.setAAD(associated);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([nonce, cipher.getAuthTag(), body]);
  }

  /** Throws when the data was changed or sealed under another secret. */
  open(sealed: Buffer, associated?: Buffer): Buffer {
    const decipher = createDecipheriv("aes-256-gcm", this.key, sealed.subarray(0, 12));
    if (associated) decipher.setAAD(associated);
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
  }
}
