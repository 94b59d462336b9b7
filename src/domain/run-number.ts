/**
 * A run number as people type it (`retention show 12`, `/admin/retention/runs/12/approve`): digits only, no
 * leading zero, at most 16 of them (well inside the bigint run ids).
 */
const RUN_NUMBER = /^[1-9][0-9]{0,15}$/;

/** The run number `text` names, or undefined when it is not one. */
export function parseRunNumber(text: string): number | undefined {
  return RUN_NUMBER.test(text) ? Number(text) : undefined;
}
