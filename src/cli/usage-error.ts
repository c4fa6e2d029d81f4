import { RegistryError } from '../core/index.js';

/**
 * A problem with the command line, a local file or a setting: exit 2. A `RegistryError`
 * (code BadRequest) so there is still one error type; the CLI tells it from a refusal by
 * the server (exit 1) by its class.
 */
export class UsageError extends RegistryError {
  constructor(message: string, hint = '', opts?: ErrorOptions) {
    super('BadRequest', message, hint, opts);
    this.name = 'UsageError';
  }
}
