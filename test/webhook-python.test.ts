import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { signatureHeader } from "../src/index.js";

/** The Python snippet of docs/webhooks.md, run as it is printed, against our own signatures. */
describe("the Python verification snippet in docs/webhooks.md", () => {
  it("accepts our signature and refuses a wrong secret, a changed body and an old timestamp", async () => {
    const docs = await readFile(new URL("../docs/webhooks.md", import.meta.url), "utf8");
    const snippet = /<!-- python-verify:start -->\s*```python\n([\s\S]+?)```/.exec(docs)?.[1];
    assert.ok(snippet, "the snippet is in the docs");
    const body = JSON.stringify({ id: "evt_1", object: "event", type: "envelope.completed" });
    const now = 1_795_860_000;
    const header = signatureHeader(body, ["whsec_other", "whsec_right"], now);
    const program = `${snippet}
import sys
body = sys.stdin.buffer.read()
header, now = sys.argv[1], int(sys.argv[2])
results = []
for secret, data, at in [("whsec_right", body, now), ("whsec_wrong", body, now), ("whsec_right", body + b" ", now), ("whsec_right", body, now + 301)]:
    try:
        verify_webhook(data, header, secret, now=at)
        results.append("ok")
    except ValueError as error:
        results.append(str(error))
print("|".join(results))
`;
    const output = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        "python3",
        ["-c", program, header, String(now)],
        (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout.trim())),
      );
      child.stdin?.end(body);
    });
    assert.equal(
      output,
      "ok|no signature matches the secret|no signature matches the secret|timestamp outside the tolerance",
    );
  });
});
