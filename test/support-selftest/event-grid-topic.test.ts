// The fake Event Grid topic must refuse what Event Grid refuses, or the notifier's tests would pass
// against a contract Azure does not have. Raw requests, no SDK; every expectation is a literal.
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventGridTopic, startEventGridTopic } from '../support/azure/event-grid-topic.js';

const KEY = 'selftest-topic-key';
const BATCH = 'application/cloudevents-batch+json; charset=utf-8';
const valid = { specversion: '1.0', id: '1', source: '/basewatch', type: 'basewatch.image.imported' };

let topic: EventGridTopic;
let agent: Agent;

beforeAll(async () => {
  topic = await startEventGridTopic({ key: KEY });
  agent = new Agent({ connect: { ca: topic.ca } });
});
afterAll(async () => {
  await topic?.stop();
  await agent?.close();
});

interface Answer {
  status: number;
  code?: string;
  message?: string;
  retryAfter?: string | null;
}

async function publish(
  body: unknown,
  options: { headers?: Record<string, string>; query?: string; endpoint?: string; raw?: string } = {},
): Promise<Answer> {
  const response = await fetch(
    `${options.endpoint ?? topic.endpoint}${options.query ?? '?api-version=2018-01-01'}`,
    {
      method: 'POST',
      headers: options.headers ?? { 'content-type': BATCH, 'aeg-sas-key': KEY },
      body: options.raw ?? JSON.stringify(body),
      dispatcher: agent,
    },
  );
  const text = await response.text();
  const error = text ? (JSON.parse(text) as { error?: { code: string; message: string } }).error : undefined;
  return {
    status: response.status,
    ...(error && { code: error.code, message: error.message }),
    retryAfter: response.headers.get('retry-after'),
  };
}

describe('fake Event Grid topic', () => {
  it('accepts a valid batch over HTTPS with the key', async () => {
    const before = topic.events.length;
    expect(
      await publish([valid, { ...valid, id: '2', time: '2026-11-27T10:00:00.123+01:00' }]),
    ).toMatchObject({
      status: 200,
    });
    expect(topic.events.slice(before).map((event) => event.id)).toEqual(['1', '2']);
  });

  it('refuses the key over plain HTTP: Event Grid is HTTPS only', async () => {
    const answer = await publish([valid], { endpoint: topic.plainHttpEndpoint });
    expect(answer).toMatchObject({ status: 403, code: 'Forbidden' });
    expect(answer.message).toMatch(/HTTPS only/);
  });

  it('refuses a wrong content type, api-version, or a missing or wrong key', async () => {
    expect(
      await publish([valid], { headers: { 'content-type': 'application/json', 'aeg-sas-key': KEY } }),
    ).toMatchObject({ status: 400, code: 'BadRequest' });
    expect(await publish([valid], { query: '?api-version=2099-01-01' })).toMatchObject({ status: 400 });
    expect(await publish([valid], { headers: { 'content-type': BATCH } })).toMatchObject({
      status: 401,
      code: 'Unauthorized',
    });
    expect(
      await publish([valid], { headers: { 'content-type': BATCH, 'aeg-sas-key': 'other' } }),
    ).toMatchObject({
      status: 401,
    });
  });

  it.each([
    ['an empty batch', [], /no events/],
    ['a batch that is not an array', valid, /JSON array/],
    ['an event without id', [{ ...valid, id: undefined }], /'id'/],
    ['specversion 0.3', [{ ...valid, specversion: '0.3' }], /specversion/],
    ['time "7"', [{ ...valid, time: '7' }], /RFC 3339/],
    ['time without a zone', [{ ...valid, time: '2026-11-27T10:00:00' }], /RFC 3339/],
    ['time that is a date only', [{ ...valid, time: '2026-11-27' }], /RFC 3339/],
    ['extension attribute "Bad-Name!"', [{ ...valid, 'Bad-Name!': 'x' }], /Bad-Name!/],
    ['extension attribute with upper case', [{ ...valid, traceParent: 'x' }], /traceParent/],
    [
      'extension attribute of 21 characters',
      [{ ...valid, abcdefghijklmnopqrstu: 'x' }],
      /abcdefghijklmnopqrstu/,
    ],
    ['data together with data_base64', [{ ...valid, data: {}, data_base64: 'AA==' }], /exclusive/],
  ])('refuses %s with 400', async (_name, body, problem) => {
    const before = topic.events.length;
    const answer = await publish(body);
    expect(answer).toMatchObject({ status: 400, code: 'BadRequest' });
    expect(answer.message).toMatch(problem);
    expect(topic.events.length).toBe(before);
  });

  it('accepts a lower-case extension attribute of 20 characters', async () => {
    expect(await publish([{ ...valid, abcdefghijklmnopqrst: 'x' }])).toMatchObject({ status: 200 });
  });

  it('refuses a request over 1 MB and an event over 1 MB with 413', async () => {
    const half = 'x'.repeat(600 * 1024);
    const twoEvents = [
      { ...valid, data: half },
      { ...valid, id: '2', data: half },
    ];
    expect(await publish(twoEvents)).toMatchObject({ status: 413, code: 'RequestEntityTooLarge' });
    expect(await publish([{ ...valid, data: 'x'.repeat(1024 * 1024) }])).toMatchObject({ status: 413 });
    // Just under the limit passes.
    expect(await publish([{ ...valid, data: 'x'.repeat(1000 * 1024) }])).toMatchObject({ status: 200 });
  });

  it('answers injected failures with their status and Retry-After, then recovers', async () => {
    topic.failNext({ times: 1, status: 429, retryAfterSeconds: 3 });
    topic.failNext({ times: 1, status: 503 });
    expect(await publish([valid])).toMatchObject({ status: 429, code: 'TooManyRequests', retryAfter: '3' });
    expect(await publish([valid])).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
    expect(await publish([valid])).toMatchObject({ status: 200 });
  });

  it('records every request with its status and the number of events it carried', async () => {
    const before = topic.requests.length;
    await publish([valid, valid, valid]);
    await publish([], { endpoint: topic.plainHttpEndpoint });
    expect(
      topic.requests.slice(before).map((request) => [request.scheme, request.status, request.events]),
    ).toEqual([
      ['https', 200, 3],
      ['http', 403, undefined],
    ]);
  });
});
