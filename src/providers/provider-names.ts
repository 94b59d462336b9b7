export const PROVIDER_NAMES = ['affogato', 'mediapocket', 'roughy'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export function isProviderName(value: string): value is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(value);
}

/** For exhaustive switches over providers: a new provider fails to compile until every switch handles it. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}
