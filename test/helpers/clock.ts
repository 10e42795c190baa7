import type { Clock } from "../../src/domain/clock.js";

export class ManualClock implements Clock {
  private ms: number;

  constructor(start = "2026-11-28T10:00:00.000Z") {
    this.ms = Date.parse(start);
  }

  now(): Date {
    return new Date(this.ms);
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}
