// Query and body validation at the edge: a bad input is a 400 that names the parameter and what it takes.
import type { z } from 'zod';
import { ApiError } from './exchange.js';

/**
 * Reads the parameters `schema` names from `query`, each at most once, and validates them. Parameters
 * it does not name are left alone: the Functions host passes its own (`code`, the function key).
 */
export function parseQuery<Schema extends z.ZodObject>(
  schema: Schema,
  query: URLSearchParams,
  route: string,
): z.output<Schema> {
  const values: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const given = query.getAll(name);
    if (given.length > 1)
      throw new ApiError(
        400,
        `query parameter '${name}' of ${route} is given ${given.length} times; give it once`,
      );
    if (given[0] !== undefined) values[name] = given[0];
  }
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const name = String(issue.path[0]);
  const got = values[name] === undefined ? '' : `, got '${values[name]}'`;
  throw new ApiError(400, `query parameter '${name}' of ${route} ${issue.message}${got}`);
}

/** Validates a JSON body; no body (or `null`) is read as `{}`, since every body the API takes is optional. */
export function parseBody<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
  route: string,
  expected: string,
): z.output<Schema> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(describeIssue).join('; ');
  throw new ApiError(400, `body of ${route}: ${problems}; expected ${expected}`);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((key) => `'${key}'`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.path.length === 0) return `not a JSON object`;
  return issue.path.length > 0 ? `field '${issue.path.join('.')}': ${issue.message}` : issue.message;
}
