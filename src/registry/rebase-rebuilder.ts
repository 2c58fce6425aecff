// The Rebuilder that needs no build: rebase the app image onto the base's new digest, in the private
// registry (or OCI layout mirror). Done when start returns; nothing to poll.
import { isPrivateKey, privateImageKey } from '../core/private-image.js';
import type { Rebuilder, RebuildRequest, RebuildRun } from '../core/rebuilder.js';
import { isTransient } from '../core/transient.js';
import { baseName } from './annotation-discovery.js';
import { openStore } from './open-store.js';
import { type PrivateStores, splitPrivateKey } from './private-store.js';
import { rebase } from './rebase.js';

/** Registry failures worth another attempt; anything else (not built on the base, bad image) is final. */

export class RebaseRebuilder implements Rebuilder {
  /** `privateHost` prefixes the base name recorded in the rebased image (none for an OCI layout). */
  constructor(
    private readonly stores: PrivateStores,
    private readonly privateHost: string | undefined,
  ) {}

  async start(request: RebuildRequest): Promise<RebuildRun> {
    const app = splitPrivateKey(request.image);
    const base = splitPrivateKey(request.base);
    const store = this.stores(app.repository);
    const baseStore = this.stores(base.repository);
    const name = this.privateHost ? `${this.privateHost}/${request.base}` : request.base;
    try {
      const annotated = await baseName(store, app);
      if (annotated === undefined && request.previousBaseDigest === undefined) {
        return failed(
          request,
          `${request.image} names no base (no org.opencontainers.image.base.name annotation) and the base's previous digest is unknown: rebuild it once by other means`,
        );
      }
      const result = await rebase({
        store,
        app,
        newBase: { store: baseStore, ref: { repository: base.repository, digest: request.baseDigest }, name },
        ...(annotated === undefined && {
          oldBase: {
            store: baseStore,
            ref: { repository: base.repository, digest: request.previousBaseDigest! },
            name,
          },
        }),
        openBase: (text) => this.open(text),
      });
      return {
        runId: `rebase:${request.app}@${result.digest.slice('sha256:'.length, 'sha256:'.length + 12)}`,
        status: 'succeeded',
        imageDigest: result.digest,
        previousImageDigest: result.previousDigest,
      };
    } catch (error) {
      if (isTransient(error)) throw error;
      return failed(request, (error as Error).message);
    }
  }

  async status(run: RebuildRun): Promise<RebuildRun> {
    return run;
  }

  /** A base named in annotations: a private image opens in the private stores, anything else as written. */
  private open(text: string) {
    const key = privateImageKey(text, this.privateHost);
    if (!isPrivateKey(key)) return openStore(text);
    const at = key.indexOf('@');
    const { repository, tag } = splitPrivateKey(at > 0 ? key.slice(0, at) : key);
    return {
      store: this.stores(repository),
      ref: at > 0 ? { repository, digest: key.slice(at + 1) } : { repository, tag },
    };
  }
}

function failed(request: RebuildRequest, reason: string): RebuildRun {
  return { runId: `rebase:${request.app}`, status: 'failed', reason };
}
