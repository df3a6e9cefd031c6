// One circuit per remote host: after `threshold` consecutive transient failures it opens for
// `openMs`, failing fast; then one trial call is let through (half-open) and decides.
import { TransientError } from './errors.js';
import type { Clock } from './clock.js';

interface State {
  failures: number;
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
  async run<T>(host: string, call: () => Promise<T>): Promise<T> {
    const state = this.states.get(host) ?? { failures: 0, openUntil: 0, trialInFlight: false };
    this.states.set(host, state);
    const now = this.clock.now().getTime();
    if (state.openUntil > now || (state.failures >= this.threshold && state.trialInFlight)) {
      throw new TransientError('circuit_open', `the circuit for ${host} is open after ${state.failures} failures`, Math.max(1000, state.openUntil - now));
    }
    const trial = state.failures >= this.threshold;
    if (trial) state.trialInFlight = true;
    try {
      const result = await call();
      state.failures = 0;
      state.openUntil = 0;
      return result;
    } catch (err) {
      if (err instanceof TransientError) {
        state.failures++;
        if (state.failures >= this.threshold) state.openUntil = this.clock.now().getTime() + this.openMs;
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
