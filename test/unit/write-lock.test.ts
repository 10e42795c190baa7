import assert from "node:assert/strict";
import { test } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { WriteLock } from "../../src/db/write-lock.js";

/** Two holders of one lock, as two threads of a process would be (slots 0 and 1). */
function pair() {
  const main = new WriteLock();
  return { main, other: new WriteLock(main.buffer, 1) };
}

/** Whether `promise` has settled after the pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await nextTurn();
  await nextTurn();
  return done;
}

test("serves writers in the order they asked, and the event loop runs while one waits", async () => {
  const { main, other } = pair();
  await main.acquire();
  assert.equal(main.held, true);
  const order: string[] = [];
  const otherTurn = other.acquire().then(() => order.push("other"));
  const mainAgain = main.acquire().then(() => order.push("main again"));
  // The waiting thread's event loop keeps running: its timers fire while both wait (a wait that
  // blocked the thread would hang here). Counted as turns, not timed: a busy machine is slow.
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.deepEqual(order, []);
  main.release();
  await otherTurn;
  assert.equal(await settled(mainAgain), false, "the main thread asked second: it waits");
  other.release();
  await mainAgain;
  assert.deepEqual(order, ["other", "main again"]);
  main.release();
  assert.equal(main.held, false);
});

test("a thread that ended holding the lock gives it up to the next writer", async () => {
  const { main, other } = pair();
  await other.acquire();
  const waiting = main.acquire();
  assert.equal(await settled(waiting), false);
  main.abandon(1);
  await waiting;
  main.release();
  main.abandon(1); // Nothing held or awaited any more: nothing happens.
  await main.acquire();
  main.release();
});

test("a thread that ended waiting for the lock is skipped when its turn comes", async () => {
  const { main, other } = pair();
  await main.acquire();
  const never = other.acquire();
  const next = main.acquire();
  main.abandon(1);
  main.release();
  await next;
  assert.equal(await settled(never), false, "the ended thread's ticket was skipped, not served");
  main.release();
  await main.acquire();
  main.release();
});

test("tickets wrap around past the largest int32", async () => {
  const { main, other } = pair();
  const cells = new Int32Array(main.buffer);
  cells[0] = 2 ** 31 - 2; // the next ticket
  cells[1] = 2 ** 31 - 2; // the one served
  for (let i = 0; i < 5; i++) {
    await main.acquire();
    const waiting = other.acquire();
    assert.equal(await settled(waiting), false);
    main.release();
    await waiting;
    other.release();
  }
  assert.ok(cells[0]! < 0, "the tickets wrapped");
  await main.acquire();
  main.release();
});

test("another thread holding the lock makes this one wait, without blocking it", async () => {
  const main = new WriteLock();
  // A thread that takes the lock as the envelope writer's would (its cells, Atomics), holds it
  // until told, then releases it the same way.
  const thread = new Worker(
    `const { workerData, parentPort } = require("node:worker_threads");
     const cells = new Int32Array(workerData);
     const ticket = Atomics.add(cells, 0, 1);
     while (Atomics.load(cells, 1) !== ticket) Atomics.wait(cells, 1, Atomics.load(cells, 1));
     Atomics.store(cells, 2, 99);
     parentPort.postMessage("held");
     parentPort.once("message", () => {
       Atomics.store(cells, 2, 0);
       Atomics.add(cells, 1, 1);
       Atomics.notify(cells, 1);
       parentPort.close();
     });`,
    { eval: true, workerData: main.buffer },
  );
  // Listened to from the start: the thread can end before `waiting` resolves here.
  const exited = new Promise((resolve) => thread.once("exit", resolve));
  await new Promise((resolve) => thread.once("message", resolve));
  assert.equal(main.held, true);
  const waiting = main.acquire();
  assert.equal(await settled(waiting), false);
  thread.postMessage("release");
  await waiting;
  main.release();
  await exited;
});
