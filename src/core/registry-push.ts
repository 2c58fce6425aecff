// A push a registry tells us about (ACR's Event Grid events, a registry's notification), as the domain
// sees it: one typed RegistryPush, or a reason it was dropped. Parsing lives with each envelope's source.

export interface RegistryPush {
  /** The registry host that was pushed to, e.g. `myregistry.azurecr.io` or `127.0.0.1:5000`. */
  readonly registry: string;
  readonly repository: string;
  /** Absent when a manifest was pushed by digest only. */
  readonly tag?: string;
  readonly digest: string;
  readonly mediaType: string;
  /** The delivery's id, for deduplication and logs. */
  readonly eventId: string;
}

export interface DroppedEvent {
  readonly dropped: string;
  /** The event's id when it had one, for the log line. */
  readonly eventId?: string;
}

export type ParsedRegistryEvent = RegistryPush | DroppedEvent;

export function isDropped(event: ParsedRegistryEvent): event is DroppedEvent {
  return 'dropped' in event;
}
