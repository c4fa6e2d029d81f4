import type { MiddlewareHandler } from 'hono';
import { RegistryError } from '../../core/index.js';
import type { AppEnv } from '../app.types.js';
import { bearerToken } from '../capability.js';
import { looksLikeJwt, type OidcVerifier } from './oidc-verifier.js';

/**
 * SPEC §7: a Bearer JWT is verified before the route runs (jose is asynchronous, the route
 * guards are not); the outcome waits in the context for `authenticate`, which alone decides
 * whether the request needed a token at all. Macaroons and anonymous requests pass untouched,
 * and the head-read fast lane never reaches hono.
 */
export function verifyJwt(oidc: OidcVerifier): MiddlewareHandler<AppEnv> {
  return async function jwt(c, next) {
    const header = c.req.header('authorization');
    if (header?.includes('.')) {
      let token: string | undefined;
      try {
        token = bearerToken(header);
      } catch {
        token = undefined; // malformed headers are refused by the guard, as for macaroons
      }
      if (token !== undefined && looksLikeJwt(token)) {
        try {
          c.set('jwt', await oidc.verify(token));
        } catch (err) {
          c.set(
            'jwt',
            err instanceof RegistryError
              ? err
              : new RegistryError('Unauthorized', 'token is not a valid JWT'),
          );
        }
      }
    }
    await next();
  };
}
