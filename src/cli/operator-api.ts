// The operator API as the local host serves it: the same router as on Azure, over the local engine.
import { operatorContext } from '../api/context.js';
import type { ApiRequest, ApiResponse } from '../api/exchange.js';
import { routeOperatorApi } from '../api/router.js';
import type { LocalHostParts } from '../local/host.js';

export function operatorApi(host: LocalHostParts, request: ApiRequest): Promise<ApiResponse> {
  return routeOperatorApi(operatorContext(host.engine, host.deps), request);
}
