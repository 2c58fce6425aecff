// A gzip layer from a directory, made by GNU tar and gzip -1 on disk (a 64 MiB payload is not
// compressed in the bench's own process), with the fields test/changes' images take.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { FsLayer } from '../test/changes/fs-layer.js';

const run = promisify(execFile);

export async function fsLayerFromDir(dir: string, path: string): Promise<FsLayer & { path: string }> {
  const tar = `${path}.tar`;
  await run('tar', [
    '--format=gnu',
    '--sort=name',
    '--mtime=@0',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-C',
    dir,
    '-cf',
    tar,
    '.',
  ]);
  const diffId = `sha256:${createHash('sha256')
    .update(await readFile(tar))
    .digest('hex')}`;
  await run('sh', ['-c', `gzip -1 -n -c '${tar}' > '${path}' && rm '${tar}'`]);
  const bytes = await readFile(path);
  return {
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    diffId,
    size: bytes.length,
    bytes,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    path,
  };
}
