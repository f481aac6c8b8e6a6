/**
 * The time-of-day part of a cron rule (second, minute, hour): finds the next matching second of a day by carrying
 * through the three fields, never by scanning second by second.
 */

/** Index i of the result holds the smallest allowed value ≥ i, or -1; one extra slot past the end holds -1. */
function nextAllowed(flags: readonly boolean[]): Int16Array {
  const next = new Int16Array(flags.length + 1).fill(-1);
  for (let i = flags.length - 1; i >= 0; i--) next[i] = flags[i] ? i : (next[i + 1] as number);
  return next;
}

/** The seconds of a day (0–86 399) at which a cron rule fires on a matching date. */
export class TimeOfDay {
  private readonly nextSecond: Int16Array;
  private readonly nextMinute: Int16Array;
  private readonly nextHour: Int16Array;
  /** The first matching second of a day. */
  readonly first: number;

  constructor(seconds: readonly boolean[], minutes: readonly boolean[], hours: readonly boolean[]) {
    this.nextSecond = nextAllowed(seconds);
    this.nextMinute = nextAllowed(minutes);
    this.nextHour = nextAllowed(hours);
    this.first = this.nextFrom(0);
  }

  /** The first matching second of the day at or after `secondOfDay`, or -1 when none is left that day. */
  nextFrom(secondOfDay: number): number {
    let hour = Math.floor(secondOfDay / 3600);
    let minute = Math.floor(secondOfDay / 60) % 60;
    let second = secondOfDay % 60;
    for (;;) {
      const h = this.nextHour[hour] as number;
      if (h < 0) return -1;
      if (h > hour) return h * 3600 + this.firstIn(this.nextMinute) * 60 + this.firstIn(this.nextSecond);
      const m = this.nextMinute[minute] as number;
      if (m < 0) {
        hour++;
        minute = 0;
        second = 0;
        continue;
      }
      if (m > minute) return hour * 3600 + m * 60 + this.firstIn(this.nextSecond);
      const s = this.nextSecond[second] as number;
      if (s >= 0) return hour * 3600 + minute * 60 + s;
      minute++;
      second = 0;
    }
  }

  private firstIn(next: Int16Array): number {
    return next[0] as number;
  }
}
