// Instance ids as Durable Functions takes them (1–100 characters, no / \ # ?, not starting with @, no control
// characters): the local engine refuses the rest by name, and basewatch's own ids always fit, however long
// the repository and app names.
import type * as df from 'durable-functions';
import { describe, expect, it } from 'vitest';
import { LocalDurableEngine } from '../../src/local/durable/engine.js';
import {
  InvalidInstanceIdError,
  rebuildInstanceId,
  syncCycleInstanceId,
  syncImageInstanceId,
} from '../../src/workflows/names.js';
import { engineFixture } from '../support/engine-fixture.js';

/** What Azure accepts, written out independently of names.ts. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what Azure refuses
const AZURE_ID = /^(?!@)[^/\\#?\u0000-\u001f\u007f-\u009f]{1,100}$/;

const fixture = engineFixture();

// biome-ignore lint/correctness/useYield: an orchestrator that only returns its input
const echo: df.OrchestrationHandler = function* (context) {
  return context.df.getInput();
};

async function engineWith(
  orchestrations: Record<string, df.OrchestrationHandler>,
): Promise<LocalDurableEngine> {
  const engine = new LocalDurableEngine({
    store: await fixture.tableStore('ids'),
    orchestrations: new Map(Object.entries(orchestrations)),
    activities: new Map(),
  });
  fixture.track(engine);
  return engine;
}

describe('the local engine refuses what Azure refuses', () => {
  it.each([
    ['an empty id', '', 'is empty'],
    ['101 characters', 'a'.repeat(101), 'is 101 characters long (at most 100)'],
    ['a leading @', '@sync', "starts with '@'"],
    ['a slash', 'sync:base/node', "contains '/'"],
    ['a backslash', 'sync:base\\node', "contains '\\'"],
    ['a #', 'sync#1', "contains '#'"],
    ['a ?', 'sync?x=1', "contains '?'"],
    ['a NUL', 'sync\u0000x', 'contains a control character'],
    ['a newline', 'sync\nx', 'contains a control character'],
    ['DEL', 'sync\u007fx', 'contains a control character'],
    ['a C1 control', 'sync\u0085x', 'contains a control character'],
  ])('%s: InvalidInstanceIdError, nothing created', async (_what, id, problem) => {
    const engine = await engineWith({ echo });
    const error = await engine.start('echo', { instanceId: id, input: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInstanceIdError);
    expect((error as InvalidInstanceIdError).problem).toBe(problem);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the message must carry none
    expect((error as Error).message).not.toMatch(/[\u0000-\u001f]/);
    expect(await engine.list()).toEqual([]);
  });

  it('100 characters, and every character Azure allows, are accepted', async () => {
    const engine = await engineWith({ echo });
    for (const id of ['a'.repeat(100), 'x', 'sync:base_node:22@0123|rebuild:a-b.c', 'a@b', 'ü-ß-東京']) {
      const started = await engine.start('echo', { instanceId: id, input: id });
      expect((await engine.waitForCompletion(started, 30_000)).output).toBe(id);
    }
  });

  it('a sub-orchestration with an id Azure refuses fails its task by name, and the parent sees why', async () => {
    const engine = await engineWith({
      echo,
      parent: function* (context) {
        try {
          yield context.df.callSubOrchestrator(
            'echo',
            1,
            `${context.df.instanceId}|rebuild:${'a'.repeat(64)}`,
          );
          return 'started';
        } catch (error) {
          return (error as Error).message;
        }
      },
    });
    const id = await engine.start('parent', { instanceId: `sync:${'r'.repeat(60)}` });
    const status = await engine.waitForCompletion(id, 30_000);
    expect(status.output).toContain('is 138 characters long (at most 100)');
    expect((await engine.list()).map((run) => run.instanceId)).toEqual([id]);
  });
});

describe("basewatch's own ids fit", () => {
  const longRepository = `team-${'platform'.repeat(30)}/base/${'node'.repeat(20)}`;
  const digest = `sha256:${'ab'.repeat(32)}`;

  it('a sync of a 300-character target has an id Azure takes, the same every time, distinct per target', () => {
    const id = syncImageInstanceId(`${longRepository}:22-alpine`, digest);
    expect(id).toMatch(AZURE_ID);
    expect(id.length).toBeLessThanOrEqual(100);
    expect(syncImageInstanceId(`${longRepository}:22-alpine`, digest)).toBe(id);
    expect(syncImageInstanceId(`${longRepository}:24-alpine`, digest)).not.toBe(id);
    expect(id.endsWith('@abababababababab')).toBe(true);
    // A short target keeps its readable form.
    expect(syncImageInstanceId('base/node:22', digest)).toBe('sync:base_node:22@abababababababab');
  });

  it('a rebuild under a 100-character parent with a 64-character app name fits, and keeps the app name readable', () => {
    const parent = syncImageInstanceId(`${longRepository}:22`, digest);
    const app = `${'a'.repeat(63)}z`;
    const id = rebuildInstanceId(parent, app);
    expect(id).toMatch(AZURE_ID);
    expect(id.endsWith(`|rebuild:${app}`)).toBe(true);
    expect(rebuildInstanceId(parent, app)).toBe(id);
    expect(rebuildInstanceId(`${parent.slice(0, -1)}x`, app)).not.toBe(id);
    expect(rebuildInstanceId('sync:base_node:22@ab', 'orders')).toBe('sync:base_node:22@ab|rebuild:orders');
  });

  it('a cycle for one long image has an id Azure takes', () => {
    const at = new Date('2026-11-29T22:00:00.000Z');
    expect(syncCycleInstanceId(at, `${longRepository}:22`)).toMatch(AZURE_ID);
    expect(syncCycleInstanceId(at)).toBe('cycle:2026-11-29T22:00:00.000Z');
    expect(syncCycleInstanceId(at, 'base/node:22')).toBe('cycle:2026-11-29T22:00:00.000Z:base_node:22');
  });

  it('the longest ids run as a sync and its rebuild on the local engine', async () => {
    const parentId = syncImageInstanceId(`${longRepository}:22`, digest);
    const app = 'b'.repeat(64);
    const engine = await engineWith({
      echo,
      parent: function* (context) {
        return yield context.df.callSubOrchestrator(
          'echo',
          'rebuilt',
          rebuildInstanceId(context.df.instanceId, app),
        );
      },
    });
    const status = await engine.waitForCompletion(
      await engine.start('parent', { instanceId: parentId }),
      30_000,
    );
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toBe('rebuilt');
  });
});
