// Debian's version ordering (Debian Policy 5.6.12): [epoch:]upstream[-revision], compared part by part,
// where '~' sorts before anything, even the end of the string, and letters before other characters.

import { splitEpochVersion } from './epoch-version.js';

interface DpkgVersion {
  readonly epoch: number;
  readonly upstream: string;
  readonly revision: string;
}

function parse(version: string): DpkgVersion {
  const { epoch, main, tail } = splitEpochVersion(version);
  return { epoch, upstream: main, revision: tail };
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** The weight of one non-digit character: '~' lowest, the end (and digits) next, letters, then the rest. */
function weight(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: alternating non-digit runs (by weight) and digit runs (numerically). */
function comparePart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const difference = weight(a[i]) - weight(b[j]);
      if (difference !== 0) return difference;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let firstDifference = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (firstDifference === 0) firstDifference = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDifference !== 0) return firstDifference;
  }
  return 0;
}

/** Negative when `a` is older than `b`, positive when newer, 0 when dpkg holds them equal. */
export function compareDpkgVersions(a: string, b: string): number {
  const left = parse(a);
  const right = parse(b);
  if (left.epoch !== right.epoch) return left.epoch - right.epoch;
  return comparePart(left.upstream, right.upstream) || comparePart(left.revision, right.revision);
}
