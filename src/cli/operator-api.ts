// The operator API as the local host serves it: the same handlers as on Azure, over the local engine.

import type { LocalHostParts } from '../local/host.js';
import type { ApiRequest, ApiResponse } from '../local/http-server.js';

export async function operatorApi(host: LocalHostParts, request: ApiRequest): Promise<ApiResponse> {
  void host;
  return { status: 404, body: { error: `no route for ${request.method} /api${request.path}` } };
}
