import {
  intBetween,
  isoBetween,
  pick,
  pickWeighted,
  randomUuid,
  type Random,
} from '../core/seeded.random.ts';
import type { RoughyAsset, RoughyState, RoughyType } from './roughy.wire.ts';

const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;
const STATES: ReadonlyArray<readonly [RoughyState, number]> = [
  ['ready', 80],
  ['failed', 6],
  ['processing', 6],
  ['pending_upload', 5],
  ['pending_payment', 3],
];
const FORMATS: Record<RoughyType, ReadonlyArray<readonly [string, string]>> = {
  video: [
    ['mp4', 'video/mp4'],
    ['mov', 'video/quicktime'],
  ],
  audio: [
    ['wav', 'audio/wav'],
    ['mp3', 'audio/mpeg'],
    ['m4a', 'audio/mp4'],
  ],
};
const FAILURES: ReadonlyArray<readonly [string, string]> = [
  ['unsupported_format', 'The uploaded file is not in a supported format.'],
  ['asset_failed', 'Processing failed for this asset.'],
  ['upstream_error', 'The transcription provider returned an error.'],
];
const LANGUAGES = ['en', 'en', 'en', 'fi', 'sv', 'de', 'es', 'fr'];

export function roughyProjects(random: Random, count = 5): string[] {
  return Array.from({ length: count }, () => randomUuid(random));
}

/** `createdAt` (epoch ms) when given, else a time in the year before `referenceTime`. */
export function generateRoughyAsset(
  random: Random,
  id: string,
  projects: readonly string[],
  referenceTime: number,
  createdAt?: number,
): RoughyAsset {
  const state = pickWeighted(random, STATES);
  const type: RoughyType | null = random() < 0.04 ? null : random() < 0.62 ? 'video' : 'audio';
  const [extension, contentType] = type === null ? [null, null] : pick(random, FORMATS[type]);
  const created =
    createdAt === undefined
      ? isoBetween(random, referenceTime - ONE_YEAR_MS, referenceTime)
      : new Date(createdAt).toISOString();
  const maxBytes = type === 'video' ? 4_000_000_000 : 300_000_000;
  const duration = (intBetween(random, 1_000, 7_200_000) / 1000).toFixed(3);
  const failure = state === 'failed' ? pick(random, FAILURES) : null;
  return {
    id,
    project_id: pick(random, projects),
    type,
    state,
    extension,
    size_bytes: state === 'pending_upload' ? null : intBetween(random, 200_000, maxBytes),
    content_type: contentType,
    duration_seconds: state === 'ready' ? duration : null,
    language: pick(random, LANGUAGES),
    created_at: created,
    error_code: failure === null ? null : failure[0],
    error_message: failure === null ? null : failure[1],
    upload_url: state === 'pending_upload' ? `https://upload.roughy.invalid/files/${id}` : null,
  };
}
