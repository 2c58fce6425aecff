// The identity basewatch calls Azure with: a user-assigned managed identity when its client id is
// configured, else DefaultAzureCredential (system-assigned identity on Azure, `az login` on a laptop).
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { type Environment, readAppSetting } from './app-settings.js';

export interface AzureIdentityOptions {
  /** Client id of a user-assigned managed identity. */
  readonly managedIdentityClientId?: string;
}

export type AzureIdentity =
  | { readonly kind: 'managed-identity'; readonly clientId: string }
  | { readonly kind: 'default' };

/** Which identity the options choose; decided apart from building it so it can be tested and logged. */
export function chooseIdentity(options: AzureIdentityOptions): AzureIdentity {
  const clientId = options.managedIdentityClientId?.trim();
  return clientId ? { kind: 'managed-identity', clientId } : { kind: 'default' };
}

export function azureCredential(options: AzureIdentityOptions = {}): TokenCredential {
  const identity = chooseIdentity(options);
  // A pinned user-assigned identity must not silently fall back to another credential in the chain.
  if (identity.kind === 'managed-identity')
    return new ManagedIdentityCredential({ clientId: identity.clientId });
  return new DefaultAzureCredential();
}

/** The credential the app settings ask for (`AZURE_CLIENT_ID`). */
export function azureCredentialFromSettings(env: Environment = process.env): TokenCredential {
  const clientId = readAppSetting('AZURE_CLIENT_ID', env);
  return azureCredential(clientId === undefined ? {} : { managedIdentityClientId: clientId });
}
