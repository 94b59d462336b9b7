/**
 * An instant given on the command line: an ISO 8601 date (`2025-03-01`, midnight UTC) or timestamp
 * (`2025-03-01T12:30`, `2025-03-01 12:30:15.250Z`, `2025-03-01T12:30+02:00`; without a zone, UTC). Parsed by hand
 * rather than by `Date.parse`, which reads a zoneless timestamp in the machine's own zone and accepts other shapes.
 */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/** The instant `text` names, or undefined when it is not one (a malformed shape or an impossible date or time). */
export function parseInstant(text: string): Date | undefined {
  const match = INSTANT.exec(text.trim());
  if (match === null) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone] = match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = fields;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const offset = zoneOffsetMinutes(zone);
  if (offset === undefined) return undefined;
  const milliseconds = Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, milliseconds);
  // Date.UTC rolls 31 April over to 1 May: a day the month does not have is not a date
  if (new Date(utc).getUTCDate() !== d) return undefined;
  return new Date(utc - offset * 60_000);
}
