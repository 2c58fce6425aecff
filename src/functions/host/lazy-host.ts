// The Azure host for registrations: loaded at the first invocation, not when the worker indexes the app.
import type { AzureHost } from './azure-host.js';

export async function azureHost(): Promise<AzureHost> {
  return (await import('./azure-host.js')).azureHost();
}
