// A status URL a webhook's answer names: followed only on the webhook's own origin.

/**
 * The status URL resolved against its webhook: only on the webhook's own origin, so whoever answers for
 * a CI cannot make basewatch fetch another host or drop to plain HTTP. `what` names the call in errors.
 */
export function onWebhookOrigin(statusUrl: unknown, webhookUrl: string, what: string): string {
  const webhook = new URL(webhookUrl);
  let resolved: URL | undefined;
  try {
    resolved = typeof statusUrl === 'string' ? new URL(statusUrl, webhook) : undefined;
  } catch {
    resolved = undefined;
  }
  if (
    resolved &&
    resolved.origin === webhook.origin &&
    resolved.username === '' &&
    resolved.password === ''
  ) {
    return resolved.href;
  }
  const named = resolved ? `${resolved.protocol}//${resolved.host}` : 'something that is not a URL';
  throw new Error(
    `${what}: the CI named a statusUrl on ${named}, not on its webhook's origin ${webhook.origin}; refused, not fetched`,
  );
}
