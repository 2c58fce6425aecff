// rpm's version ordering: [epoch:]version-release, the epoch first (missing is 0), then version and
// release each by rpmvercmp: runs of ASCII letters or digits compared segment by segment, digits
// numerically and newer than letters, '~' before anything (even the end), '^' after the end but before
// any further segment. Other characters only separate segments.

import { splitEpochVersion } from './epoch-version.js';

interface RpmVersion {
  readonly epoch: number;
  readonly version: string;
  readonly release: string;
}

function parse(evr: string): RpmVersion {
  const { epoch, main, tail } = splitEpochVersion(evr);
  return { epoch, version: main, release: tail };
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isLetter = (c: string | undefined) =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isSeparator = (c: string | undefined) =>
  c !== undefined && !isDigit(c) && !isLetter(c) && c !== '~' && c !== '^';

/** rpmvercmp of one part (a version or a release): negative, zero or positive. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (isSeparator(a[i])) i++;
    while (isSeparator(b[j])) j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    // A caret is like a tilde, except that the part that has ended is the older one.
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(a[i]);
    const inSegment = numeric ? isDigit : isLetter;
    let endA = i;
    let endB = j;
    while (inSegment(a[endA])) endA++;
    while (inSegment(b[endB])) endB++;
    // b's segment is of the other kind: a number is newer than letters.
    if (endB === j) return numeric ? 1 : -1;
    let left = a.slice(i, endA);
    let right = b.slice(j, endB);
    if (numeric) {
      left = left.replace(/^0+/, '');
      right = right.replace(/^0+/, '');
      if (left.length !== right.length) return left.length > right.length ? 1 : -1;
    }
    if (left !== right) return left < right ? -1 : 1;
    i = endA;
    j = endB;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Negative when `a` is older than `b`, positive when newer, 0 when rpm holds them equal. */
export function compareRpmVersions(a: string, b: string): number {
  const left = parse(a);
  const right = parse(b);
  if (left.epoch !== right.epoch) return left.epoch < right.epoch ? -1 : 1;
  return rpmvercmp(left.version, right.version) || rpmvercmp(left.release, right.release);
}

/** The `[epoch:]version-release` text rpm prints as %{EVR}; no epoch tag means none is written. */
export function formatRpmVersion(epoch: number | undefined, version: string, release: string): string {
  return `${epoch !== undefined ? `${epoch}:` : ''}${version}${release !== '' ? `-${release}` : ''}`;
}
