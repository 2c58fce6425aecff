// A save of Azurite's whole Table database, in the file Azurite loads at start: Loki's own text, written
// to a temporary file, flushed and renamed over the old one, so a kill at any moment leaves the old save
// or the new one, never half of one.
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The parts of a Loki database a save reads. */
export interface SavedDatabase {
  collections: object[];
}

/**
 * The text Loki's own serialize writes (its replacer blanks the same fields), in a third of the time:
 * Loki hands every key of every entity to a replacer function, which dominates a save of a large
 * database, while this blanks those fields on shallow copies of the database and its collections.
 * (Loki's replacer also blanked entity properties that happen to be named like them; this does not.)
 */
export function serializeQuickly(db: SavedDatabase): string {
  const top: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(db)) {
    if (key === 'throttledSavePending' || key === 'throttledCallbacks') continue;
    top[key] = BLANKED_ON_DATABASE.has(key) ? null : value;
  }
  top.collections = db.collections.map((collection) =>
    Object.fromEntries(
      Object.entries(collection).map(([key, value]) => [key, BLANKED_ON_COLLECTION.has(key) ? null : value]),
    ),
  );
  return JSON.stringify(top);
}

const BLANKED_ON_DATABASE = new Set(['autosaveHandle', 'persistenceAdapter', 'lokiConsoleWrapper']);
const BLANKED_ON_COLLECTION = new Set(['constraints', 'ttl']);

/** Replaces `file` with `text` durably: temporary file, fdatasync, rename, then the directory synced. */
export async function writeSnapshot(file: string, text: string): Promise<void> {
  const temporary = `${file}.saving`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(text);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
  const dir = await open(dirname(file), 'r');
  await dir.sync().finally(() => dir.close());
}
