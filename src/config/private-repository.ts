// A repository in the private registry as config names it: no other registry, no tag, no digest.
import { parsePrivateReference } from '../core/private-image.js';

export function privateRepository(target: string, host: string | undefined): string | { error: string } {
  try {
    const ref = parsePrivateReference(target, host, { defaultTag: false });
    if (ref.registry !== undefined) {
      return {
        error: `'${target}' names registry ${ref.registry}; expected a repository in the private registry`,
      };
    }
    if (ref.tag !== undefined || ref.digest !== undefined) {
      return { error: `'${target}' names a tag or digest; expected a repository in the private registry` };
    }
    return ref.repository;
  } catch (error) {
    return { error: (error as Error).message };
  }
}
