/** Affogato (RenderNet) payloads as the reference pages define them. */

export type AffogatoAssetType = 'image' | 'video' | 'audio';
export type AffogatoStatus = 'active' | 'archive' | 'pending' | 'censored' | 'processing';

export const AFFOGATO_TYPES: readonly AffogatoAssetType[] = ['image', 'video', 'audio'];

export interface AffogatoSize {
  width: number;
  height: number;
}

/** AssetItemV2: `duration` only on audio and video, `frames` only on video (the keys are absent otherwise). */
export interface AffogatoAsset {
  id: string;
  type: AffogatoAssetType;
  status: AffogatoStatus;
  url: string;
  size: AffogatoSize;
  duration?: number;
  frames?: number;
}

/** ArchivedAssetItem of `POST /pub/v1/assets/archive`: the v1 nested shape. */
export interface AffogatoArchivedItem {
  id: string;
  status: 'archive';
  tags: string[];
  type: AffogatoAssetType;
  data: { size: AffogatoSize; url: string };
}

export interface AffogatoError {
  code: string;
  message: string;
}
