import { responseError } from '../../client/response-error.js';
import { RegistryError } from '../../core/index.js';
import { registryUrl } from '../client-of.js';
import type { CommandContext } from '../command.types.js';

/** GET `/v1/registry/log/<path>` with REGISTRY_TOKEN; non-2xx answers become the server's RegistryError. */
export async function logGet(
  ctx: Pick<CommandContext, 'values' | 'env'>,
  path: string,
  accept = '*/*',
): Promise<Uint8Array> {
  const url = `${registryUrl(ctx).replace(/\/+$/, '')}/v1/registry/log/${path}`;
  const token = ctx.env.REGISTRY_TOKEN?.trim();
  let res: Response;
  try {
    res = await fetch(url, {
      headers: {
        accept,
        ...(token === undefined || token === '' ? {} : { authorization: `Bearer ${token}` }),
      },
    });
  } catch (err) {
    throw new RegistryError(
      'StoreUnavailable',
      `GET ${url}: cannot reach the registry`,
      'check REGISTRY_URL',
      {
        cause: err,
      },
    );
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (!res.ok) throw responseError(res, Buffer.from(bytes).toString('utf8'), `GET /log/${path}`);
  return bytes;
}

export const logText = async (ctx: Pick<CommandContext, 'values' | 'env'>, path: string, accept?: string) =>
  Buffer.from(await logGet(ctx, path, accept)).toString('utf8');
