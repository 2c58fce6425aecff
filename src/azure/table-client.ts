// One way to reach a table: a connection string (Azurite, keys) or an endpoint with an Entra credential.
import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';

export type TableStorageConnection =
  | { readonly connectionString: string }
  | { readonly endpoint: string; readonly credential: TokenCredential };

/** A client for `table`; plain-HTTP endpoints (Azurite on loopback) are allowed. */
export function tableClient(connection: TableStorageConnection, table: string): TableClient {
  if ('connectionString' in connection) {
    const insecure = /TableEndpoint=http:|UseDevelopmentStorage=true/i.test(connection.connectionString);
    return TableClient.fromConnectionString(connection.connectionString, table, {
      allowInsecureConnection: insecure,
    });
  }
  return new TableClient(connection.endpoint, table, connection.credential, {
    allowInsecureConnection: connection.endpoint.startsWith('http:'),
  });
}
