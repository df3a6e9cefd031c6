// The performance targets on real WooCommerce, judged from one run's results: each row says the
// target, the measured value and whether it was met. A pure function: run.ts measures, this compares.

export interface Target {
  target: string;
  value: string | number;
  met: boolean;
}

export interface RealMeasures {
  asShipped: { events_per_s: number };
  asTuned: { events_per_s: number; peak_rss_mb_all: number };
  sidecarDefault: { events_per_s: number; peak_rss_mb_one: number };
  sidecarBest: { run: string; events_per_s: number };
  recovery: { run: string; taken_back_s: number | string }[];
  /** Undefined until the receiver-vs-floor scenario is part of the run. */
  receiver?: { receiver_per_s: number; floor_per_s: number; receiver_p99_ms: number };
  orderSave: { overhead_ms: number };
}

const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}× (${a.toFixed(1)} against ${b.toFixed(1)} events/s)`;

export function realTargets(m: RealMeasures): Target[] {
  const d = m.sidecarDefault.events_per_s;
  return [
    { target: 'incoming at default settings ≥ 1.4× Action Scheduler tuned', value: ratio(d, m.asTuned.events_per_s), met: d >= 1.4 * m.asTuned.events_per_s },
    { target: 'incoming at default settings ≥ 4× Action Scheduler as shipped', value: ratio(d, m.asShipped.events_per_s), met: d >= 4 * m.asShipped.events_per_s },
    { target: 'incoming at default settings ≥ 0.9× the best setting', value: `${ratio(d, m.sidecarBest.events_per_s)}; best: ${m.sidecarBest.run}`, met: d >= 0.9 * m.sidecarBest.events_per_s },
    {
      target: 'sidecar peak memory ≤ ¼ of Action Scheduler tuned',
      value: `${(m.sidecarDefault.peak_rss_mb_one / m.asTuned.peak_rss_mb_all).toFixed(2)} (${m.sidecarDefault.peak_rss_mb_one.toFixed(0)} MB against ${m.asTuned.peak_rss_mb_all.toFixed(0)} MB)`,
      met: m.sidecarDefault.peak_rss_mb_one <= m.asTuned.peak_rss_mb_all / 4,
    },
    ...m.recovery.map((r) => ({ target: `recovery after SIGKILL < 10 s (${r.run})`, value: typeof r.taken_back_s === 'number' ? `${r.taken_back_s.toFixed(1)} s` : r.taken_back_s, met: typeof r.taken_back_s === 'number' && r.taken_back_s < 10 })),
    m.receiver
      ? {
          target: 'receiver ≥ 0.85× the floor route at 4 clients, p99 < 50 ms',
          value: `${(m.receiver.receiver_per_s / m.receiver.floor_per_s).toFixed(2)}× (${m.receiver.receiver_per_s.toFixed(0)} against ${m.receiver.floor_per_s.toFixed(0)} req/s), p99 ${m.receiver.receiver_p99_ms.toFixed(1)} ms`,
          met: m.receiver.receiver_per_s >= 0.85 * m.receiver.floor_per_s && m.receiver.receiver_p99_ms < 50,
        }
      : { target: 'receiver ≥ 0.85× the floor route at 4 clients, p99 < 50 ms', value: 'not run', met: false },
    { target: 'order save: plugin adds < 2 ms (median)', value: `${m.orderSave.overhead_ms.toFixed(2)} ms`, met: m.orderSave.overhead_ms < 2 },
  ];
}
