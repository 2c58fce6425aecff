import type { AccessToken, TokenCredential } from '@azure/identity';

/** The token a TestTokenCredential issues for `scope`, so a fake service can check the audience. */
export function tokenFor(scope: string): string {
  return `test-token:${Buffer.from(scope).toString('base64url')}`;
}

/** A TokenCredential that issues one predictable token per scope and remembers what it was asked for. */
export class TestTokenCredential implements TokenCredential {
  readonly requestedScopes: string[] = [];

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    const list = Array.isArray(scopes) ? scopes : [scopes];
    this.requestedScopes.push(...list);
    return { token: tokenFor(list.join(' ')), expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}
