import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";

/** Nice value of the PDF threads: the thread serving HTTP (nice 0) wins a contended core. */
export const PDF_THREAD_NICE = 10;

/**
 * Lowers the CPU priority of the calling thread alone, so that background PDF work yields the
 * cores to the requests being served. Linux schedules threads on their own: its thread id, read
 * from /proc/thread-self, is a valid target of setpriority(2). Elsewhere, or where the system
 * refuses, the thread keeps the process's priority. Returns whether it was lowered.
 */
export function lowerThreadPriority(nice = PDF_THREAD_NICE): boolean {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
