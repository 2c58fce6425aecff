// The shape of basewatch.yaml, version 1. Every object is strict: an unknown key is an error.
import { z } from 'zod';
import { EVENT_TYPES } from '../core/events.js';
import { parseNcrontab } from '../core/ncrontab.js';
import { privateImageKey } from '../core/private-image.js';
import { parseReference } from '../core/reference.js';
import { tagPolicyProblems } from '../core/tag-policy.js';
import { packageRulesSchema } from './package-rules.js';
import { referrerPolicySchema } from './referrer-policy.js';
import { parseRegistryLocation } from './registry-location.js';
import { isSecretReference, SECRET_REFERENCE, type SecretReference } from './secret.js';
import { signaturePolicySchema } from './signature-policy.js';

// A config is parsed once per process: zod's JIT would compile a function for every object schema
// on that one parse, which costs more than it saves (validate's CPU fell ~6% without it).
z.config({ jitless: true });

export const WEBHOOK_FORMATS = ['cloudevents', 'teams', 'slack'] as const;
export const WEBHOOK_DIGESTS = ['event', 'cycle'] as const;

function strict<Shape extends z.ZodRawShape>(shape: Shape) {
  const expected = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `expected one of: ${expected}` : undefined),
  });
}

/** A string checked by a parser that throws; the parser's message becomes the issue. */
function parsedString(check: (value: string) => void) {
  return z.string().superRefine((value, ctx) => {
    try {
      check(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });
}

const name = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'expected lower-case letters, digits and -, at most 64');

// The message is fixed: the rejected text may be a pasted secret and must not be echoed.
const secretReference = z
  .string()
  .regex(SECRET_REFERENCE, {
    error: 'expected a secret reference env:NAME (a literal secret is not accepted here)',
  })
  .transform((value) => value as SecretReference);

const url = z
  .string()
  .refine((value) => /^https?:\/\/[^\s/]+/.test(value), 'expected an http:// or https:// URL');

// A URL may embed a token (a CI trigger, an Event Grid endpoint), so a reference is accepted too.
const urlOrSecret = z
  .string()
  .refine(
    (value) => isSecretReference(value) || /^https?:\/\/[^\s/]+/.test(value),
    'expected an http(s):// URL or a secret reference env:NAME',
  );

// Written relative to the private registry (`apps/orders-api:1`) or with its host.
const privateReference = parsedString((value) => privateImageKey(value));

const repositoryOnly = parsedString((value) => {
  const ref = parseReference(value, { defaultTag: false });
  if (ref.tag !== undefined || ref.digest !== undefined) {
    throw new Error(
      `'${value}' names a tag or digest; expected a repository (list tags under tags or tagPolicy)`,
    );
  }
});

const schedule = parsedString((value) => parseNcrontab(value));

const platform = z
  .string()
  .regex(
    /^[a-z0-9._-]+\/[a-z0-9._-]+(?:\/[a-z0-9._-]+)?$/,
    'expected os/architecture[/variant], e.g. linux/arm64',
  );
const platforms = z.union([z.literal('all'), z.array(platform).min(1)], {
  error: "expected 'all' or a list of os/architecture[/variant], e.g. [linux/amd64, linux/arm64]",
});

const rateLimit = strict({ minRemaining: z.int().min(0) });

const tagPolicy = strict({
  semver: z.string().optional(),
  match: z.string().optional(),
  latest: z.int().min(1).optional(),
}).superRefine((policy, ctx) => {
  for (const problem of tagPolicyProblems(policy)) {
    ctx.addIssue({ code: 'custom', message: problem.message, path: [problem.field] });
  }
});

const acrTaskName = z
  .string()
  .regex(/^[A-Za-z0-9-]{5,50}$/, 'expected an ACR task name: 5-50 letters, digits and -');

// One gate check: an object with exactly one key, the check's name.
const gateCheck = strict({
  platforms: z.array(platform).min(1).optional(),
  maxGrowth: z
    .string({ error: 'expected a percentage, e.g. 25%' })
    .regex(/^\d+(?:\.\d+)?%$/, 'expected a percentage, e.g. 25%')
    .transform((value) => Number(value.slice(0, -1)))
    .optional(),
  webhook: strict({
    url: urlOrSecret,
    secret: secretReference.optional(),
    timeoutSeconds: z.int().min(1).max(86_400).optional(),
  }).optional(),
  // A task name, or { task, timeoutSeconds } to bound how long its run is waited for.
  acrTask: z
    .union([
      acrTaskName,
      strict({ task: acrTaskName, timeoutSeconds: z.int().min(1).max(86_400).optional() }),
    ])
    .optional(),
  signature: signaturePolicySchema.optional(),
  packages: packageRulesSchema.optional(),
}).superRefine((value, ctx) => {
  const given = GATE_CHECKS.filter((key) => value[key] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: `expected exactly one of ${GATE_CHECKS.join(', ')}${given.length ? `, found ${given.join(' and ')}` : ''}`,
    });
  }
});

const GATE_CHECKS = ['platforms', 'maxGrowth', 'webhook', 'acrTask', 'signature', 'packages'] as const;

const gateObject = strict({ quarantine: z.string().optional(), checks: z.array(gateCheck).min(1) });
// 'none' or the object; an object is reported against the object's fields, not as "no union member".
const gate = z.unknown().transform((value, ctx): 'none' | z.output<typeof gateObject> => {
  if (value === 'none') return 'none';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: "expected 'none' or { quarantine?, checks: [...] }" });
    return z.NEVER;
  }
  const parsed = gateObject.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: issue.path } as never);
  return z.NEVER;
});

const image = strict({
  source: repositoryOnly,
  tags: z
    .array(z.string().regex(/^[\w][\w.-]{0,127}$/, 'expected a tag'))
    .min(1)
    .optional(),
  tagPolicy: tagPolicy.optional(),
  target: z.string(),
  gate: gate.optional(),
  schedule: schedule.optional(),
  platforms: platforms.optional(),
  rateLimit: rateLimit.optional(),
  referrers: referrerPolicySchema.optional(),
}).superRefine((entry, ctx) => {
  if (entry.tags !== undefined && entry.tagPolicy !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['tagPolicy'],
      message: 'tags and tagPolicy exclude each other: give one',
    });
  }
  if (entry.tags === undefined && entry.tagPolicy === undefined) {
    ctx.addIssue({ code: 'custom', path: [], message: 'expected tags or tagPolicy' });
  }
});

const rebuild = strict({
  acrTask: z.string().min(1).optional(),
  rebase: z.literal(true).optional(),
  webhook: strict({ url: urlOrSecret, secret: secretReference.optional() }).optional(),
}).superRefine((value, ctx) => {
  const given = (['acrTask', 'rebase', 'webhook'] as const).filter((key) => value[key] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: `expected exactly one of acrTask, rebase, webhook${given.length ? `, found ${given.join(' and ')}` : ''}`,
    });
  }
});

const app = strict({
  name,
  image: privateReference,
  team: name,
  baseImages: z.array(privateReference).optional(),
  rebuild,
});

export const configSchema = strict({
  version: z.literal(1, { error: 'expected version: 1' }),
  registry: strict({
    url: parsedString((value) => parseRegistryLocation(value)),
    acr: strict({
      subscriptionId: z.uuid({ error: 'expected a subscription id (a GUID)' }),
      resourceGroup: z.string().regex(/^[-\w.()]{1,90}$/, 'expected a resource group name'),
      name: z.string().regex(/^[a-zA-Z0-9]{5,50}$/, 'expected a registry name: 5-50 letters and digits'),
    }).optional(),
  }),
  credentials: z
    .record(
      z.string().regex(/^[a-z0-9.-]+(?::\d+)?$/, 'expected a registry host, e.g. docker.io'),
      // A user name is not secret and may be written out; the password never.
      strict({ username: z.string().min(1), password: secretReference }),
    )
    .optional(),
  defaults: strict({
    schedule: schedule.optional(),
    gate: gate.optional(),
    platforms: platforms.optional(),
    rateLimit: rateLimit.optional(),
  }).optional(),
  images: z.array(image).default([]),
  apps: z.array(app).default([]),
  notifications: strict({
    eventGrid: strict({ endpoint: urlOrSecret, key: secretReference.optional() }).optional(),
    webhooks: z
      .array(
        strict({
          url,
          teams: z.array(name).optional(),
          types: z
            .array(z.enum(EVENT_TYPES, { error: `expected one of: ${EVENT_TYPES.join(', ')}` }))
            .optional(),
          secret: secretReference.optional(),
          // cloudevents (default): a signed CloudEvents batch; teams: an Adaptive Card; slack: Block Kit.
          format: z
            .enum(WEBHOOK_FORMATS, { error: `expected one of: ${WEBHOOK_FORMATS.join(', ')}` })
            .optional(),
          // event (default): a message per batch of events; cycle: one message per team per cycle.
          digest: z
            .enum(WEBHOOK_DIGESTS, { error: `expected one of: ${WEBHOOK_DIGESTS.join(', ')}` })
            .optional(),
        }),
      )
      .optional(),
  }).optional(),
  // Registry push notifications must carry `Authorization: Bearer <token>` on the local host.
  hooks: strict({ token: secretReference }).optional(),
  // Finished runs older than this many days are purged daily by the host (issue #17).
  history: strict({
    keepDays: z
      .number({ error: 'expected a whole number of days' })
      .int({ error: 'expected a whole number of days' })
      .min(1, { error: 'expected at least 1 day' })
      .max(36_500, { error: 'expected at most 36500 days' }),
  }).optional(),
});

/** basewatch.yaml as written, after the schema accepted it. */
export type RawConfig = z.output<typeof configSchema>;
