// Platforms (`linux/arm64/v8`) and how an index entry is chosen for one.

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** Parses `os/arch[/variant]`; throws naming the text when it is not of that shape. */
export function parsePlatform(text: string): Platform {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => !/^[a-z0-9._-]+$/.test(part))) {
    throw new Error(`platform '${text}' must be os/architecture[/variant], e.g. linux/arm64`);
  }
  const [os, architecture, variant] = parts as [string, string, string?];
  return { os, architecture, ...(variant !== undefined && { variant }) };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** arm64 means arm64/v8 unless stated, as containerd's matcher treats it. */
function normalisedVariant(platform: Platform): string | undefined {
  if (platform.variant) return platform.variant;
  return platform.architecture === 'arm64' ? 'v8' : undefined;
}

/** True when an index entry's platform serves the wanted platform (a wanted variant must match). */
export function platformMatches(wanted: Platform, candidate: Platform | undefined): boolean {
  if (!candidate) return false;
  if (wanted.os !== candidate.os || wanted.architecture !== candidate.architecture) return false;
  const wantedVariant = normalisedVariant(wanted);
  return wantedVariant === undefined || wantedVariant === normalisedVariant(candidate);
}
