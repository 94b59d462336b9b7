import { inspect } from 'node:util';

/**
 * Wraps a credential so that no serialisation path (JSON, util.inspect, template strings, pino) can print it.
 * Only `reveal()` gives the value, and only HTTP header builders call it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return '[redacted]';
  }
}
