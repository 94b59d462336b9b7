import {
  BASE62,
  intBetween,
  pick,
  pickWeighted,
  randomString,
  type Random,
} from '../core/seeded.random.ts';
import type { AffogatoAsset, AffogatoAssetType, AffogatoSize, AffogatoStatus } from './affogato.wire.ts';

const STATUSES: ReadonlyArray<readonly [AffogatoStatus, number]> = [
  ['active', 80],
  ['archive', 5],
  ['pending', 5],
  ['censored', 3],
  ['processing', 7],
];
const TYPES: ReadonlyArray<readonly [AffogatoAssetType, number]> = [
  ['image', 70],
  ['video', 20],
  ['audio', 10],
];
const IMAGE_SIZES: ReadonlyArray<readonly [number, number]> = [
  [512, 512],
  [768, 768],
  [1024, 1024],
  [1024, 768],
  [768, 1024],
  [1920, 1080],
  [1080, 1920],
];
const VIDEO_SIZES: ReadonlyArray<readonly [number, number]> = [
  [1920, 1080],
  [1280, 720],
  [1080, 1920],
];
// Shared and frozen: the archive answer copies them, so 100,000 assets need not own five distinct arrays each.
const TAG_SETS: ReadonlyArray<readonly string[]> = [[], ['api'], ['api'], ['api', 'generated'], ['upload']].map((tags) =>
  Object.freeze(tags),
);

export function affogatoId(random: Random): string {
  return `ast_${randomString(random, BASE62, 20)}`;
}

/** Position in the listing's internal order: 53 random bits, so an added asset lands anywhere. */
export function affogatoRank(random: Random): number {
  return random() + random() / 4294967296;
}

export interface GeneratedAffogato {
  asset: AffogatoAsset;
  /** The archive answer's `tags`: not part of the v2 asset, so kept beside it. */
  tags: readonly string[];
}

/** `type` forces the kind (its size, duration and frames then fit it). */
export function generateAffogatoAsset(random: Random, id: string, type = pickWeighted(random, TYPES)): GeneratedAffogato {
  const status = pickWeighted(random, STATUSES);
  const tags = pick(random, TAG_SETS);
  if (type === 'image') {
    const [width, height] = pick(random, IMAGE_SIZES);
    const ext = random() < 0.7 ? 'png' : 'jpg';
    return { asset: { id, type, status, url: assetUrl(id, ext), size: { width, height } }, tags };
  }
  if (type === 'video') {
    const [width, height] = pick(random, VIDEO_SIZES);
    const duration = intBetween(random, 2, 120);
    const fps = random() < 0.5 ? 24 : 30;
    const size: AffogatoSize = { width, height };
    return { asset: { id, type, status, url: assetUrl(id, 'mp4'), size, duration, frames: duration * fps }, tags };
  }
  const duration = intBetween(random, 5, 600);
  return { asset: { id, type, status, url: assetUrl(id, 'mp3'), size: { width: 0, height: 0 }, duration }, tags };
}

function assetUrl(id: string, ext: string): string {
  return `https://media.affogato.invalid/assets/${id}.${ext}`;
}
