import { describe, expect, it } from 'vitest';
import { runFailureReason, runStatus } from '../../src/azure/acr-task-runs.js';

describe('runStatus', () => {
  it.each([
    ['Queued', 'queued'],
    ['Started', 'running'],
    ['Running', 'running'],
    ['Succeeded', 'succeeded'],
    ['Failed', 'failed'],
    ['Error', 'failed'],
    ['Canceled', 'canceled'],
    ['Timeout', 'timeout'],
  ])('maps ACR %s to %s', (acr, basewatch) => {
    expect(runStatus(acr)).toBe(basewatch);
  });

  it('leaves an unknown status unmapped', () => {
    expect(runStatus('Paused')).toBeUndefined();
    expect(runStatus(undefined)).toBeUndefined();
  });
});

describe('runFailureReason', () => {
  it("names the run, its task when given, the status and ACR's message, cut at 1000 characters", () => {
    expect(runFailureReason({ runId: 'cb7', status: 'Failed', runErrorMessage: 'exit status 1' })).toBe(
      'ACR run cb7 ended Failed: exit status 1',
    );
    expect(runFailureReason({ runId: 'cb7', status: 'Timeout' }, 'validate-base')).toBe(
      'ACR run cb7 of validate-base ended Timeout',
    );
    const long = runFailureReason({ runId: 'cb8', status: 'Error', runErrorMessage: 'x'.repeat(5000) });
    expect(long).toBe(`ACR run cb8 ended Error: ${'x'.repeat(1000)}`);
  });
});
