// `npm run bench:writer-cpu`: what one create + send costs the threads of a SQLite server, in CPU
// time, without HTTP: 8 callers of the app's envelope service (the envelope writer's thread), as
// the 8 clients of bench:writes. On a machine whose speed drifts by 10 % between runs, the
// throughput of bench:writes cannot tell a change of 5 %; the writer's CPU time per envelope,
// read from Linux's per-thread counters (/proc/self/task/*/schedstat, nanoseconds), can, when two
// commits are run in turn (`BENCH_WRITER_ROUNDS` rounds of `BENCH_WRITER_ENVELOPES` each, after
// as many unmeasured). Reported, not judged: bench:writes holds the target.

import type { EnvelopeInput } from "../src/services/envelopes/types.js";
import { onEachDatabase, ourServer } from "./autocannon.js";
import { hasThreadCounters, threadCpu } from "./thread-cpu.js";

const CALLERS = 8;
const ENVELOPES = Number(process.env.BENCH_WRITER_ENVELOPES ?? 2000);
const ROUNDS = Number(process.env.BENCH_WRITER_ROUNDS ?? 4);

async function run(env: Record<string, string>): Promise<number> {
  const server = await ourServer(env, { worker: false });
  try {
    const { app } = server;
    const scope = (await app.keys.authenticate(server.options.key))!.scope;
    await app.webhooks.create(scope, { url: "http://127.0.0.1:9/hooks" });
    const context = { actor: { type: "system" as const }, ip: null, userAgent: null };
    const input: EnvelopeInput = {
      subject: "Employment contract",
      documentIds: [server.options.documentId],
      recipients: [1, 2, 3].map((n) => ({
        email: `signer${n}@example.com`,
        name: `Signer ${n}`,
        role: "SIGNER" as const,
      })),
    };
    const createAndSend = (count: number) =>
      Promise.all(
        Array.from({ length: CALLERS }, async () => {
          for (let i = 0; i < count / CALLERS; i++) {
            const { id } = await app.envelopes.create(scope, input, context);
            await app.envelopes.send(scope, id, context);
          }
        }),
      );
    await createAndSend(ENVELOPES);
    console.log(
      `\nCPU per envelope created and sent, SQLite, ${CALLERS} callers in-process, ${ENVELOPES} per round`,
    );
    for (let round = 1; round <= ROUNDS; round++) {
      const before = threadCpu();
      const started = performance.now();
      await createAndSend(ENVELOPES);
      const seconds = (performance.now() - started) / 1000;
      const perEnvelope = [...threadCpu()]
        .map(([tid, ms]) => (ms - (before.get(tid) ?? ms)) / ENVELOPES)
        .sort((a, b) => b - a);
      const [writer = 0, second = 0, third = 0] = perEnvelope;
      const all = perEnvelope.reduce((a, b) => a + b, 0);
      console.log(
        `round ${round}: ${(ENVELOPES / seconds).toFixed(0)} /s; the busiest thread (the envelope writer) ${writer.toFixed(3)} ms, then ${second.toFixed(3)} and ${third.toFixed(3)} ms; all threads ${all.toFixed(3)} ms`,
      );
    }
    return 0;
  } finally {
    await server.close();
  }
}

if (!hasThreadCounters) {
  console.log("bench:writer-cpu reads Linux's per-thread counters: nothing to measure here.");
} else {
  await onEachDatabase("writer-cpu", (_label, env, engine) =>
    engine === "sqlite"
      ? run({ CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true", ...env })
      : Promise.resolve(0),
  );
}
