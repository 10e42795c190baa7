// What checking an envelope's text and phone numbers needs: the fonts (with the PDF library that
// reads them) and libphonenumber. The thread serving HTTP loads this module at the first envelope
// checked; the envelope writer's thread imports it at start (`EnvelopeDeps.inputChecks`).
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { unprintable } from "../../pdf/fonts.js";
import { type CheckPrintable, printableChecker } from "../printable.js";

export interface InputChecks {
  checkPrintable: CheckPrintable;
  parsePhone: typeof parsePhoneNumberFromString;
}

export const INPUT_CHECKS: InputChecks = {
  checkPrintable: printableChecker(unprintable),
  parsePhone: parsePhoneNumberFromString,
};
