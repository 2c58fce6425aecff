import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, HttpTransportError } from '../../src/registry/http.js';
import { postJson } from '../../src/webhooks/post-json.js';
import { describeUrl, signBody, verifySignature } from '../../src/webhooks/signature.js';
import { type ScriptedReceiver, startScriptedReceiver } from './scripted-receiver.js';

describe('signBody', () => {
  it('is sha256= and the hex HMAC-SHA256 of the body (the well-known test vector)', () => {
    expect(signBody('The quick brown fox jumps over the lazy dog', 'key')).toBe(
      'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });

  it('agrees with node:crypto for any body and key, as a string or as bytes', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (body, key) => {
        const expected = `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
        expect(signBody(body, key)).toBe(expected);
        expect(signBody(Buffer.from(body), key)).toBe(expected);
      }),
    );
  });
});

describe('verifySignature', () => {
  const body = '[{"id":"event-1"}]';
  const good = `sha256=${createHmac('sha256', 'literal-key').update(body).digest('hex')}`;

  it('accepts the signature of the body under the key', () => {
    expect(verifySignature(body, 'literal-key', good)).toBe(true);
    expect(verifySignature(Buffer.from(body), 'literal-key', good)).toBe(true);
  });

  it.each([
    ['no signature', undefined],
    ['an empty signature', ''],
    [
      'the signature under another key',
      `sha256=${createHmac('sha256', 'other-key').update(body).digest('hex')}`,
    ],
    [
      'the signature of another body',
      `sha256=${createHmac('sha256', 'literal-key').update(`${body} `).digest('hex')}`,
    ],
    ['a truncated signature', good.slice(0, -1)],
    ['a longer signature', `${good}0`],
    ['the bare hex without sha256=', good.slice('sha256='.length)],
    ['one hex digit changed', `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`],
  ])('refuses %s', (_name, signature) => {
    expect(verifySignature(body, 'literal-key', signature)).toBe(false);
  });
});

describe('describeUrl keeps scheme, host and path, never a query or credentials', () => {
  it.each([
    ['https://hooks.example.com/x?token=secret#frag', 'https://hooks.example.com/x'],
    ['http://user:pass@127.0.0.1:8080/ci/run', 'http://127.0.0.1:8080/ci/run'],
    ['https://hooks.example.com', 'https://hooks.example.com/'],
  ])('%s → %s', (url, described) => {
    expect(describeUrl(url)).toBe(described);
  });

  it('a text that is no URL is not echoed (it may be a pasted secret)', () => {
    expect(describeUrl('not a url, maybe a token')).toBe('(invalid URL)');
  });
});

describe('postJson', () => {
  let receiver: ScriptedReceiver;
  const http = new HttpClient({ sleep: async () => {}, maxAttempts: 2 });
  beforeAll(async () => {
    receiver = await startScriptedReceiver();
  });
  afterAll(async () => receiver?.stop());

  it('sends the body byte for byte as application/json unless told otherwise, and returns the answer', async () => {
    receiver.script('/plain', { status: 201, body: '{"runId":"7"}' });
    const answer = await postJson(http, `${receiver.url}/plain`, '{"a": 1}', {}, 'start rebuild');
    expect(answer).toEqual({ status: 201, body: '{"runId":"7"}' });
    const [delivery] = receiver.deliveriesTo('/plain');
    expect(delivery!.body).toBe('{"a": 1}');
    expect(delivery!.headers['content-type']).toBe('application/json');
  });

  it('a header given wins over the default content type', async () => {
    await postJson(http, `${receiver.url}/typed`, '[]', { 'content-type': 'application/x-test' }, 'notify');
    expect(receiver.deliveriesTo('/typed')[0]!.headers['content-type']).toBe('application/x-test');
  });

  it.each([200, 204, 299])('HTTP %i is success', async (status) => {
    receiver.script(`/ok-${status}`, { status });
    await expect(postJson(http, `${receiver.url}/ok-${status}`, '{}', {}, 'notify')).resolves.toMatchObject({
      status,
    });
  });

  it.each([300, 404, 500])(
    'HTTP %i fails naming what was done and the URL without its query',
    async (status) => {
      receiver.script(`/no-${status}?token=t0k3n`, { status }, { status });
      const error = await postJson(http, `${receiver.url}/no-${status}?token=t0k3n`, '{}', {}, 'notify hook')
        .then(() => undefined)
        .catch((e: unknown) => e as Error);
      expect(error?.message).toBe(`notify hook: ${receiver.url}/no-${status} answered HTTP ${status}`);
    },
  );

  it('an unreachable receiver fails naming the attempts and the error code, keeping the transport error as cause', async () => {
    const closed = await startScriptedReceiver();
    await closed.stop();
    const error = await postJson(http, `${closed.url}/gone`, '{}', {}, 'notify hook')
      .then(() => undefined)
      .catch((e: unknown) => e as Error);
    expect(error?.message).toBe(
      `notify hook: ${closed.url}/gone unreachable after 2 attempt(s) (ECONNREFUSED)`,
    );
    expect(error?.cause).toBeInstanceOf(HttpTransportError);
  });

  it('any other failure is passed on as it is', async () => {
    const error = await postJson(http, 'not a url', '{}', {}, 'notify hook')
      .then(() => undefined)
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(TypeError);
    expect(error?.message).not.toContain('notify hook');
  });
});
