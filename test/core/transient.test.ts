import { describe, expect, it } from 'vitest';
import { isTransient } from '../../src/core/transient.js';

describe('isTransient: an error says itself whether trying again may help', () => {
  it('an error that declares transient: true', () => {
    expect(isTransient(Object.assign(new Error('503'), { transient: true }))).toBe(true);
    expect(isTransient({ transient: true })).toBe(true);
  });

  it.each([
    ['an error without the property', new Error('denied')],
    ['transient: false', Object.assign(new Error('denied'), { transient: false })],
    ['a truthy value that is not true', { transient: 'yes' }],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'transient'],
  ])('not %s', (_name, error) => {
    expect(isTransient(error)).toBe(false);
  });
});
