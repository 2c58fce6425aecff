// Azure Table PartitionKey/RowKey values may not contain / \ # ? or control characters; escape them.

// `%` is escaped too, so that unescaping is exact.
const FORBIDDEN = /[/\\#?%\u0000-\u001f\u007f-\u009f]/g;

/** `base/node` → `base%2Fnode`. Reversible with unescapeTableKey. */
export function escapeTableKey(value: string): string {
  return value.replace(FORBIDDEN, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function unescapeTableKey(key: string): string {
  return key.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** True when a value may be used as a key as it is (also at most 1 KiB as UTF-16). */
export function isValidTableKey(key: string): boolean {
  return !/[/\\#?\u0000-\u001f\u007f-\u009f]/.test(key) && key.length <= 512;
}
