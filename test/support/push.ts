import type { TestImage, TestIndex } from './images.js';

export interface PushCredentials {
  username: string;
  password: string;
}

/**
 * Just enough of a registry client to seed tests: Basic and Bearer auth, monolithic blob upload,
 * manifest PUT. Deliberately separate from src/registry so the tests do not grade it with itself.
 */
class PushSession {
  private authorization: string | undefined;

  constructor(
    private readonly registryUrl: string,
    private readonly repository: string,
    private readonly credentials: PushCredentials | undefined,
  ) {}

  /** Settles auth once with a ping, so parallel requests after it do not each fetch a token. */
  async authenticate(): Promise<void> {
    const ping = await this.send('GET', '/v2/');
    await expectStatus(ping, 200, `ping ${this.registryUrl}`);
  }

  async pushBlob(digest: string, bytes: Buffer): Promise<void> {
    const head = await this.send('HEAD', `/v2/${this.repository}/blobs/${digest}`);
    if (head.status === 200) return;
    const start = await this.send('POST', `/v2/${this.repository}/blobs/uploads/`);
    await expectStatus(start, 202, `start upload of ${digest}`);
    const location = start.headers.get('location');
    if (!location) throw new Error(`start upload of ${digest}: no Location header`);
    const upload = new URL(location, this.registryUrl);
    upload.searchParams.set('digest', digest);
    const put = await this.send('PUT', upload.href, bytes, 'application/octet-stream');
    await expectStatus(put, 201, `upload blob ${digest}`);
  }

  async pushManifest(reference: string, manifest: TestImage | TestIndex): Promise<void> {
    const put = await this.send(
      'PUT',
      `/v2/${this.repository}/manifests/${reference}`,
      manifest.manifestBytes,
      manifest.mediaType,
    );
    await expectStatus(put, 201, `put manifest ${this.repository}:${reference}`);
    const digest = put.headers.get('docker-content-digest');
    if (digest && digest !== manifest.digest) {
      throw new Error(
        `put manifest ${this.repository}:${reference}: registry says ${digest}, expected ${manifest.digest}`,
      );
    }
  }

  private async send(
    method: string,
    pathOrUrl: string,
    body?: Buffer,
    contentType?: string,
  ): Promise<Response> {
    const url = new URL(pathOrUrl, this.registryUrl);
    const attempt = () => {
      const headers: Record<string, string> = {};
      if (this.authorization) headers.authorization = this.authorization;
      if (contentType) headers['content-type'] = contentType;
      return fetch(url, { method, headers, ...(body ? { body } : {}) });
    };
    let response = await attempt();
    if (response.status !== 401) return response;
    const challenge = response.headers.get('www-authenticate') ?? '';
    await response.body?.cancel();
    this.authorization = await this.authorize(challenge, `${method} ${url.pathname}`);
    response = await attempt();
    return response;
  }

  private async authorize(challenge: string, what: string): Promise<string> {
    const basic = this.credentials
      ? `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`
      : undefined;
    if (/^basic\b/i.test(challenge)) {
      if (!basic) throw new Error(`${what}: registry wants Basic auth and no credentials were given`);
      return basic;
    }
    if (!/^bearer\b/i.test(challenge)) throw new Error(`${what}: unexpected challenge '${challenge}'`);
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!params.realm) throw new Error(`${what}: Bearer challenge without realm: ${challenge}`);
    const realm = new URL(params.realm);
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', `repository:${this.repository}:pull,push`);
    const response = await fetch(realm, basic ? { headers: { authorization: basic } } : {});
    await expectStatus(response, 200, `get token from ${realm.origin}${realm.pathname}`, true);
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error(`token endpoint ${realm.origin} answered without a token`);
    return `Bearer ${token}`;
  }
}

/** Throws with the registry's answer unless `status`; on success the body is discarded unless kept. */
async function expectStatus(
  response: Response,
  status: number,
  what: string,
  keepBody = false,
): Promise<void> {
  if (response.status === status) {
    if (!keepBody) await response.body?.cancel();
    return;
  }
  const text = await response.text().catch(() => '');
  throw new Error(`${what}: HTTP ${response.status} (expected ${status}) ${text}`);
}

async function pushBlobs(session: PushSession, blobs: Map<string, Buffer>): Promise<void> {
  await session.authenticate();
  await Promise.all([...blobs].map(([digest, bytes]) => session.pushBlob(digest, bytes)));
}

/** Pushes an image's blobs, then its manifest under `tag`. Returns the manifest digest. */
export async function pushImage(
  registryUrl: string,
  repository: string,
  tag: string,
  image: TestImage,
  credentials?: PushCredentials,
): Promise<string> {
  const session = new PushSession(registryUrl, repository, credentials);
  await pushBlobs(session, image.blobs);
  await session.pushManifest(tag, image);
  return image.digest;
}

/** Pushes every image of the index by digest, then the index under `tag`. Returns the index digest. */
export async function pushIndex(
  registryUrl: string,
  repository: string,
  tag: string,
  index: TestIndex,
  credentials?: PushCredentials,
): Promise<string> {
  const session = new PushSession(registryUrl, repository, credentials);
  await pushBlobs(session, index.blobs);
  await Promise.all(index.images.map((image) => session.pushManifest(image.digest, image)));
  await session.pushManifest(tag, index);
  return index.digest;
}

export interface ManyTagsOptions {
  credentials?: PushCredentials;
  /** Parallel manifest PUTs (default 16). */
  concurrency?: number;
  /** Tag prefix (default `tag-`); tags are `tag-0000`, `tag-0001`, … */
  prefix?: string;
}

/** Uploads the blobs once, then PUTs the same manifest under `count` tags. Returns the tags. */
export async function pushManyTags(
  registryUrl: string,
  repository: string,
  count: number,
  image: TestImage | TestIndex,
  options: ManyTagsOptions = {},
): Promise<string[]> {
  const width = Math.max(4, String(count - 1).length);
  const tags = Array.from(
    { length: count },
    (_, i) => `${options.prefix ?? 'tag-'}${String(i).padStart(width, '0')}`,
  );
  if (tags.length === 0) return tags;
  const session = new PushSession(registryUrl, repository, options.credentials);
  await pushBlobs(session, image.blobs);
  if (image.kind === 'index')
    await Promise.all(image.images.map((child) => session.pushManifest(child.digest, child)));
  let next = 0;
  const worker = async () => {
    while (next < tags.length) await session.pushManifest(tags[next++]!, image);
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
  return tags;
}
