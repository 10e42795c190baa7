// What the threads of this process have run, read from Linux's per-thread counters: on a machine
// whose speed drifts by 20 % between runs, a change's CPU time per call is seen where its
// throughput is not (bench:writer-cpu, bench:writes).

import { existsSync, readdirSync, readFileSync } from "node:fs";

/** Whether this system has the counters (Linux). */
export const hasThreadCounters = existsSync("/proc/self/task");

/** CPU time of each thread of this process so far, in ms, by thread id. */
export function threadCpu(): Map<string, number> {
  return new Map(
    readdirSync("/proc/self/task").map((tid) => [
      tid,
      Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]) / 1e6,
    ]),
  );
}

/** CPU time of this process's children that have ended (a load generator, say), in ms. */
export function endedChildrenCpu(): number {
  // cutime and cstime: the 16th and 17th fields of /proc/self/stat, in ticks of 10 ms.
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[13]) + Number(fields[14])) * 10;
}
