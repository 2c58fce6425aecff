// The `[epoch:]main[-tail]` shape Debian and rpm versions share: the epoch before the first colon (absent
// or not a number: 0), the tail after the last dash (absent: ''). Each distribution names the parts.

export interface EpochVersion {
  readonly epoch: number;
  readonly main: string;
  readonly tail: string;
}

export function splitEpochVersion(version: string): EpochVersion {
  const text = version.trim();
  const colon = text.indexOf(':');
  const epochText = colon > 0 ? text.slice(0, colon) : '';
  const epoch = /^\d+$/.test(epochText) ? Number(epochText) : 0;
  const rest = colon > 0 ? text.slice(colon + 1) : text;
  const dash = rest.lastIndexOf('-');
  return dash >= 0
    ? { epoch, main: rest.slice(0, dash), tail: rest.slice(dash + 1) }
    : { epoch, main: rest, tail: '' };
}
