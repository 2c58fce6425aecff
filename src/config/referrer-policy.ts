// `referrers:` of a tracked image: which signatures, SBOMs and attestations travel with the copy.
import { z } from 'zod';

// An artifact type is a media type (RFC 6838 shape), e.g. application/vnd.dev.cosign.simplesigning.v1+json.
const artifactType = z
  .string()
  .regex(
    /^[A-Za-z0-9][\w!#$&^.+-]{0,126}\/[A-Za-z0-9][\w!#$&^.+-]{0,126}$/,
    'expected an artifact type (a media type), e.g. application/spdx+json',
  );

export const referrerPolicySchema = z.union(
  [
    z.literal('all'),
    z.literal('none'),
    z.array(artifactType).min(1, "expected at least one artifact type (or 'none')"),
  ],
  {
    error:
      "expected 'all', 'none' or a list of artifact types, e.g. [application/vnd.dev.cosign.simplesigning.v1+json]",
  },
);
