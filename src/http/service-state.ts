import type { Registry } from '../registry/index.js';

/**
 * What the HTTP layer needs to know about the process: the engine once its snapshot is
 * loaded, and whether it is shutting down (SPEC §5 /readyz).
 */
export class ServiceState {
  registry: Registry | undefined;
  shuttingDown = false;
  /** Set in mirror mode (SPEC §11): writes answer ReadOnly naming the upstream. */
  mirrorOf: string | undefined;

  get ready(): boolean {
    return this.registry !== undefined && !this.shuttingDown;
  }
}
