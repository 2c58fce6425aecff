// Secrets appear in config only as `env:NAME` references, resolved inside the activity that needs them.

export const SECRET_REFERENCE = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;

/** A reference such as `env:DOCKERHUB_TOKEN`; the value never passes through config or orchestration input. */
export type SecretReference = `env:${string}`;

export function isSecretReference(value: string): value is SecretReference {
  return SECRET_REFERENCE.test(value);
}

/** A secret that cannot be resolved. The message names the variable and never carries a value. */
export class MissingSecretError extends Error {
  constructor(
    readonly variable: string | undefined,
    detail: string,
  ) {
    super(detail);
    this.name = 'MissingSecretError';
  }
}

/**
 * The value behind `ref`, read from `env` (process.env by default). Throws MissingSecretError naming the
 * variable when it is unset or empty: a missing credential must fail the run, never fall back to anonymous.
 * `purpose` says what needs it, e.g. "password for docker.io".
 */
export function resolveSecret(
  ref: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  purpose?: string,
): string {
  const m = SECRET_REFERENCE.exec(ref);
  const what = purpose ? ` (${purpose})` : '';
  // The text might be a literal secret pasted in by mistake, so it is not quoted back.
  if (!m) throw new MissingSecretError(undefined, `not a secret reference${what}: expected env:NAME`);
  const variable = m[1] as string;
  const value = env[variable];
  if (value === undefined) {
    throw new MissingSecretError(variable, `environment variable ${variable} is not set${what}`);
  }
  if (value === '')
    throw new MissingSecretError(variable, `environment variable ${variable} is empty${what}`);
  return value;
}

/** A value that is either written literally (not secret, e.g. a user name) or given as `env:NAME`. */
export function resolveValue(
  valueOrRef: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  purpose?: string,
): string {
  return isSecretReference(valueOrRef) ? resolveSecret(valueOrRef, env, purpose) : valueOrRef;
}
