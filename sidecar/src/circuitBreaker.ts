// One circuit per remote host: after `threshold` consecutive transient failures, spread over at least
// two different subjects (orders), it opens for `openMs` and fails fast; then one trial call is let
// through (half-open) and decides. One broken record retrying alone never opens the host's circuit.
import { TransientError } from './errors.js';
import type { Clock } from './clock.js';

interface State {
  failures: number;
  subjects: Set<string>;
  openUntil: number;
  trialInFlight: boolean;
}

export class CircuitBreakers {
  private readonly states = new Map<string, State>();

  constructor(
    private readonly clock: Clock,
    private readonly threshold = 5,
    private readonly openMs = 30_000,
  ) {}

  /** Runs call through the host's circuit. Only TransientErrors count as failures. */
  async run<T>(host: string, call: () => Promise<T>, subject = ''): Promise<T> {
    const state = this.states.get(host) ?? { failures: 0, subjects: new Set<string>(), openUntil: 0, trialInFlight: false };
    this.states.set(host, state);
    const now = this.clock.now().getTime();
    const tripped = state.failures >= this.threshold && state.subjects.size >= 2;
    if (state.openUntil > now || (tripped && state.trialInFlight)) {
      throw new TransientError('circuit_open', `the circuit for ${host} is open after ${state.failures} failures`, Math.max(1000, state.openUntil - now));
    }
    const trial = tripped;
    if (trial) state.trialInFlight = true;
    try {
      const result = await call();
      state.failures = 0;
      state.subjects.clear();
      state.openUntil = 0;
      return result;
    } catch (err) {
      if (err instanceof TransientError) {
        state.failures++;
        if (state.subjects.size < 2) state.subjects.add(subject);
        if (state.failures >= this.threshold && state.subjects.size >= 2) state.openUntil = this.clock.now().getTime() + this.openMs;
      }
      throw err;
    } finally {
      if (trial) state.trialInFlight = false;
    }
  }

  /** Hosts whose circuit is open now, for /metrics and the admin. */
  openCircuits(): string[] {
    const now = this.clock.now().getTime();
    return [...this.states.entries()].filter(([, s]) => s.openUntil > now).map(([h]) => h);
  }
}
