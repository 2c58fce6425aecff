// The README's Azure section quotes the settings and permissions the code needs; keep it in step.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { APP_SETTINGS } from '../../src/azure/app-settings.js';
import { REQUIRED_PERMISSIONS } from '../../src/azure/required-permissions.js';

const readme = readFileSync('README.md', 'utf8');

it('the README names every app setting the Function App reads', () => {
  for (const setting of APP_SETTINGS) expect(readme).toContain(`\`${setting.name}\``);
});

it('the README names every action the identity needs, and the built-in role where one fits', () => {
  for (const permission of REQUIRED_PERMISSIONS) {
    for (const action of permission.actions) expect(readme).toContain(`\`${action}\``);
    if (permission.role) expect(readme).toContain(permission.role.name);
  }
});
