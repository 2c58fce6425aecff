// Azure Table PartitionKey/RowKey values may not contain / \ # ? or control characters; escape them.

// `%` is escaped too, so that unescaping is exact.
function mustEscape(code: number): boolean {
  return isForbidden(code) || code === 0x25;
}

function isForbidden(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2f ||
    code === 0x5c ||
    code === 0x23 ||
    code === 0x3f
  );
}

/** `base/node` → `base%2Fnode`. Reversible with unescapeTableKey. */
export function escapeTableKey(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.charCodeAt(0);
    out +=
      char.length === 1 && mustEscape(code) ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : char;
  }
  return out;
}

export function unescapeTableKey(key: string): string {
  return key.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** True when a value may be used as a key as it is (also at most 1 KiB as UTF-16). */
export function isValidTableKey(key: string): boolean {
  for (const char of key) if (char.length === 1 && isForbidden(char.charCodeAt(0))) return false;
  return key.length <= 512;
}
