// Version ordering, table-driven from the distributions' own documents: Debian Policy §5.6.12 (and
// deb-version(7)'s examples), and apk-tools' test/version.data.
import { describe, expect, it } from 'vitest';
import { compareApkVersions, isApkVersion } from '../../src/core/apk-version.js';
import { compareDpkgVersions } from '../../src/core/dpkg-version.js';

type Order = '<' | '=' | '>';
const sign = (n: number): Order => (n < 0 ? '<' : n > 0 ? '>' : '=');

describe('dpkg version ordering', () => {
  const table: [string, Order, string][] = [
    // '~' sorts before anything, even the end: the policy's own example chain.
    ['~~', '<', '~~a'],
    ['~~a', '<', '~'],
    ['~', '<', ''],
    ['', '<', 'a'],
    ['1.0~rc1', '<', '1.0'],
    ['1.0~rc1-1', '<', '1.0-1'],
    // The epoch outranks everything after it; a missing epoch is 0.
    ['1:1.0', '>', '2.0'],
    ['0:1.0', '=', '1.0'],
    ['2:0.1', '>', '1:9.9'],
    // Digit runs compare as numbers, leading zeros ignored.
    ['2.30', '>', '2.3'],
    ['1.001', '=', '1.1'],
    ['1.10', '>', '1.9'],
    // Letters sort before non-letters; the end of a part sorts before any letter.
    ['1.0a', '>', '1.0'],
    ['1.0+dfsg', '>', '1.0'],
    ['1.0a', '<', '1.0+'],
    // The revision decides only when upstream is equal; it is split at the last hyphen.
    ['1.0-1', '<', '1.0-2'],
    ['1.0-10', '>', '1.0-9'],
    ['1.2.3-1ubuntu1', '>', '1.2.3-1'],
    ['2.36-9+deb12u4', '>', '2.36-9+deb12u3'],
    ['2.36-9+deb12u10', '>', '2.36-9+deb12u9'],
    ['1.0-1-1', '>', '1.0-1'],
    ['7.88.1-10+deb12u5', '<', '7.88.1-10+deb12u8'],
    ['1.0', '=', '1.0'],
  ];
  it.each(table)('%s %s %s', (a, expected, b) => {
    expect(sign(compareDpkgVersions(a, b))).toBe(expected);
    const reverse = expected === '<' ? '>' : expected === '>' ? '<' : '=';
    expect(sign(compareDpkgVersions(b, a))).toBe(reverse);
  });
});

describe('apk version ordering', () => {
  // Lines of apk-tools' test/version.data, as written there.
  const table: [string, Order, string][] = [
    ['2.34', '>', '0.1.0_alpha'],
    ['0.1.0_alpha2', '>', '0.1.0_alpha'],
    ['1.0.4-r3', '<', '1.0.4-r4'],
    ['1.1', '>', '1.1_alpha1'],
    ['1.2.1', '>', '1.2'],
    ['1.2', '<', '1.3_alpha'],
    ['0.8_beta1', '<', '0.8_beta2'],
    ['3.10.18-r1', '>', '2.3.0b-r1'],
    ['2.3.0b-r1', '<', '2.3.0b-r2'],
    ['0.12.3', '>', '0.12'],
    ['0.12', '<', '0.13_beta1'],
    ['1.2.11', '<', '1.2.12.1'],
    ['3.1_p16', '<', '3.1_p17'],
    ['1.06-r6', '<', '006'],
    ['1.2.2-r1', '>', '1.2.2'],
    ['20050718-r2', '>', '3.9.8-r5'],
    ['2.01.01_alpha10', '>', '0.94'],
    ['0.94', '<', '1.0'],
    ['1.0', '>', '0.99.3.20040818'],
    ['1.39', '>', '1.00_beta2'],
    ['2.5.1-r8', '<', '2.5.1a-r1'],
    ['1.7', '<', '1.7b'],
    ['1.8.5', '<', '1.8.5_p2'],
    ['4.5_p1-r1', '>', '4.5_p1'],
    ['2.9.11_pre20051101-r3', '>', '2.9.11_pre20051101'],
    ['1.2.07.8', '<', '1.2.12.04'],
    ['1.07-r1', '<', '1.07.5'],
    ['1.02', '<', '1.03-r1'],
    ['0.20070118', '<', '0.20070207_rc1'],
    ['1.6.8_p12-r1', '>', '1.6.8_p9-r2'],
    ['2.0.0_rc3-r1', '>', '1.5'],
    ['0.10.0', '<', '0.10.1_rc1'],
    ['1.3-r0', '<', '1.3.1-r0'],
    ['1.3_pre1-r1', '<', '1.3.2'],
    ['1.0_p10-r0', '>', '1.0_p9-r0'],
    ['0.1.0_alpha_pre2', '<', '0.1.0_alpha'],
    ['1.0.0_pre20191002222144-r0', '<', '1.0.0_pre20210530193627-r0'],
    ['2.16.1-r3', '=', '2.16.1-r3'],
    ['1.0', '<', '1.0bc'],
    // What Alpine images carry.
    ['3.3.2-r0', '<', '3.3.2-r1'],
    ['1.36.1-r29', '>', '1.36.1-r5'],
  ];
  it.each(table)('%s %s %s', (a, expected, b) => {
    expect(sign(compareApkVersions(a, b))).toBe(expected);
    const reverse = expected === '<' ? '>' : expected === '>' ? '<' : '=';
    expect(sign(compareApkVersions(b, a))).toBe(reverse);
  });

  it('tells valid versions from invalid ones, as apk version -c does', () => {
    expect(isApkVersion('1.2.3_rc1-r4')).toBe(true);
    expect(isApkVersion('1.0bc')).toBe(false);
    expect(isApkVersion('1.0_foo')).toBe(false);
  });
});
