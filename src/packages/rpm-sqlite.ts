// The installed packages of rpm's sqlite database (rpmdb.sqlite, rpm ≥ 4.16): one header blob per row of
// its Packages table. The file comes from an image layer, so it is opened only when its Packages table is
// exactly the one rpm creates (a view or generated column could make a query run or allocate without end),
// and rows and bytes are counted against bounds.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire as requireFrom } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { SqlJsStatic } from 'sql.js';
import type { InstalledPackage } from '../core/installed-packages.js';
import { packageOfHeader } from './rpm-header.js';

/** The most packages read from one database; a large Fedora image has a few thousand. */
export const MAX_RPM_PACKAGES = 100_000;

/** rpm's own statement (lib/backend/sqlite.c), spacing and quotes aside. */
const PACKAGES_TABLE =
  /^CREATE TABLE\s+['"`]?Packages['"`]?\s*\(\s*hnum\s+INTEGER\s+PRIMARY\s+KEY\s+AUTOINCREMENT\s*,\s*blob\s+BLOB\s+NOT\s+NULL\s*\)$/i;

/** The SQLite file format's first 16 bytes (https://sqlite.org/fileformat.html, 1.3.1). */
const SQLITE_MAGIC = 'SQLite format 3\0';

let engine: Promise<SqlJsStatic> | undefined;

/**
 * Reads the package list; throws with what is wrong when the bytes are no rpm database we can read.
 * Bytes 18 and 19 of `bytes` are rewritten (see below): the caller hands over a buffer of its own.
 */
export async function readRpmSqlite(bytes: Uint8Array): Promise<InstalledPackage[]> {
  if (
    Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(16, bytes.length)).toString('latin1') !==
    SQLITE_MAGIC
  )
    throw new RpmDatabaseError('not an SQLite database (its first bytes are not "SQLite format 3")');
  // rpm leaves the file in WAL mode (both bytes 2); as 1 it opens as a plain file with no -wal beside it.
  bytes[18] = 1;
  bytes[19] = 1;
  const SQL = await sqlite();
  let db: Database | undefined;
  try {
    db = new SQL.Database(bytes);
    return packagesOf(db);
  } catch (error) {
    if (error instanceof RpmDatabaseError) throw error;
    // SQLite's own words: "file is not a database", "database disk image is malformed".
    throw new Error(`SQLite: ${(error as Error).message}`);
  } finally {
    db?.close();
  }
}

type Database = InstanceType<SqlJsStatic['Database']>;

/** What is wrong with the database as rpm's, as opposed to an error SQLite raised reading it. */
class RpmDatabaseError extends Error {}

function packagesOf(db: Database): InstalledPackage[] {
  const schema = db.exec("SELECT type, sql FROM sqlite_master WHERE name = 'Packages'");
  const row = schema[0]?.values[0];
  if (row === undefined) throw new RpmDatabaseError('it has no Packages table');
  const [type, sql] = row;
  if (type !== 'table' || typeof sql !== 'string' || !PACKAGES_TABLE.test(sql.trim()))
    throw new RpmDatabaseError(
      'its Packages table is not the one rpm creates (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)',
    );
  const packages: InstalledPackage[] = [];
  const rows = db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum');
  try {
    while (rows.step()) {
      const [hnum, blob] = rows.get();
      if (packages.length >= MAX_RPM_PACKAGES)
        throw new RpmDatabaseError(`more than ${MAX_RPM_PACKAGES} packages`);
      if (!(blob instanceof Uint8Array))
        throw new RpmDatabaseError(`package ${hnum}: its header is not a blob`);
      try {
        packages.push(packageOfHeader(blob));
      } catch (error) {
        throw new RpmDatabaseError(`package ${hnum}: ${(error as Error).message}`);
      }
    }
  } finally {
    rows.free();
  }
  return packages;
}

/** sql.js, started once per process with its WASM binary read from disk (no fetch, no file lookup of its own). */
function sqlite(): Promise<SqlJsStatic> {
  engine ??= (async () => {
    const { default: initSqlJs } = await import('sql.js');
    const wasm = readFileSync(wasmPath());
    return initSqlJs({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) });
  })();
  engine.catch(() => {
    engine = undefined;
  });
  return engine;
}

/** In the Function App package (its root, one level above the chunk this code is bundled into), else in node_modules. */
function wasmPath(): string {
  for (const candidate of ['sql-wasm.wasm', '../sql-wasm.wasm']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  return requireFrom(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm');
}
