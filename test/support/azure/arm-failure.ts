// What the fake ARM server hands an import performer, and how a performer fails an import.

/** What an accepted importImage asked for, handed to the import performer. */
export interface AcceptedImport {
  registryUri?: string;
  resourceId?: string;
  sourceImage: string;
  credentials?: { username?: string; password: string };
  targetTags: string[];
  mode: 'NoForce' | 'Force';
}

/** Throw from an import performer to make the operation end Failed with this ARM error. */
export class ArmFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
