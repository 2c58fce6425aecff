import { describe, expect, it } from 'vitest';
import { appSubject, cloudEvent, imageSubject } from '../../src/core/events.js';
import { ConcurrentUpdateError, copiedUpstreamDigest, type TrackedImageState } from '../../src/core/state.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const image = (fields: Partial<TrackedImageState>): TrackedImageState => ({
  source: 'docker.io/library/node:20',
  target: 'base/node:20',
  ...fields,
});

describe('copiedUpstreamDigest: what upstream was at when the copy was made', () => {
  it('is the upstream digest recorded for a filtered copy, not the copy’s own digest', () => {
    expect(copiedUpstreamDigest(image({ importedDigest: d('c'), importedFrom: d('u') }))).toBe(d('u'));
  });
  it('is the imported digest when the copy is the upstream image itself', () => {
    expect(copiedUpstreamDigest(image({ importedDigest: d('a') }))).toBe(d('a'));
  });
  it('is nothing for an image never imported', () => {
    expect(copiedUpstreamDigest(undefined)).toBeUndefined();
    expect(copiedUpstreamDigest(image({}))).toBeUndefined();
  });
});

describe('ConcurrentUpdateError', () => {
  it('names what was updated and how often it was tried', () => {
    const error = new ConcurrentUpdateError('image base/node:20', 5);
    expect(error.message).toBe(
      'update image base/node:20: still conflicting with concurrent writers after 5 attempts',
    );
    expect(error).toMatchObject({ name: 'ConcurrentUpdateError', what: 'image base/node:20', attempts: 5 });
  });
});

describe('CloudEvents', () => {
  it('subjects: /images/<repository>:<tag> and /teams/<team>/apps/<app>', () => {
    expect(imageSubject('base/node:20-alpine')).toBe('/images/base/node:20-alpine');
    expect(appSubject('payments', 'orders-api')).toBe('/teams/payments/apps/orders-api');
  });

  it('an event in structured JSON form, with the given id, source and time', () => {
    expect(
      cloudEvent({
        type: 'basewatch.image.imported',
        subject: '/images/base/node:20',
        data: { image: 'base/node:20' },
        id: 'id-1',
        source: '/subscriptions/x/sites/basewatch',
        time: '2026-11-27T12:00:00.000Z',
      }),
    ).toEqual({
      specversion: '1.0',
      id: 'id-1',
      source: '/subscriptions/x/sites/basewatch',
      type: 'basewatch.image.imported',
      subject: '/images/base/node:20',
      time: '2026-11-27T12:00:00.000Z',
      datacontenttype: 'application/json',
      data: { image: 'base/node:20' },
    });
  });

  it('without an id or source: a fresh UUID for each event, and source /basewatch', () => {
    const make = () =>
      cloudEvent({ type: 'basewatch.sync.completed', subject: '/images/a:1', data: {}, time: 't' });
    const [a, b] = [make(), make()];
    expect(a.source).toBe('/basewatch');
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b.id).not.toBe(a.id);
  });
});
