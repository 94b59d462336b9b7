/**
 * Access to the admin pages beyond health and metrics: `Authorization: Bearer <ADMIN_TOKEN>`, or a session
 * cookie a browser gets by opening any admin page once with `?token=<ADMIN_TOKEN>`. The cookie holds a value
 * derived from the token, never the token itself. Every comparison is constant-time; the token is never logged.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Secret } from '../secret.ts';

export const SESSION_COOKIE = 'alw_admin_session';
const SESSION_MAX_AGE_SECONDS = 12 * 3600;

/** Equal-length digests, so the comparison takes the same time whatever the candidate's length. */
function sameSecret(candidate: string, expected: string): boolean {
  const a = createHash('sha256').update(candidate).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function sessionValue(token: Secret): string {
  return createHmac('sha256', token.reveal()).update('asset-worker admin session').digest('base64url');
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}

/** The URL without its `token` parameter: where a browser goes once the cookie is set. */
function withoutToken(rawUrl: string): string {
  const url = new URL(rawUrl, 'http://admin.local');
  url.searchParams.delete('token');
  return `${url.pathname}${url.search}`;
}

/** An onRequest hook: lets the request through, or answers 401 (or a redirect that sets the cookie). */
export function createAdminAuth(token: Secret) {
  const session = sessionValue(token);
  return async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const bearer = bearerToken(request.headers.authorization);
    if (bearer !== undefined && sameSecret(bearer, token.reveal())) return undefined;
    const cookie = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (cookie !== undefined && sameSecret(cookie, session)) return undefined;
    const query = request.query as Record<string, unknown> | undefined;
    const fromQuery = typeof query?.token === 'string' ? query.token : undefined;
    if (fromQuery !== undefined && sameSecret(fromQuery, token.reveal())) {
      // the token leaves the address bar (and the browser's history) at once; the cookie carries the session
      return reply
        .header(
          'set-cookie',
          `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=${SESSION_MAX_AGE_SECONDS}`,
        )
        .header('cache-control', 'no-store')
        .redirect(withoutToken(request.url), 303);
    }
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="asset-worker admin"')
      .send({ error: 'unauthorized: send Authorization: Bearer <ADMIN_TOKEN>, or open the page once with ?token=<ADMIN_TOKEN>' });
  };
}
