/**
 * One bench catalog row per `g` of a generate_series, as wide as a real sync writes (a title of about 45
 * characters, three tags, a raw payload of about 320 bytes), over three providers: the export bench's and the
 * report figures bench's catalog.
 */

export const BENCH_ASSET_COLUMNS =
  'provider, asset_id, kind, status, title, url, width, height, duration_seconds, frames, size_bytes, tags, provider_created_at, provider_updated_at, raw';

/** the select list for BENCH_ASSET_COLUMNS, over `generate_series(…) g` */
export const BENCH_ASSET_VALUES = `
  (ARRAY['affogato', 'mediapocket', 'roughy'])[1 + g % 3],
  'ast_' || lpad(g::text, 10, '0'),
  (ARRAY['image', 'video', 'audio'])[1 + (g / 3) % 3],
  (ARRAY['active', 'ready', 'processing', 'archived'])[1 + g % 4],
  'Render ' || g || ': "' || (ARRAY['sunset', 'harbour', 'portrait', 'city'])[1 + g % 4] || '" study, take ' || (g % 97) || ' / v' || (g % 5),
  'https://cdn.example.com/assets/' || md5(g::text) || '.png',
  1024 + g % 7, 768 + g % 5,
  CASE WHEN g % 3 = 1 THEN round((g % 6000) / 10.0, 3) END,
  CASE WHEN g % 3 = 1 THEN g % 6000 END,
  100000 + g * 37 % 9000000,
  ARRAY['campaign-' || (g % 7), 'tag ' || (g % 50), 'batch/' || (g % 13)],
  timestamptz '2024-01-01' + g * interval '7 seconds',
  timestamptz '2024-06-01' + g * interval '3 seconds',
  jsonb_build_object(
    'id', 'ast_' || lpad(g::text, 10, '0'),
    'prompt', 'a ' || md5(g::text) || ' over ' || md5((g + 1)::text) || ', "cinematic"',
    'model', 'render-v2.1',
    'seed', g,
    'params', jsonb_build_object('steps', 30, 'cfg', 7.5, 'sampler', 'euler_a', 'size', '1024x768'),
    'owner', jsonb_build_object('id', g % 1000, 'name', 'user ' || (g % 1000)),
    'path', 'C:\\renders\\' || (g % 100) || '\\out.png'
  )`;
