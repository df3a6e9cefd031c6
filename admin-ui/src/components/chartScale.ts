// Pure helpers of the time-series chart: round axis ticks, compact numbers, and times in the site's
// time zone (an IANA name, or the fixed offset WordPress stores for a site set to "UTC+5:30").

/** Ticks from 0 to a round value at or above max, about count steps of 1, 2 or 5 × 10^k. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) {
    ticks.push(Number(v.toPrecision(12)));
    if (v >= max) break;
  }
  return ticks;
}

/** A number with at most two decimals below 10, one below 100, none above. */
export function formatNumber(value: number, locale?: string): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
}

const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

/** A formatter of Unix milliseconds in the given time zone, and the minute of the day there. */
export function siteClock(timeZone: string, locale?: string) {
  const offset = OFFSET.exec(timeZone);
  // A fixed offset is applied by hand: not every browser takes "+05:30" as a timeZone.
  const shift = offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000 : 0;
  const zone = offset ? 'UTC' : validZone(timeZone) ? timeZone : 'UTC';
  const partsOf = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
  return {
    format: (ms: number, options: Intl.DateTimeFormatOptions): string => new Intl.DateTimeFormat(locale, { ...options, timeZone: zone }).format(ms + shift),
    minuteOfDay: (ms: number): number => {
      const parts = Object.fromEntries(partsOf.formatToParts(ms + shift).map((p) => [p.type, p.value]));
      return Number(parts.hour) * 60 + Number(parts.minute);
    },
  };
}

function validZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The ticks to label: each bucket that holds a round step of the local clock (every stepMinutes
 * since local midnight), at that moment, so an hourly bucket from 23:30 is labelled with the
 * midnight inside it on a site half an hour off UTC. At most about `most` ticks.
 */
export function timeTicks(times: number[], bucketMinutes: number, stepMinutes: number, minuteOfDay: (ms: number) => number, most = 8): { index: number; at: number }[] {
  const ticks = times.flatMap((t, index) => {
    const past = minuteOfDay(t) % stepMinutes;
    const until = past === 0 ? 0 : stepMinutes - past;
    return until < bucketMinutes ? [{ index, at: t + until * 60_000 }] : [];
  });
  const every = Math.ceil(ticks.length / most);
  return ticks.filter((_, i) => i % every === 0);
}
