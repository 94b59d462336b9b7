/** Media Pocket payloads as the reference (and, for the listing, the providers README) defines them. */

export type MediaPocketMediaType = 'image' | 'video' | 'audio' | 'article' | 'placeholder';

/** The asset of `GET /api/v2/assets/:asset_id`; `deleted` is the time it was trashed, else null. */
export interface MediaPocketAsset {
  id: string;
  external_id: string | null;
  parent_id: string | null;
  project_id: string | null;
  owner: string;
  title: string;
  description: string | null;
  category: string | null;
  tags: string[];
  ai_tags: string[];
  status: string;
  media_type: MediaPocketMediaType;
  original_filename: string | null;
  drop_folder_id: string | null;
  md5_sum: string | null;
  created_date: string;
  modification_date: string;
  deleted: string | null;
}

export interface DagActionInfo {
  id: number;
  name: string;
  description: string;
  category: string;
}

export interface DagActionRunMessage {
  id: number;
  message: string;
  created_at: string;
}

export interface DagActionRun {
  id: number;
  status: string;
  created_at: string;
  dag_action: DagActionInfo;
  dag_action_run_messages: DagActionRunMessage[];
}

export type MediaPocketPermission = 'ACTIONS_START' | 'ACTIONS_VIEW';
