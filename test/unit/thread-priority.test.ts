import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { DEFAULT_PDF_LIMITS } from "../../src/pdf/pdf-limits.js";
import { PdfPool } from "../../src/workers/pdf-pool.js";
import { PDF_THREAD_NICE } from "../../src/workers/thread-priority.js";
import { makePdf } from "../helpers/pdf.js";

/** The nice value of each thread of this process, by thread id (Linux: /proc/self/task). */
function niceByThread(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    // The fields after the command name (which may hold spaces) start at its closing parenthesis.
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    nice.set(Number(tid), Number(fields[16]));
  }
  return nice;
}

describe("PDF threads' priority", { skip: !existsSync("/proc/self/task") && "no /proc" }, () => {
  it("is lowered for the PDF threads alone, so that the thread serving HTTP wins a busy core", async () => {
    const before = niceByThread();
    const pool = new PdfPool(() => Promise.reject(new Error("no signer needed")), 1);
    const facts = await pool.inspect(await makePdf(["a4"]), DEFAULT_PDF_LIMITS);
    assert.equal(facts.pages.length, 1);
    const after = niceByThread();
    assert.equal(after.get(process.pid), 0, "the main thread keeps its priority");
    const lowered = [...after].filter(
      ([tid, nice]) => !before.has(tid) && nice === PDF_THREAD_NICE,
    );
    assert.equal(lowered.length, 1, `one new thread at nice ${PDF_THREAD_NICE}: ${[...after]}`);
  });
});
