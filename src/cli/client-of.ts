import { DEFAULT_BASE_URL, RegistryClient } from '../client/index.js';
import type { CommandContext } from './command.types.js';
import { UsageError } from './usage-error.js';
import { optString } from './values.js';

/** The registry a network command talks to: --url, else REGISTRY_URL, else the dev default. */
export function registryUrl(ctx: Pick<CommandContext, 'values' | 'env'>): string {
  const url = optString(ctx.values, 'url') ?? (ctx.env.REGISTRY_URL || DEFAULT_BASE_URL);
  if (!/^https?:\/\/[^/\s]+/.test(url)) {
    throw new UsageError(
      `registry URL ${JSON.stringify(url)} is not an http(s) URL`,
      'set REGISTRY_URL or --url',
    );
  }
  return url;
}

/** A client with REGISTRY_TOKEN as its bearer token (never printed). */
export function clientOf(ctx: Pick<CommandContext, 'values' | 'env'>): RegistryClient {
  const token = ctx.env.REGISTRY_TOKEN;
  return new RegistryClient({
    baseUrl: registryUrl(ctx),
    ...(token === undefined || token === '' ? {} : { token: token.trim() }),
  });
}
