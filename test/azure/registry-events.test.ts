import { describe, expect, it } from 'vitest';
import {
  IMAGE_PUSHED,
  parseRegistryEvent,
  parseRegistryEventDelivery,
} from '../../src/azure/registry-events.js';
import { parseDistributionNotification } from '../../src/registry/push-events.js';

const DIGEST = `sha256:${'e'.repeat(64)}`;
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** `data` of Microsoft.ContainerRegistry.ImagePushed, as ACR sends it. */
const pushData = {
  id: '831e1650-001e-001b-66ab-eeb76e069631',
  timestamp: '2026-11-27T10:00:00.000Z',
  action: 'push',
  target: {
    mediaType: OCI_INDEX,
    size: 524,
    digest: DIGEST,
    length: 524,
    repository: 'base/node',
    tag: '20-alpine',
  },
  request: {
    id: '3cbb6949-7549-4fa1-86cd-a6d5451dffc7',
    host: 'myregistry.azurecr.io',
    method: 'PUT',
    useragent: 'docker/27.0',
  },
};

const eventGridSchema = {
  id: 'eg-1',
  topic:
    '/subscriptions/0000/resourceGroups/rg-images/providers/Microsoft.ContainerRegistry/registries/myregistry',
  subject: 'base/node:20-alpine',
  eventType: IMAGE_PUSHED,
  eventTime: '2026-11-27T10:00:00.000Z',
  data: pushData,
  dataVersion: '1.0',
  metadataVersion: '1',
};

const cloudEventsSchema = {
  specversion: '1.0',
  id: 'ce-1',
  source:
    '/subscriptions/0000/resourceGroups/rg-images/providers/Microsoft.ContainerRegistry/registries/myregistry',
  type: IMAGE_PUSHED,
  subject: 'base/node:20-alpine',
  time: '2026-11-27T10:00:00.000Z',
  data: pushData,
};

const push = {
  registry: 'myregistry.azurecr.io',
  repository: 'base/node',
  tag: '20-alpine',
  digest: DIGEST,
  mediaType: OCI_INDEX,
};

describe('parseRegistryEvent', () => {
  it('reads ImagePushed in the Event Grid schema', () => {
    expect(parseRegistryEvent(eventGridSchema)).toEqual({ ...push, eventId: 'eg-1' });
  });

  it('reads ImagePushed in the CloudEvents schema', () => {
    expect(parseRegistryEvent(cloudEventsSchema)).toEqual({ ...push, eventId: 'ce-1' });
  });

  it('reads data delivered as JSON text', () => {
    expect(parseRegistryEvent({ ...cloudEventsSchema, data: JSON.stringify(pushData) })).toEqual({
      ...push,
      eventId: 'ce-1',
    });
  });

  it('keeps a push by digest, without a tag', () => {
    const { tag: _tag, ...untagged } = pushData.target;
    const parsed = parseRegistryEvent({ ...cloudEventsSchema, data: { ...pushData, target: untagged } });
    expect(parsed).toEqual({ ...push, tag: undefined, eventId: 'ce-1' });
    expect('tag' in parsed).toBe(false);
  });

  it.each([
    [
      'another event type',
      { ...eventGridSchema, eventType: 'Microsoft.ContainerRegistry.ImageDeleted' },
      /is not Microsoft.ContainerRegistry.ImagePushed/,
    ],
    ['a chart', { ...cloudEventsSchema, type: 'Microsoft.ContainerRegistry.ChartPushed' }, /ChartPushed/],
    ['no data', { ...cloudEventsSchema, data: undefined }, /malformed push/],
    [
      'a bad digest',
      { ...cloudEventsSchema, data: { ...pushData, target: { ...pushData.target, digest: 'sha256:xyz' } } },
      /target\.digest/,
    ],
    ['no request host', { ...cloudEventsSchema, data: { ...pushData, request: {} } }, /request\.host/],
    [
      'a layer push',
      {
        ...cloudEventsSchema,
        data: {
          ...pushData,
          target: { ...pushData.target, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' },
        },
      },
      /not an image manifest/,
    ],
    ['not an event', 'hello', /not an Event Grid or CloudEvents/],
    [
      'the wrong specversion',
      { ...cloudEventsSchema, specversion: '0.3' },
      /not an Event Grid or CloudEvents/,
    ],
  ])('drops %s with a reason', (_name, event, reason) => {
    const parsed = parseRegistryEvent(event);
    expect(parsed).toHaveProperty('dropped');
    expect((parsed as { dropped: string }).dropped).toMatch(reason);
  });

  it('keeps the event id of a dropped event for the log', () => {
    expect(parseRegistryEvent({ ...cloudEventsSchema, data: null })).toMatchObject({ eventId: 'ce-1' });
  });
});

describe('parseRegistryEventDelivery', () => {
  it('reads an Event Grid array and a single CloudEvent', () => {
    expect(parseRegistryEventDelivery([eventGridSchema, { ...eventGridSchema, id: 'eg-2' }])).toHaveLength(2);
    expect(parseRegistryEventDelivery(cloudEventsSchema)).toEqual([{ ...push, eventId: 'ce-1' }]);
  });
});

describe('parseDistributionNotification', () => {
  const manifestEvent = {
    id: 'dist-2',
    timestamp: '2026-11-27T10:00:00.000Z',
    action: 'push',
    target: {
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      size: 428,
      digest: DIGEST,
      length: 428,
      repository: 'base/node',
      url: `http://127.0.0.1:5000/v2/base/node/manifests/${DIGEST}`,
      tag: '20-alpine',
    },
    request: { id: 'r', addr: '127.0.0.1:40000', host: '127.0.0.1:5000', method: 'PUT', useragent: 'test' },
    actor: {},
    source: { addr: 'host:5000', instanceID: 'i' },
  };
  const blobEvent = {
    ...manifestEvent,
    id: 'dist-1',
    target: { ...manifestEvent.target, mediaType: 'application/octet-stream', tag: undefined },
  };

  it('keeps tagged manifest pushes and drops blob pushes and untagged manifests', () => {
    const { tag: _tag, ...untaggedTarget } = manifestEvent.target;
    const parsed = parseDistributionNotification({
      events: [blobEvent, manifestEvent, { ...manifestEvent, id: 'dist-3', target: untaggedTarget }],
    });

    expect(parsed).toEqual([
      { dropped: 'application/octet-stream is not an image manifest', eventId: 'dist-1' },
      {
        registry: '127.0.0.1:5000',
        repository: 'base/node',
        tag: '20-alpine',
        digest: DIGEST,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        eventId: 'dist-2',
      },
      { dropped: 'manifest pushed without a tag', eventId: 'dist-3' },
    ]);
  });

  it('drops pulls and a body that is not an envelope', () => {
    expect(parseDistributionNotification({ events: [{ ...manifestEvent, action: 'pull' }] })).toEqual([
      { dropped: 'action "pull" is not push', eventId: 'dist-2' },
    ]);
    expect(parseDistributionNotification([])).toEqual([
      { dropped: 'not a Distribution notification envelope ({"events": [...]})' },
    ]);
  });
});
