// Plain gunzip of the given files with node:zlib, one after another, in a process of its own as the diff
// runs in one: `diff-gunzip.ts CHUNK_BYTES FILE…` (0: zlib's own chunk size). Prints the milliseconds.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

const [chunk, ...files] = process.argv.slice(2) as [string, ...string[]];
const chunkSize = Number(chunk);
const started = performance.now();
for (const file of files)
  await pipeline(
    createReadStream(file),
    createGunzip(chunkSize > 0 ? { chunkSize } : {}),
    async (source: AsyncIterable<Buffer>) => {
      for await (const _ of source);
    },
  );
process.stdout.write(`${performance.now() - started}\n`);
