// Event Grid proves a webhook endpoint wants its events before delivering any. The Functions trigger
// answers for us on Azure; an HTTP route that receives Event Grid deliveries (the local host's) must
// answer itself, with these.

export const SUBSCRIPTION_VALIDATION_EVENT = 'Microsoft.EventGrid.SubscriptionValidationEvent';

/**
 * Event Grid schema: a delivery of one SubscriptionValidationEvent (header `aeg-event-type:
 * SubscriptionValidation`) is answered 200 with `{"validationResponse": code}`. Undefined when the
 * body is not such a delivery.
 */
export function subscriptionValidationResponse(body: unknown): { validationResponse: string } | undefined {
  const events = Array.isArray(body) ? body : [body];
  const event = events[0] as { eventType?: unknown; data?: { validationCode?: unknown } } | undefined;
  if (events.length !== 1 || event?.eventType !== SUBSCRIPTION_VALIDATION_EVENT) return undefined;
  const code = event.data?.validationCode;
  return typeof code === 'string' && code !== '' ? { validationResponse: code } : undefined;
}

/**
 * CloudEvents schema: the abuse-protection handshake is an OPTIONS request with
 * `WebHook-Request-Origin`; echoing it in `WebHook-Allowed-Origin` allows delivery. Undefined when the
 * request carries no origin (then it is not a handshake).
 */
export function webhookAllowedOriginHeaders(
  requestOrigin: string | undefined,
): Record<string, string> | undefined {
  const origin = requestOrigin?.trim();
  return origin ? { 'WebHook-Allowed-Origin': origin, 'WebHook-Allowed-Rate': '*' } : undefined;
}
