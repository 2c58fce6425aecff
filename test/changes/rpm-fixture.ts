// Real rpm package databases for the change tests, made by rpm's own tools (Debian's rpm package):
// rpmbuild makes one empty package per entry, `rpm --initdb` with the sqlite backend makes rpmdb.sqlite,
// and `rpm -i --justdb` installs the packages into it. What the database holds is read back with
// `rpm -qa`, so a test compares against rpm, never against the code under test.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RpmSpec {
  readonly name: string;
  readonly epoch?: number;
  readonly version: string;
  readonly release: string;
  /** `noarch`, or an architecture rpmbuild is asked to target (`x86_64`). */
  readonly arch: string;
}

/** The sqlite backend and the database directory, for every rpm call. */
const dbArgs = (dir: string) => ['--define', '_db_backend sqlite', '--dbpath', dir];

export class RpmWorkshop {
  private readonly root = mkdtempSync(join(tmpdir(), 'basewatch-rpm-'));
  private built = 0;

  /** An rpmdb.sqlite holding exactly these packages: its bytes, and `rpm -qa`'s own listing of it. */
  database(packages: readonly RpmSpec[]): { bytes: Buffer; listed: string[] } {
    const files = packages.map((spec) => this.build(spec));
    const dir = join(this.root, `db-${++this.built}`);
    mkdirSync(dir);
    execFileSync('rpm', [...dbArgs(dir), '--initdb']);
    execFileSync(
      'rpm',
      ['-i', '--justdb', '--nodeps', '--ignorearch', '--ignoreos', '--nosignature', ...dbArgs(dir), ...files],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    const listed = execFileSync('rpm', ['-qa', ...dbArgs(dir), '--qf', '%{NAME} %{EVR} %{ARCH}\\n'], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .sort();
    return { bytes: readFileSync(join(dir, 'rpmdb.sqlite')), listed };
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  /** One empty binary package (no files, no scripts), built by rpmbuild; its path. */
  private build(spec: RpmSpec): string {
    const top = join(this.root, `build-${spec.name}-${++this.built}`);
    mkdirSync(top);
    const specFile = join(top, `${spec.name}.spec`);
    writeFileSync(
      specFile,
      [
        `Name: ${spec.name}`,
        ...(spec.epoch !== undefined ? [`Epoch: ${spec.epoch}`] : []),
        `Version: ${spec.version}`,
        `Release: ${spec.release}`,
        'Summary: a package for the basewatch tests',
        'License: MIT',
        ...(spec.arch === 'noarch' ? ['BuildArch: noarch'] : []),
        '%description',
        'A package with no files.',
        '%files',
        '',
      ].join('\n'),
    );
    execFileSync(
      'rpmbuild',
      [
        '--define',
        `_topdir ${top}`,
        ...(spec.arch === 'noarch' ? [] : ['--target', spec.arch]),
        '-bb',
        specFile,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const dir = join(top, 'RPMS', spec.arch);
    const [file] = readdirSync(dir);
    if (file === undefined) throw new Error(`rpmbuild wrote no package for ${spec.name} into ${dir}`);
    return join(dir, file);
  }
}
