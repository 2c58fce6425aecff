// How azd decides a Node.js function app's remote build from azure.yaml and the .funcignore in the
// project folder, after azure-dev cli/azd/pkg/project/service_target_functionapp.go
// (resolveFunctionAppRemoteBuild, azd 1.23.12 and later). azd cannot run here, so this restates its
// rule; a .funcignore pattern whose effect on node_modules this reader cannot tell is an error, never
// a silent pass.

export type RemoteBuildDecision =
  | { readonly remoteBuild: boolean }
  | { readonly refused: string; readonly suggestion: string };

/**
 * `remoteBuild` as azure.yaml sets it (undefined when absent) and the .funcignore text (undefined when
 * there is no file) → what azd does on a Flex Consumption app.
 */
export function azdRemoteBuild(
  remoteBuild: boolean | undefined,
  funcignore: string | undefined,
): RemoteBuildDecision {
  if (funcignore === undefined) return { remoteBuild: remoteBuild ?? true };
  const excluded = excludesNodeModules(funcignore);
  if (remoteBuild === undefined) return { remoteBuild: excluded };
  if (remoteBuild && !excluded) {
    return {
      refused: "'remoteBuild: true' requires '.funcignore' to exclude node_modules",
      suggestion: "Update '.funcignore' to exclude node_modules, or set 'remoteBuild: false'.",
    };
  }
  if (!remoteBuild && excluded) {
    return {
      refused: "'remoteBuild: false' cannot be used when '.funcignore' excludes node_modules",
      suggestion: "Set 'remoteBuild: true', or remove node_modules from '.funcignore'.",
    };
  }
  return { remoteBuild };
}

/** Whether gitignore-style `text` ignores the directory `node_modules` at the project root. */
export function excludesNodeModules(text: string): boolean {
  let ignored = false;
  for (const [index, raw] of text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .entries()) {
    const line = raw.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line).replace(/^\//, '').replace(/\/$/, '');
    const matches = matchesRootNodeModules(pattern, index + 1);
    if (matches) ignored = !negated;
  }
  return ignored;
}

function matchesRootNodeModules(pattern: string, line: number): boolean {
  const segments = pattern.split('/');
  if (segments.length === 1) return segmentPattern(pattern).test('node_modules');
  if (segments.length === 2 && segments[0] === '**')
    return segmentPattern(segments[1] as string).test('node_modules');
  // `node_modules/**` ignores what is inside, not the directory itself; azd's check reads the directory.
  if (
    segmentPattern(segments[0] === '**' ? (segments[1] as string) : (segments[0] as string)).test(
      'node_modules',
    )
  ) {
    throw new Error(
      `.funcignore:${line}: cannot tell whether azd reads '${pattern}' as excluding node_modules`,
    );
  }
  return false;
}

function segmentPattern(glob: string): RegExp {
  if (/[[\]\\]/.test(glob))
    throw new Error(`.funcignore: pattern '${glob}' uses syntax this reader does not know`);
  const body = glob
    .replace(/[.+^${}()|]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}
