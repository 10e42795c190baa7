// `certyneo`: reads the command line, then loads the commands (and with them the whole
// application) only when there is one to run.
import { ConfigError } from "../config.js";
import { CertyneoError } from "../domain/errors.js";
import { parse, USAGE, UsageError } from "./usage.js";

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv);
  if (values.help || positionals.length === 0) {
    console.log(USAGE);
    return;
  }
  const { run } = await import("./commands.js");
  await run(values, positionals);
}

// A command whose work never settles (a deadlock) must not look like a success when Node exits.
process.exitCode = 1;
main(process.argv.slice(2)).then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error)) {
      console.error(`certyneo: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof ConfigError || error instanceof CertyneoError) {
      console.error(`certyneo: ${error.message}`);
      process.exit(1);
    }
    console.error("certyneo: unexpected error:", error);
    process.exit(1);
  },
);
