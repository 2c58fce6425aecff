// The Functions host cannot run here (Core Tools download a binary). This loads every registration file
// against the real @azure/functions and durable-functions packages, which in test mode name each function
// they would register, and checks the names the infra and the design rely on.

import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ALL_FUNCTION_NAMES } from './function-names.js';

const run = promisify(execFile);

async function registeredNames(env: Record<string, string>): Promise<{ names: string[]; output: string }> {
  const files = readdirSync('src/functions').filter((file) => file.endsWith('.ts'));
  const script = files.map((file) => `await import('./src/functions/${file}');`).join('\n');
  const { stdout, stderr } = await run(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      env: { ...process.env, ...env },
    },
  );
  const output = stdout + stderr;
  const names = [...output.matchAll(/register function "([^"]+)"/g)].map((match) => match[1]!);
  return { names, output };
}

describe('Azure Functions registrations', () => {
  it('register every trigger, orchestration and activity of the app manifest under its name', async () => {
    const { names } = await registeredNames({ BASEWATCH_CONFIG: 'basewatch.sample.yaml' });
    expect(names.sort()).toEqual(ALL_FUNCTION_NAMES);
  }, 60_000);

  it('a bad packaged config stops the app at start-up, naming the file and field', async () => {
    const failure = await registeredNames({ BASEWATCH_CONFIG: 'package.json' }).catch(
      (error: { stderr?: string }) => error,
    );
    expect(String((failure as { stderr?: string }).stderr)).toMatch(/package\.json:\d+:\d+/);
  }, 60_000);
});
