/**
 * Postgres errors are classified by their SQLSTATE code, never by message text.
 */
export const SQL_STATE = {
  uniqueViolation: '23505',
  duplicateDatabase: '42P04',
  queryCanceled: '57014',
} as const;

/** The SQLSTATE of an error pg raised, if it is one. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
