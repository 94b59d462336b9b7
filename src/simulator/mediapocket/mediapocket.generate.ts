import {
  intBetween,
  isoBetween,
  pick,
  pickSome,
  pickWeighted,
  randomHex,
  randomString,
  type Random,
} from '../core/seeded.random.ts';
import type { MediaPocketAsset, MediaPocketMediaType } from './mediapocket.wire.ts';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const THREE_YEARS_MS = 3 * 365 * 24 * 3600 * 1000;

const MEDIA_TYPES: ReadonlyArray<readonly [MediaPocketMediaType, number]> = [
  ['image', 55],
  ['video', 15],
  ['audio', 8],
  ['article', 7],
  ['placeholder', 15],
];
const STATUSES: ReadonlyArray<readonly [string, number]> = [
  ['open', 85],
  ['in_review', 5],
  ['approved', 6],
  ['closed', 4],
];
const CATEGORIES: ReadonlyArray<readonly [string | null, number]> = [
  ['sample', 25],
  ['campaign', 30],
  ['stock', 25],
  ['test asset category', 10],
  [null, 10],
];
// Rare tags first so that the per-tag chance below keeps them rare.
const TAGS = ['campaign-2023', 'campaign-2024', 'evergreen', 'draft', 'hero', 'social'];
const AI_TAGS = ['person', 'outdoor', 'product', 'text', 'logo', 'nature', 'city'];
const TITLE_WORDS = ['Spring', 'Summer', 'Autumn', 'Winter', 'Launch', 'Brand', 'Studio', 'Product', 'Team'];
const TITLE_NOUNS = ['hero shot', 'banner', 'interview', 'teaser', 'podcast', 'press release', 'poster', 'b-roll'];
const PROJECTS = ['PrjCampaign2023xxxxx', 'PrjCampaign2024xxxxx', 'PrjEvergreenLibrary0'];

export function mediaPocketId(random: Random): string {
  return randomString(random, ID_ALPHABET, 20);
}

function filenameFor(random: Random, type: MediaPocketMediaType): string | null {
  const n = String(intBetween(random, 1, 9999)).padStart(4, '0');
  switch (type) {
    case 'image':
      return `IMG_${n}.${random() < 0.7 ? 'jpg' : 'png'}`;
    case 'video':
      return `clip_${n}.mp4`;
    case 'audio':
      return `track_${n}.wav`;
    case 'article':
    case 'placeholder':
      return null;
  }
}

/**
 * A plausible asset: dates spread over the three years before `referenceTime`, modification never before
 * creation, categories and tags that make retention rules meaningful ('legal-hold' on about 3%).
 */
export function generateMediaPocketAsset(random: Random, id: string, referenceTime: number): MediaPocketAsset {
  const mediaType = pickWeighted(random, MEDIA_TYPES);
  const created = isoBetween(random, referenceTime - THREE_YEARS_MS, referenceTime);
  const modified = random() < 0.3 ? created : isoBetween(random, Date.parse(created), referenceTime);
  const tags = pickSome(random, TAGS, 0.22, 3);
  if (random() < 0.03) tags.push('legal-hold');
  const hasFile = mediaType !== 'article' && mediaType !== 'placeholder';
  const project = random() < 0.1 ? pick(random, PROJECTS) : null;
  const number = intBetween(random, 1, 999);
  return {
    id,
    external_id: random() < 0.2 ? `ext-${String(intBetween(random, 0, 999999)).padStart(6, '0')}` : null,
    parent_id: project,
    project_id: project,
    owner: `editor-${intBetween(random, 1, 12)}@example.com`,
    title: `${pick(random, TITLE_WORDS)} ${pick(random, TITLE_NOUNS)} ${number}`,
    description: random() < 0.8 ? `Generated sample asset number ${number}.` : null,
    category: pickWeighted(random, CATEGORIES),
    tags,
    ai_tags: hasFile && mediaType !== 'audio' ? pickSome(random, AI_TAGS, 0.25, 3) : [],
    status: pickWeighted(random, STATUSES),
    media_type: mediaType,
    original_filename: filenameFor(random, mediaType),
    drop_folder_id: null,
    md5_sum: hasFile ? randomHex(random, 32) : null,
    created_date: created,
    modification_date: modified,
    deleted: null,
  };
}
