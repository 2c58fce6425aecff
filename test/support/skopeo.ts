import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SkopeoCredentials {
  username: string;
  password: string;
}

export interface SkopeoCopyOptions {
  /** Copy every platform of an index (`--all`), keeping the index digest. */
  all?: boolean;
  srcCreds?: SkopeoCredentials;
  destCreds?: SkopeoCredentials;
  /** e.g. `--retry-times=2`, `--preserve-digests`. */
  extraArgs?: string[];
}

const TRANSPORT_RE = /^(docker|oci|oci-archive|dir|docker-archive|docker-daemon|containers-storage):/;

/** `127.0.0.1:5000/repo:tag` → `docker://127.0.0.1:5000/repo:tag`; refs with a transport pass through. */
export function skopeoRef(ref: string): string {
  return TRANSPORT_RE.test(ref) ? ref : `docker://${ref}`;
}

const creds = (flag: string, value: SkopeoCredentials | undefined): string[] =>
  value ? [`${flag}=${value.username}:${value.password}`] : [];

/**
 * The digest of exactly what the tag points at: sha256 of the raw manifest bytes, so an index gives
 * the index digest. (skopeo 1.9.3's `--format {{.Digest}}` agrees, seen here; this does not rely on it.)
 */
export async function skopeoInspectDigest(ref: string, credentials?: SkopeoCredentials): Promise<string> {
  const raw = await skopeo(
    ['inspect', '--raw', '--tls-verify=false', ...creds('--creds', credentials), skopeoRef(ref)],
    'buffer',
  );
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/** The raw manifest (or index) bytes skopeo reads for `ref`. */
export async function skopeoInspectRaw(ref: string, credentials?: SkopeoCredentials): Promise<Buffer> {
  return skopeo(
    ['inspect', '--raw', '--tls-verify=false', ...creds('--creds', credentials), skopeoRef(ref)],
    'buffer',
  );
}

export async function skopeoCopy(src: string, dst: string, options: SkopeoCopyOptions = {}): Promise<void> {
  await skopeo(
    [
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      ...(options.all ? ['--all'] : []),
      ...creds('--src-creds', options.srcCreds),
      ...creds('--dest-creds', options.destCreds),
      ...(options.extraArgs ?? []),
      skopeoRef(src),
      skopeoRef(dst),
    ],
    'buffer',
  );
}

async function skopeo(args: string[], encoding: 'buffer'): Promise<Buffer> {
  try {
    const { stdout } = await run('skopeo', args, { encoding, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString('utf8').trim();
    const shown = args.map((arg) => arg.replace(/(creds=[^:]*:).*/, '$1***'));
    throw new Error(`skopeo ${shown.join(' ')} failed: ${stderr || (error as Error).message}`);
  }
}
