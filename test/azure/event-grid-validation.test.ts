import { describe, expect, it } from 'vitest';
import {
  SUBSCRIPTION_VALIDATION_EVENT,
  subscriptionValidationResponse,
  webhookAllowedOriginHeaders,
} from '../../src/azure/event-grid-validation.js';

const validation = {
  id: '2d1781af-3a4c-4d7c-bd0c-e34b19da4e66',
  topic: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/myregistry',
  subject: '',
  data: {
    validationCode: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6',
    validationUrl: 'https://rp-eastus2.eventgrid.azure.net/eventsubscriptions/x/validate?id=y',
  },
  eventType: SUBSCRIPTION_VALIDATION_EVENT,
  eventTime: '2026-11-27T10:00:00Z',
  metadataVersion: '1',
  dataVersion: '1',
};

describe('subscriptionValidationResponse', () => {
  it('answers the validation code of a SubscriptionValidationEvent delivery', () => {
    expect(subscriptionValidationResponse([validation])).toEqual({
      validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6',
    });
  });

  it('leaves other deliveries alone', () => {
    expect(
      subscriptionValidationResponse([
        { ...validation, eventType: 'Microsoft.ContainerRegistry.ImagePushed' },
      ]),
    ).toBeUndefined();
    expect(subscriptionValidationResponse([validation, validation])).toBeUndefined();
    expect(subscriptionValidationResponse([{ ...validation, data: {} }])).toBeUndefined();
    expect(subscriptionValidationResponse('x')).toBeUndefined();
  });
});

describe('webhookAllowedOriginHeaders', () => {
  it('echoes the origin of a CloudEvents abuse-protection handshake', () => {
    expect(webhookAllowedOriginHeaders('eventgrid.azure.net')).toEqual({
      'WebHook-Allowed-Origin': 'eventgrid.azure.net',
      'WebHook-Allowed-Rate': '*',
    });
    expect(webhookAllowedOriginHeaders(undefined)).toBeUndefined();
  });
});
