// The gate check `signature:` — who must have signed an image before it is promoted: a keyless
// (Fulcio certificate) signer named by issuer and identity, or the holder of one key.
import { z } from 'zod';
import { SECRET_REFERENCE, type SecretReference } from './secret.js';

// An unanchored pattern matches any identity that merely contains it (`https://evil.example/?github.com/org/`).
const identityPattern = z
  .string()
  .min(2)
  .max(1024)
  .superRefine((value, ctx) => {
    if (!value.startsWith('^')) {
      ctx.addIssue({
        code: 'custom',
        message: "expected a regular expression anchored with ^, e.g. '^https://github.com/org/'",
      });
      return;
    }
    try {
      new RegExp(value, 'u');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not a regular expression: ${(error as Error).message}` });
    }
  });

const keyless = z.strictObject(
  {
    // Compared exactly, as cosign's --certificate-oidc-issuer is: an issuer is a URL, not a pattern.
    issuer: z
      .string()
      .regex(
        /^https:\/\/[^\s]+$/,
        'expected the OIDC issuer URL, e.g. https://token.actions.githubusercontent.com',
      ),
    identity: identityPattern,
  },
  {
    error: (issue) => (issue.code === 'unrecognized_keys' ? 'expected one of: issuer, identity' : undefined),
  },
);

export const signaturePolicySchema = z
  .strictObject(
    {
      keyless: keyless.optional(),
      // The fixed message: a pasted PEM must not be echoed back.
      key: z
        .string()
        .regex(SECRET_REFERENCE, { error: 'expected a secret reference env:NAME holding a PEM public key' })
        .transform((value) => value as SecretReference)
        .optional(),
      trustedRoot: z.string().min(1).max(4096).optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys' ? 'expected one of: keyless, key, trustedRoot' : undefined,
    },
  )
  .superRefine((value, ctx) => {
    const given = (['keyless', 'key'] as const).filter((name) => value[name] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `expected exactly one of keyless, key${given.length ? `, found ${given.join(' and ')}` : ''}`,
      });
    }
  });

/** `signature:` as written: keyless { issuer, identity } or key env:NAME, and an optional trusted root file. */
export type SignaturePolicy = z.output<typeof signaturePolicySchema>;
