// Package databases in the formats dpkg and apk write them, for the change tests. Each expected diff in
// the tests is written out by hand from these literals.

const stanza = (fields: string) => `${fields.trim()}\n`;

const baseFiles = (version: string) =>
  stanza(`
Package: base-files
Essential: yes
Status: install ok installed
Priority: required
Section: admin
Installed-Size: 341
Maintainer: Santiago Vila <sanvila@debian.org>
Architecture: amd64
Multi-Arch: foreign
Version: ${version}
Replaces: base, dpkg (<= 1.15.0), miscutils
Provides: base
Pre-Depends: awk
Conffiles:
 /etc/debian_version 2cd81f8e6b1d8aa3d7a8e0b9f3c4b07a
 /etc/host.conf 4eb63731c9f5e30903ac4fc07a7fe3d6
 /etc/issue 7f3a5a9b1e2a8a1a1c5b0b3e1f0e5d3c
Description: Debian base system miscellaneous files
 This package contains the basic filesystem hierarchy of a Debian system, and
 several important miscellaneous files, such as /etc/debian_version,
 /etc/host.conf, /etc/issue, /etc/motd, /etc/profile, and others.
`);

const pkg = (name: string, version: string, extra = '', status = 'install ok installed') =>
  stanza(`
Package: ${name}
Status: ${status}
Priority: optional
Section: libs
Installed-Size: 1234
Maintainer: Debian Maintainers <debian-devel@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Source: ${name}-source
Version: ${version}
Depends: libc6 (>= 2.34)${extra}
Description: ${name} for the basewatch tests
 A description with a colon: it is a continuation line, not a field.
 .
 More text.
`);

/** Debian 12 as dpkg leaves it: blank-line separated stanzas; `oldpkg` removed but its conffiles kept. */
export const STATUS_BOOKWORM = [
  baseFiles('12.4+deb12u5'),
  pkg('libc6', '2.36-9+deb12u4'),
  pkg('zlib1g', '1:1.2.13.dfsg-1'),
  pkg('tzdata', '2024a-0+deb12u1'),
  pkg('libssl3', '3.0.11-1~deb12u2'),
  pkg('oldpkg', '1.0-1', '', 'deinstall ok config-files'),
  pkg('curl', '7.88.1-10+deb12u5'),
].join('\n');

/** A status an upper layer replaces: none of it may show. */
export const STATUS_SHADOWED = [baseFiles('13.0'), pkg('ghost', '9.9-1')].join('\n');

export const STATUS_TRIXIE = [
  baseFiles('13.8'),
  pkg('ca-certificates', '20250419'),
  pkg('curl', '7.88.1-10+deb12u4'),
  pkg('libc6', '2.41-12'),
  pkg('libssl3t64', '3.5.1-1'),
  pkg('tzdata', '2024a-0+deb12u1'),
  pkg('zlib1g', '1:1.3.dfsg+really1.3.1-1+b1'),
].join('\n');

export const OS_RELEASE_BOOKWORM = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`;

export const OS_RELEASE_TRIXIE = `PRETTY_NAME="Debian GNU/Linux 13 (trixie)"
NAME="Debian GNU/Linux"
VERSION_ID="13"
VERSION="13 (trixie)"
VERSION_CODENAME=trixie
ID=debian
`;

/** Distroless: one stanza per file under status.d, without a Status field. */
export const distroless = (name: string, version: string) =>
  stanza(`
Package: ${name}
Version: ${version}
Architecture: amd64
Maintainer: Debian Maintainers <debian-devel@lists.debian.org>
Installed-Size: 100
Section: base
Priority: required
Description: ${name} in a distroless image
`);

export const OS_RELEASE_DISTROLESS = `PRETTY_NAME="Distroless"
NAME="Debian GNU/Linux"
ID="debian"
VERSION_ID="12"
VERSION="Debian GNU/Linux 12 (bookworm)"
HOME_URL="https://github.com/GoogleContainerTools/distroless"
`;

/** apk's installed database as apk writes it: one record per package, files (F:/R:/Z:) included. */
const apkRecord = (name: string, version: string, files: string[] = []) =>
  [
    `C:Q1${Buffer.from(`${name}-${version}`).toString('base64').slice(0, 26)}=`,
    `P:${name}`,
    `V:${version}`,
    'A:x86_64',
    'S:12345',
    'I:67890',
    `T:${name} for the basewatch tests`,
    'U:https://alpinelinux.org',
    'L:MIT',
    `o:${name}`,
    'm:Natanael Copa <ncopa@alpinelinux.org>',
    't:1717000000',
    'c:0123456789abcdef0123456789abcdef01234567',
    'D:so:libc.musl-x86_64.so.1',
    ...files.flatMap((file) => [
      `F:${file.slice(0, file.lastIndexOf('/'))}`,
      `R:${file.slice(file.lastIndexOf('/') + 1)}`,
      'Z:Q1abcdefghijklmnopqrstuvwxyz0=',
    ]),
  ].join('\n');

export const APK_3_20 = `${[
  apkRecord('alpine-baselayout', '3.6.5-r0', ['etc/hosts']),
  apkRecord('busybox', '1.36.1-r29', ['bin/busybox']),
  apkRecord('musl', '1.2.5-r0', ['lib/ld-musl-x86_64.so.1']),
  apkRecord('libcrypto3', '3.3.2-r0'),
  apkRecord('zlib', '1.3.1-r1'),
].join('\n\n')}\n\n`;

export const APK_3_21 = `${[
  apkRecord('alpine-baselayout', '3.6.8-r1', ['etc/hosts']),
  apkRecord('apk-tools', '2.14.6-r2'),
  apkRecord('busybox', '1.36.1-r5', ['bin/busybox']),
  apkRecord('libcrypto3', '3.3.2-r4'),
  apkRecord('musl', '1.2.5-r8', ['lib/ld-musl-x86_64.so.1']),
].join('\n\n')}\n\n`;

export const OS_RELEASE_ALPINE_3_20 = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.20.3
PRETTY_NAME="Alpine Linux v3.20"
HOME_URL="https://alpinelinux.org/"
`;

export const OS_RELEASE_ALPINE_3_21 = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.21.0
PRETTY_NAME="Alpine Linux v3.21"
HOME_URL="https://alpinelinux.org/"
`;
