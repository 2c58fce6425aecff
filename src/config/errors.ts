// One error for a config that cannot be used: every problem with its file, line, column and field.

/** One problem, located in the file. `path` is the field, e.g. `images[0].tagPolicy.semver`. */
export interface ConfigIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
  readonly message: string;
}

/** A problem found across fields, before it is given a place in the file. */
export interface FieldProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  const field = issue.path === '' ? '' : `${issue.path}: `;
  return `${issue.file}:${issue.line}:${issue.column}: ${field}${issue.message}`;
}

/** A config that cannot be used. Exit code 2 (bad usage or bad config) for the command. */
export class ConfigError extends Error {
  readonly exitCode = 2;

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      issues.length === 1
        ? `invalid config: ${formatIssue(issues[0] as ConfigIssue)}`
        : `invalid config (${issues.length} problems):\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** `images[0].tagPolicy.semver` from `['images', 0, 'tagPolicy', 'semver']`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_][\w]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}
