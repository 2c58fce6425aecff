// The referrers outcome in words, and the outcome of an importer that keeps none.
import { describe, expect, it } from 'vitest';
import { describeReferrers, referrersNotKept } from '../../src/core/referrers.js';

const SUBJECT = `sha256:${'e'.repeat(64)}`;

describe('referrers outcome', () => {
  it('an importer that keeps none says why, unless the policy asked for none', () => {
    expect(referrersNotKept('all', SUBJECT, 'ACR import does not copy referrers')).toEqual({
      policy: 'all',
      copied: [],
      copiedTotal: 0,
      skipped: 0,
      lost: [{ subject: SUBJECT, reason: 'ACR import does not copy referrers' }],
      lostTotal: 1,
    });
    expect(referrersNotKept('none', SUBJECT, 'ACR import does not copy referrers').lost).toEqual([]);
  });

  it('is described in one line: kept, left out, and the first that was not kept', () => {
    expect(
      describeReferrers({
        policy: ['application/spdx+json'],
        copied: [],
        copiedTotal: 3,
        skipped: 2,
        lost: [{ subject: SUBJECT, reason: 'more than 256 referrers are listed' }],
        lostTotal: 2,
      }),
    ).toBe(
      `kept 3 attachments, 2 left out by the referrers policy; 2 not kept (${SUBJECT}: more than 256 referrers are listed; …)`,
    );
    expect(
      describeReferrers({ policy: 'all', copied: [], copiedTotal: 1, skipped: 0, lost: [], lostTotal: 0 }),
    ).toBe('kept 1 attachment');
    expect(describeReferrers(referrersNotKept('none', SUBJECT, 'x'))).toBe(
      'attachments not copied (referrers: none)',
    );
  });
});
