import { describe, expect, it } from 'vitest';
import { TERMINAL_STATUSES } from '../../src/core/orchestrations.js';
import { FINISHED_REBUILD_STATUSES } from '../../src/core/rebuilder.js';

describe('statuses after which nothing changes', () => {
  it('an orchestration is over once Completed, Failed, Terminated or Canceled (Durable Functions)', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(['Canceled', 'Completed', 'Failed', 'Terminated']);
  });

  it('a rebuild is over once it succeeded, failed, was canceled or timed out; queued and running are not', () => {
    expect([...FINISHED_REBUILD_STATUSES].sort()).toEqual(['canceled', 'failed', 'succeeded', 'timeout']);
  });
});
