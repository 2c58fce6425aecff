// rpm databases in the Function App package (infra/package-app.ts): it has no node_modules, so sql.js's
// WASM binary travels at its root, and sql.js's CommonJS must run inside an ES module bundle. Loaded as
// the worker would, in a fresh Node process outside the repository.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PackagedApp, packageApp } from '../../infra/package-app.js';
import { RpmWorkshop } from './rpm-fixture.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
let packaged: PackagedApp;
let workshop: RpmWorkshop;

beforeAll(async () => {
  workshop = new RpmWorkshop();
  packaged = await packageApp(root, mkdtempSync(join(tmpdir(), 'basewatch-rpm-package-')));
}, 120_000);
afterAll(() => {
  rmSync(packaged.dir, { recursive: true, force: true });
  workshop?.remove();
});

const scripts = () => [
  BUNDLE_ENTRY,
  ...readdirSync(join(packaged.dir, 'chunks'))
    .filter((file) => file.endsWith('.js'))
    .map((file) => `chunks/${file}`),
];
const BUNDLE_ENTRY = 'functions.js';

describe('the Function App package reads rpm databases', () => {
  it('carries sql.js’s WASM binary at its root, where the reader looks one folder above its chunk', () => {
    const shipped = readFileSync(join(packaged.dir, 'sql-wasm.wasm'));
    expect(shipped.equals(readFileSync(join(root, 'node_modules/sql.js/dist/sql-wasm.wasm')))).toBe(true);
  });

  it('has no script Node refuses to parse (an import clashing with the bundle’s banner)', async () => {
    for (const script of scripts()) await run(process.execPath, ['--check', join(packaged.dir, script)]);
  });

  it('starts the bundled sql.js in an ES module with no node_modules and reads an rpmdb.sqlite rpm made', async () => {
    const { bytes, listed } = workshop.database([
      { name: 'bash', version: '5.2.26', release: '3.fc40', arch: 'x86_64' },
      { name: 'tzdata', version: '2024a', release: '5.fc40', arch: 'noarch' },
    ]);
    const database = join(packaged.dir, 'probe.sqlite');
    writeFileSync(database, bytes);
    const chunk = scripts().find((script) => script.startsWith('chunks/sql-wasm-'));
    expect(chunk).toBeDefined();
    const program = `
      import { readFileSync } from 'node:fs';
      const { default: initSqlJs } = await import(${JSON.stringify(pathToFileURL(join(packaged.dir, chunk as string)).href)});
      const SQL = await initSqlJs({ wasmBinary: readFileSync(${JSON.stringify(join(packaged.dir, 'sql-wasm.wasm'))}) });
      const db = new SQL.Database(readFileSync(${JSON.stringify(database)}));
      console.log(JSON.stringify(db.exec('SELECT count(*) FROM Packages')[0].values[0][0]));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program], { cwd: tmpdir() });
    expect(Number(stdout.trim())).toBe(listed.length);
    expect(listed).toHaveLength(2);
  });
});
