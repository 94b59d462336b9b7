import type { Route, RouteMatch } from './route.types.ts';

interface CompiledRoute {
  route: Route;
  segments: string[];
}

/** Matches `/a/:id/b` style patterns segment by segment; a table of a dozen routes needs nothing cleverer. */
export function createRouter(routes: readonly Route[]): (method: string, path: string) => RouteMatch | undefined {
  const compiled: CompiledRoute[] = routes.map((route) => ({ route, segments: route.pattern.split('/') }));
  return (method, path) => {
    const parts = path.split('/');
    for (const { route, segments } of compiled) {
      if (route.method !== method || segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segments.length && ok; i += 1) {
        const expected = segments[i] ?? '';
        const actual = parts[i] ?? '';
        if (expected.startsWith(':')) {
          if (actual === '') ok = false;
          else params[expected.slice(1)] = safeDecode(actual);
        } else if (expected !== actual) {
          ok = false;
        }
      }
      if (ok) return { route, params };
    }
    return undefined;
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Strict integer query parameter: undefined when absent, NaN when present but not a plain integer. */
export function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  return /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
}

export const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
