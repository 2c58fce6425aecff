// One page of orchestration instances from the Durable Functions extension. durable-functions 3.5's
// getStatusBy follows every continuation token, loading every instance in the task hub; a page needs the
// extension's HTTP API with `top` and the `x-ms-continuation-token` header, at the URL the client itself
// calls. This is the one file that reads the client's internals (`clientData`); the durable-orchestrations
// test fails loudly if the pinned version moves them.
import type * as df from 'durable-functions';
import type { RunQuery } from '../core/orchestrations.js';

interface ClientData {
  readonly rpcBaseUrl?: string;
  readonly managementUrls?: { readonly id?: string; readonly statusQueryGetUri?: string };
}

const CONTINUATION = 'x-ms-continuation-token';
const PAGE_TIMEOUT_MS = 30_000;

export interface InstancePage {
  /** The extension's status objects, as getStatusBy would return them. */
  readonly statuses: readonly Record<string, unknown>[];
  readonly continuationToken?: string;
}

export async function fetchInstancePage(client: df.DurableClient, query: RunQuery): Promise<InstancePage> {
  const url = new URL(instancesUrl(client));
  url.searchParams.set('top', String(query.pageSize));
  url.searchParams.set('showInput', 'false');
  if (query.runtimeStatus && query.runtimeStatus.length > 0)
    url.searchParams.set('runtimeStatus', query.runtimeStatus.join(','));
  if (query.createdFrom) url.searchParams.set('createdTimeFrom', query.createdFrom.toISOString());
  if (query.createdTo) url.searchParams.set('createdTimeTo', query.createdTo.toISOString());
  const response = await fetch(url, {
    headers: {
      accept: 'application/json',
      ...(query.continuationToken !== undefined && { [CONTINUATION]: query.continuationToken }),
    },
    signal: AbortSignal.timeout(PAGE_TIMEOUT_MS),
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(
      `the Durable Functions extension answered ${response.status} to a query of instances: ${text.slice(0, 500)}`,
    );
  const statuses = JSON.parse(text) as unknown;
  if (!Array.isArray(statuses))
    throw new Error(
      'the Durable Functions extension answered a query of instances with something other than a list',
    );
  const token = response.headers.get(CONTINUATION);
  return {
    statuses: statuses as Record<string, unknown>[],
    ...(token && token !== 'null' && { continuationToken: token }),
  };
}

/** `…/instances/` with the task hub, connection and key the binding gave, as the client builds it. */
function instancesUrl(client: df.DurableClient): string {
  const data = (client as unknown as { clientData?: ClientData }).clientData;
  if (data?.rpcBaseUrl) return new URL('instances/', data.rpcBaseUrl).href;
  const template = data?.managementUrls?.statusQueryGetUri;
  const id = data?.managementUrls?.id;
  if (template && id) return template.replace(id, '');
  throw new Error(
    'durable-functions client has neither clientData.rpcBaseUrl nor managementUrls.statusQueryGetUri: the pinned version moved its internals',
  );
}
