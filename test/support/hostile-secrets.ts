// Secrets must never reach an error: every message along an error's cause chain, and its fields.

/** Every message, code and field value along the cause chain, as one text to search. */
export function everythingSaid(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    parts.push(String((current as Error).message), String((current as Error).stack));
    for (const value of Object.values(current)) if (typeof value === 'string') parts.push(value);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

/** The forms a password can leak in: as is, and inside a Basic header. */
export function secretForms(username: string, password: string): string[] {
  return [password, Buffer.from(`${username}:${password}`).toString('base64')];
}
