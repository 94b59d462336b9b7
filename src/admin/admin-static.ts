/**
 * The report page's own files, served by the worker itself (no CDN: the page works on a network with no way out):
 * Chart.js's browser build from node_modules, and the page's script and stylesheet from ./static (which the
 * build copies beside the compiled code). Read once when the routes are registered, so a missing file fails the
 * boot rather than a viewer's request. Each URL carries a digest of its content, so a browser may keep a file
 * for a year and still sees a new one the moment it changes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

export const STATIC_PATH = '/admin/static';

const CONTENT_TYPES = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' } as const;

function chartJsBuild(): string {
  // the package exports no subpath for its UMD build: resolve its main file and take its neighbour
  return join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js');
}

const ownFile = (name: string) => fileURLToPath(new URL(`./static/${name}`, import.meta.url));

const FILES = {
  'chart.umd.js': chartJsBuild,
  'catalog-report.js': () => ownFile('catalog-report.js'),
  'catalog-report.css': () => ownFile('catalog-report.css'),
} as const;

export type StaticName = keyof typeof FILES;

export interface StaticFiles {
  /** the versioned URL a page links to */
  url(name: StaticName): string;
}

export function registerAdminStatic(app: FastifyInstance): StaticFiles {
  const files = new Map(
    (Object.keys(FILES) as StaticName[]).map((name) => {
      const body = readFileSync(FILES[name]());
      const version = createHash('sha256').update(body).digest('hex').slice(0, 12);
      const type = CONTENT_TYPES[name.endsWith('.css') ? 'css' : 'js'];
      return [name, { body, version, type }] as const;
    }),
  );
  app.get<{ Params: { name: string } }>(`${STATIC_PATH}/:name`, (request, reply) => {
    const file = files.get(request.params.name as StaticName);
    if (file === undefined) return reply.code(404).send({ error: 'no such file' });
    return reply
      .header('content-type', file.type)
      .header('cache-control', 'private, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(file.body);
  });
  return {
    url(name) {
      const file = files.get(name);
      if (file === undefined) throw new Error(`no static file ${name}`);
      return `${STATIC_PATH}/${name}?v=${file.version}`;
    },
  };
}
