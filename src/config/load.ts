// The one config loader: YAML → schema → normalised config, or a ConfigError locating every problem.
import { readFile } from 'node:fs';
import { promisify } from 'node:util';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { DEFAULT_CONFIG_FILE } from './defaults.js';
import { ConfigError, type ConfigIssue, formatPath } from './errors.js';
import { locate } from './locate.js';
import { normaliseConfig } from './normalise.js';
import { configSchema } from './schema.js';
import type { BasewatchConfig } from './types.js';

/** Reads and validates `file`; throws ConfigError (exit code 2) naming file, line, column and field. */
export async function loadConfig(file: string = DEFAULT_CONFIG_FILE): Promise<BasewatchConfig> {
  let text: string;
  try {
    // node:fs, not node:fs/promises, which loads readline and its kin as it is imported: every command reads a config.
    text = await promisify(readFile)(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ConfigError([{ file, line: 1, column: 1, path: '', message: `cannot read config: ${reason}` }]);
  }
  return parseConfig(text, file);
}

/** Validates config text; `file` is only used in messages. */
export function parseConfig(text: string, file: string): BasewatchConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => {
        const { line, col } = lines.linePos(error.pos[0]);
        return { file, line, column: col, path: '', message: `YAML: ${firstLine(error.message)}` };
      }),
    );
  }

  if (doc.contents === null) {
    throw new ConfigError([
      {
        file,
        line: 1,
        column: 1,
        path: '',
        message: 'the file is empty; expected version: 1 and the sections below it',
      },
    ]);
  }

  const at = (path: readonly PropertyKey[], message: string, key = false): ConfigIssue => {
    const { line, column } = locate(doc, lines, path, { key });
    return { file, line, column, path: formatPath(path), message };
  };

  const parsed = configSchema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (!parsed.success)
    throw new ConfigError(sortIssues(parsed.error.issues.flatMap((issue) => toIssues(issue, at))));

  const { config, problems } = normaliseConfig(parsed.data, file);
  if (problems.length > 0) throw new ConfigError(sortIssues(problems.map((p) => at(p.path, p.message))));
  return config;
}

type Locator = (path: readonly PropertyKey[], message: string, key?: boolean) => ConfigIssue;

function toIssues(issue: z.core.$ZodIssue, at: Locator): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => at([...issue.path, key], `unknown key '${key}'; ${issue.message}`, true));
  }
  let message = issue.message.replace(/^Invalid (input|option): /, '');
  if (issue.code === 'invalid_type' && /received undefined$/.test(message)) {
    message = `required: ${message.replace(/, received undefined$/, '')}`;
  }
  return [at(issue.path, message)];
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.column - b.column || a.path.localeCompare(b.path));
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
