// What checking an envelope's text and phone numbers needs: the fonts (with the PDF library that
// reads them) and libphonenumber. The thread serving HTTP loads this module at the first text
// checked (`loadInputChecks`); the envelope writer's thread imports it at start.
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
