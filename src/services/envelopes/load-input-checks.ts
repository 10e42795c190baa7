import type { InputChecks } from "./input-checks.js";

let loading: Promise<InputChecks> | undefined;

/**
 * `InputChecks`, their modules (the fonts, the PDF library that reads them, libphonenumber) loaded
 * at the first call, which most CLI commands never make. On the thread serving HTTP only: a Node
 * 20 worker run by tsx (the tests) cannot import a module once started, so the envelope writer's
 * thread imports `INPUT_CHECKS` at start.
 */
export function loadInputChecks(): Promise<InputChecks> {
  loading ??= import("./input-checks.js").then((loaded) => loaded.INPUT_CHECKS);
  return loading;
}
