// azure.yaml and .funcignore read together, as azd reads them before a deploy: a combination azd refuses
// fails here instead of in `azd up`. The package itself is checked in test/functions/bundle.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PACKAGE_DIR } from '../../infra/package-app.js';
import { azdRemoteBuild, excludesNodeModules } from './azd.js';

const root = new URL('../../', import.meta.url);
const readIfThere = (path: string): string | undefined =>
  existsSync(new URL(path, root)) ? readFileSync(new URL(path, root), 'utf8') : undefined;

const service = (parseYaml(readIfThere('azure.yaml') ?? '') as { services: { api: Record<string, unknown> } })
  .services.api;

describe('the deployment azd makes', () => {
  it('is accepted by azd: azure.yaml and the project .funcignore agree on the remote build', () => {
    const decision = azdRemoteBuild(service.remoteBuild as boolean | undefined, readIfThere('.funcignore'));
    expect(decision).toEqual({ remoteBuild: false });
  });

  it('deploys the package npm run build writes, as it is: dist is that folder, no remote build', () => {
    expect(service).toMatchObject({ project: '.', language: 'ts', host: 'function' });
    expect(service.dist).toBe(PACKAGE_DIR);
    expect(service.remoteBuild).toBe(false);
  });
});

describe("azd's remote build rule", () => {
  it('refuses remoteBuild: true when .funcignore does not exclude node_modules (azd 1.23.12+)', () => {
    expect(azdRemoteBuild(true, 'test\nbench\n')).toMatchObject({
      refused: "'remoteBuild: true' requires '.funcignore' to exclude node_modules",
    });
  });

  it('refuses remoteBuild: false when .funcignore excludes node_modules', () => {
    expect(azdRemoteBuild(false, 'node_modules/\n')).toMatchObject({
      refused: "'remoteBuild: false' cannot be used when '.funcignore' excludes node_modules",
    });
  });

  it('follows .funcignore when remoteBuild is unset, and defaults to a remote build without one', () => {
    expect(azdRemoteBuild(undefined, 'node_modules\n')).toEqual({ remoteBuild: true });
    expect(azdRemoteBuild(undefined, 'test\n')).toEqual({ remoteBuild: false });
    expect(azdRemoteBuild(undefined, undefined)).toEqual({ remoteBuild: true });
    expect(azdRemoteBuild(false, undefined)).toEqual({ remoteBuild: false });
  });

  it('reads node_modules exclusions the way gitignore does', () => {
    for (const text of [
      'node_modules',
      '/node_modules/',
      '**/node_modules',
      'node_*',
      '\uFEFFnode_modules',
    ]) {
      expect(excludesNodeModules(text), text).toBe(true);
    }
    for (const text of [
      '',
      '# node_modules',
      'node_modules\n!node_modules',
      'src/node_modules',
      'nodemodules',
    ]) {
      expect(excludesNodeModules(text), text).toBe(false);
    }
  });

  it('refuses to guess on a pattern that reaches into node_modules', () => {
    expect(() => excludesNodeModules('node_modules/**')).toThrow(/cannot tell/);
    expect(() => excludesNodeModules('node_modules/[a-z]*')).toThrow(/does not know|cannot tell/);
  });
});
