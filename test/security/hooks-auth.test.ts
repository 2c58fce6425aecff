// Registry notifications on the real local host: without hooks.token the routes are closed, and with it
// only the bearer token opens them. Nothing is started by a refused notification; the token shows nowhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorText, type HostUnderTest, type RawResponse, startHostUnderTest } from './host-harness.js';

const TOKEN = 'hooks-auth-token-9f27c1b04e';
const HOOK_ROUTES = ['/api/hooks/registry', '/runtime/webhooks/EventGrid'];
const JSON_TYPE = { 'content-type': 'application/json' };
// Well-formed, and for a registry nobody runs: an accepted one is dropped by the registry check, never started.
const ENVELOPE = JSON.stringify({
  events: [
    {
      id: 'evt-1',
      action: 'push',
      target: {
        mediaType: 'application/vnd.oci.image.index.v1+json',
        digest: `sha256:${'1'.repeat(64)}`,
        repository: 'base/node',
        tag: '22',
      },
      request: { host: 'elsewhere.example:5000' },
    },
  ],
});

const yaml = (hooks: string) => `version: 1
registry: { url: "http://127.0.0.1:9" }
defaults: { schedule: "0 0 0 1 1 *" }
images:
  - { source: "docker.io/library/node", tags: ["22"], target: base/node }
${hooks}
`;

let closed: HostUnderTest;
let unset: HostUnderTest;
let open: HostUnderTest;

beforeAll(async () => {
  [closed, unset, open] = await Promise.all([
    startHostUnderTest({ yaml: yaml('') }),
    startHostUnderTest({ yaml: yaml('hooks: { token: env:BASEWATCH_HOOK_TOKEN }') }),
    startHostUnderTest({
      yaml: yaml('hooks: { token: env:BASEWATCH_HOOK_TOKEN }'),
      env: { BASEWATCH_HOOK_TOKEN: TOKEN },
    }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([closed?.stop(), unset?.stop(), open?.stop()]);
});

async function post(target: HostUnderTest, path: string, authorization?: string): Promise<RawResponse> {
  const before = await target.instances();
  const response = await target.send('POST', path, {
    headers: { ...JSON_TYPE, ...(authorization !== undefined && { authorization }) },
    body: ENVELOPE,
  });
  expect(await target.instances()).toEqual(before);
  return response;
}

describe('without hooks.token', () => {
  it.each(HOOK_ROUTES)('%s answers 403 naming the key, even with a bearer token', async (path) => {
    for (const authorization of [undefined, `Bearer ${TOKEN}`]) {
      const response = await post(closed, path, authorization);
      expect(response.status).toBe(403);
      expect(errorText(response)).toContain('set hooks.token in');
      expect(errorText(response)).toContain('hooks: { token: env:NAME }');
    }
    // The Event Grid handshake is closed too: nothing about the host is confirmed to a stranger.
    expect(
      (await closed.send('OPTIONS', path, { headers: { 'webhook-request-origin': 'eventgrid.azure.net' } }))
        .status,
    ).toBe(403);
  });

  it('with hooks.token naming an unset variable, the routes answer 403 naming the variable', async () => {
    for (const path of HOOK_ROUTES) {
      const response = await post(unset, path, `Bearer ${TOKEN}`);
      expect(response.status).toBe(403);
      expect(errorText(response)).toContain(
        'environment variable BASEWATCH_HOOK_TOKEN is not set (hooks.token)',
      );
    }
  });
});

describe('with hooks.token', () => {
  it.each([
    ['no Authorization', undefined],
    ['an empty bearer', 'Bearer '],
    ['a wrong token', 'Bearer wrong-token'],
    ['the token cut short', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the token with more after it', `Bearer ${TOKEN}x`],
    ['the token in upper case', `Bearer ${TOKEN.toUpperCase()}`],
    [
      'Basic credentials with the token as password',
      `Basic ${Buffer.from(`hooks:${TOKEN}`).toString('base64')}`,
    ],
    ['the bare token', TOKEN],
    ['two tokens', `Bearer wrong, Bearer ${TOKEN}`],
  ])('%s is answered 401 on both routes and starts nothing', async (_what, authorization) => {
    for (const path of HOOK_ROUTES) {
      const response = await post(open, path, authorization);
      expect(response.status, path).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="basewatch hooks"');
      expect(errorText(response)).toMatch(
        /^registry notifications need Authorization: Bearer <the value of hooks\.token>/,
      );
    }
  });

  it('the right bearer token is let through (scheme in any case), and the notification is handled', async () => {
    for (const scheme of ['Bearer', 'bearer']) {
      const response = await post(open, '/api/hooks/registry', `${scheme} ${TOKEN}`);
      expect(response.status).toBe(202);
      expect(JSON.parse(response.text)).toEqual({
        results: [
          {
            started: false,
            reason: 'push to elsewhere.example:5000 is not to the private registry 127.0.0.1:9',
          },
        ],
      });
    }
    const grid = await open.send('POST', '/runtime/webhooks/EventGrid', {
      headers: { ...JSON_TYPE, authorization: `Bearer ${TOKEN}`, 'aeg-event-type': 'SubscriptionValidation' },
      body: JSON.stringify([
        {
          id: 'v',
          eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
          data: { validationCode: 'code-1' },
        },
      ]),
    });
    expect(grid.status).toBe(200);
    expect(JSON.parse(grid.text)).toEqual({ validationResponse: 'code-1' });
  });

  it('a notification without the token is refused before its body is read: a 2 MiB one gets 401, not 413', async () => {
    const before = await open.instances();
    const response = await open.send('POST', '/api/hooks/registry', {
      headers: JSON_TYPE,
      body: `{"events":[${'{},'.repeat(700_000)}{}]}`,
    });
    expect(response.status).toBe(401);
    expect(await open.instances()).toEqual(before);
  });

  it('the token appears in no response and no log line', async () => {
    const texts = [
      (await post(open, '/api/hooks/registry', 'Bearer wrong')).text,
      (await post(open, '/api/hooks/registry', `Bearer ${TOKEN}`)).text,
      (await post(unset, '/api/hooks/registry', `Bearer ${TOKEN}`)).text,
      (await open.send('GET', '/api/runs')).text,
    ];
    for (const text of texts) expect(text).not.toContain(TOKEN);
    for (const target of [open, unset, closed]) expect(target.logs.join('\n')).not.toContain(TOKEN);
  });
});
