// The gate check `packages:` as config writes it: which package changes reject a new digest (`deny:
// [downgrade, remove]`), how many changes it may bring (`maxChanges`), and packages it may not add.
import { z } from 'zod';
import { PACKAGE_DENIALS } from '../core/gate.js';

// Package names as rpm, dpkg and apk allow them; anything else cannot match an installed package.
const packageName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+~^:-]{0,127}$/, 'expected a package name, e.g. telnet');

export const packageRulesSchema = z
  .strictObject(
    {
      deny: z
        .array(z.enum(PACKAGE_DENIALS, { error: `expected one of: ${PACKAGE_DENIALS.join(', ')}` }))
        .min(1)
        .optional(),
      maxChanges: z
        .int({ error: 'expected a whole number of package changes, 0 or more' })
        .min(0, 'expected a whole number of package changes, 0 or more')
        .optional(),
      forbid: z.array(packageName).min(1).optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys' ? 'expected one of: deny, maxChanges, forbid' : undefined,
    },
  )
  .superRefine((value, ctx) => {
    if (value.deny === undefined && value.maxChanges === undefined && value.forbid === undefined)
      ctx.addIssue({ code: 'custom', message: 'expected at least one of deny, maxChanges, forbid' });
  });
