// "Retry this?" has one answer: an error says itself whether a fresh attempt may cure it (a `transient`
// property: the network, a throttle, a registry or ARM that is briefly unavailable). Everything else is final.

/** True when the error declares that trying again later may succeed. */
export function isTransient(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { transient?: unknown }).transient === true;
}
