/** Roughy payloads as its public docs and the delete reference define them. */

export type RoughyState = 'pending_upload' | 'processing' | 'pending_payment' | 'ready' | 'failed';
export type RoughyType = 'audio' | 'video';

export const ROUGHY_STATES: readonly RoughyState[] = ['pending_upload', 'processing', 'pending_payment', 'ready', 'failed'];

/** An item of `GET /v1/assets`. `duration_seconds` is a decimal string ("123.456"), never a number. */
export interface RoughyListItem {
  id: string;
  project_id: string;
  type: RoughyType | null;
  state: RoughyState;
  extension: string | null;
  size_bytes: number | null;
  content_type: string | null;
  duration_seconds: string | null;
  language: string | null;
  created_at: string;
}

/**
 * The stable part of `GET /v1/assets/{id}`: the list item plus `error_code`/`error_message` (failed assets) and
 * `upload_url` (pending_upload). The signed `download_url` is left out because it changes on every call.
 */
export interface RoughyAsset extends RoughyListItem {
  error_code: string | null;
  error_message: string | null;
  upload_url: string | null;
}

/** `GET /v1/assets/{id}` as served: `download_url` is signed, expires in about 15 minutes, set for ready assets. */
export interface RoughyAssetDetail extends RoughyAsset {
  download_url: string | null;
}

export interface RoughyErrorBody {
  error: { code: string; message: string; fields?: Array<{ field: string; message: string }> };
}
