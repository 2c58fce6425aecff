import { describe, expect, it } from 'vitest';
import { busySlots, oneWriteAtATime } from '../../src/registry/upload-lock.js';

const slot = (repository: string, digest = `sha256:${'b'.repeat(64)}`) => ({
  location: 'registry 127.0.0.1:1',
  repository,
  digest,
});

describe('one write of a blob into a repository at a time', () => {
  it('runs writes of one slot one after another, in the order they asked', async () => {
    const order: string[] = [];
    const write = (name: string, ms: number) => () =>
      new Promise<string>((resolve) => {
        order.push(`${name} starts`);
        setTimeout(() => {
          order.push(`${name} ends`);
          resolve(name);
        }, ms);
      });
    const results = await Promise.all([
      oneWriteAtATime(slot('lock/order'), write('a', 30)),
      oneWriteAtATime(slot('lock/order'), write('b', 1)),
      oneWriteAtATime(slot('lock/order'), write('c', 1)),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(order).toEqual(['a starts', 'a ends', 'b starts', 'b ends', 'c starts', 'c ends']);
  });

  it('lets other repositories and other digests write at the same time', async () => {
    const running: string[] = [];
    let most = 0;
    const write = (name: string) => async () => {
      running.push(name);
      most = Math.max(most, running.length);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running.splice(running.indexOf(name), 1);
    };
    await Promise.all([
      oneWriteAtATime(slot('lock/one'), write('one')),
      oneWriteAtATime(slot('lock/two'), write('two')),
      oneWriteAtATime(slot('lock/one', `sha256:${'c'.repeat(64)}`), write('other digest')),
    ]);
    expect(most).toBe(3);
  });

  it('a failed write reports its own error and does not hold the next one', async () => {
    const failed = oneWriteAtATime(slot('lock/fail'), async () => {
      throw new Error('upload refused');
    });
    const next = oneWriteAtATime(slot('lock/fail'), async () => 'uploaded');
    await expect(failed).rejects.toThrow('upload refused');
    await expect(next).resolves.toBe('uploaded');
    expect(busySlots()).toBe(0);
  });
});
