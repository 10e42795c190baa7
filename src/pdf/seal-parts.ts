// What the thread serving HTTP knows of a seal, apart from the modules that load the PDF library.
import { displayText } from "../domain/user-text.js";
import type { SealRecord } from "./seal-record.js";

/** The part of an envelope's sealed output that holds every document in one PDF. */
export const ALL_DOCUMENTS = "all";

/** A failure caused by the documents themselves: trying again cannot mend it. */
export class UnusableDocumentError extends Error {
  override readonly name = "UnusableDocumentError";
}

/** The recipients who signed or approved, in their order, as a seal record lists them. */
export function signersOf(
  recipients: readonly {
    name: string;
    role: string;
    position: number;
    signed_at: string | null;
  }[],
): SealRecord["signers"] {
  return [...recipients]
    .filter((r) => r.signed_at !== null)
    .sort((a, b) => a.position - b.position)
    .map((r) => ({ name: displayText(r.name), role: r.role, signedAt: r.signed_at! }));
}
