import type { FaultConfig, SimProvider } from '../simulator.types.ts';
import { createRandom, deriveSeed, type Random } from './seeded.random.ts';

export type InjectedFault = 'rate429' | 'rate500' | 'rate502Html' | 'malformedJson' | 'errorIn200';

export interface FaultDecision {
  fault: InjectedFault | undefined;
  slowMs: number;
}

const EXCLUSIVE: ReadonlyArray<readonly [InjectedFault, keyof FaultConfig]> = [
  ['rate429', 'rate429'],
  ['rate500', 'rate500'],
  ['rate502Html', 'rate502Html'],
  ['malformedJson', 'rateMalformedJson'],
  ['errorIn200', 'rateErrorIn200'],
];

function rate(config: FaultConfig, key: keyof FaultConfig): number {
  const value = config[key];
  return typeof value === 'number' && value > 0 ? value : 0;
}

/**
 * Decides, per request, which fault (if any) replaces the provider's answer. Each provider rolls its own seeded
 * stream, so a run with the same seed and the same request order injects the same faults.
 */
export class FaultInjector {
  private readonly configs = new Map<SimProvider, FaultConfig>();
  private readonly streams = new Map<SimProvider, Random>();

  constructor(
    private readonly seed: number,
    initial: Partial<Record<SimProvider, FaultConfig>> = {},
  ) {
    for (const [provider, config] of Object.entries(initial) as Array<[SimProvider, FaultConfig | undefined]>) {
      this.set(provider, config);
    }
  }

  set(provider: SimProvider, config: FaultConfig | undefined): void {
    if (config === undefined) this.configs.delete(provider);
    else this.configs.set(provider, { ...config });
  }

  get(provider: SimProvider): FaultConfig {
    return this.configs.get(provider) ?? {};
  }

  /** The provider's fault stream, also used for faults that live inside a handler (Affogato's partial archive). */
  random(provider: SimProvider): Random {
    let stream = this.streams.get(provider);
    if (stream === undefined) {
      stream = createRandom(deriveSeed(this.seed, `faults:${provider}`));
      this.streams.set(provider, stream);
    }
    return stream;
  }

  decide(provider: SimProvider, listing: boolean): FaultDecision {
    const config = this.configs.get(provider);
    if (config === undefined || (config.onlyListing === true && !listing)) return { fault: undefined, slowMs: 0 };
    const random = this.random(provider);
    let roll = random();
    let fault: InjectedFault | undefined;
    for (const [kind, key] of EXCLUSIVE) {
      if (kind === 'errorIn200' && provider === 'roughy') continue;
      const chance = rate(config, key);
      if (roll < chance) {
        fault = kind;
        break;
      }
      roll -= chance;
    }
    const slowChance = rate(config, 'rateSlow');
    const slowMs = slowChance > 0 && random() < slowChance ? Math.max(0, config.slowMs ?? 1000) : 0;
    return { fault, slowMs };
  }

  /** Retry-After value for an injected 429. */
  retryAfter(provider: SimProvider, now = Date.now()): string {
    const config = this.get(provider);
    const seconds = Math.max(0, config.retryAfterSeconds ?? 1);
    if (config.retryAfterAsDate !== true) return String(seconds);
    // HTTP dates have whole seconds: round up so the date is never earlier than asked.
    return new Date(Math.ceil((now + seconds * 1000) / 1000) * 1000).toUTCString();
  }
}
