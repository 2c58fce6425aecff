// The operator API, host-agnostic: the Functions host and the local host both hand each request to
// routeOperatorApi and send back what it returns. Errors are always `{ "error": "…" }`:
// 400 bad query or body, 404 unknown route or run, 405 wrong method (with `allow`), 409 run already
// finished or a cycle already running, 500 anything else, named with the route.
import { listApps } from './apps.js';
import { showChanges } from './changes.js';
import type { OperatorContext } from './context.js';
import { ApiError, type ApiRequest, type ApiResponse, errorResponse } from './exchange.js';
import { showGraph } from './graph.js';
import { pinImage, showImageHistory, startPromotion, startRollback, unpinImage } from './image-gate.js';
import { listTrackedImages } from './images.js';
import { showPlan } from './plan.js';
import { purgeRuns } from './purge.js';
import { rerunFailedRebuilds } from './rerun.js';
import { showRun } from './run.js';
import { listRuns } from './runs.js';
import { startSync } from './sync.js';
import { terminateRun } from './terminate.js';

export type { OperatorContext } from './context.js';
export type { ApiRequest, ApiResponse } from './exchange.js';

type Handler = (ctx: OperatorContext, req: ApiRequest, id: string) => Promise<ApiResponse>;

interface Route {
  readonly method: 'GET' | 'POST';
  /** Path segments after /api; `{id}` matches one non-empty segment, percent-decoded. */
  readonly pattern: readonly string[];
  readonly handle: Handler;
}

const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: ['images'], handle: (ctx) => listTrackedImages(ctx) },
  { method: 'GET', pattern: ['apps'], handle: (ctx) => listApps(ctx) },
  { method: 'GET', pattern: ['graph'], handle: showGraph },
  { method: 'GET', pattern: ['plan'], handle: showPlan },
  { method: 'GET', pattern: ['runs'], handle: listRuns },
  { method: 'GET', pattern: ['runs', '{id}'], handle: (ctx, _req, id) => showRun(ctx, id) },
  { method: 'POST', pattern: ['runs', '{id}', 'terminate'], handle: terminateRun },
  { method: 'POST', pattern: ['runs', '{id}', 'rerun'], handle: rerunFailedRebuilds },
  { method: 'POST', pattern: ['runs', 'purge'], handle: purgeRuns },
  { method: 'POST', pattern: ['sync'], handle: startSync },
  { method: 'GET', pattern: ['images', '{id}', 'history'], handle: showImageHistory },
  { method: 'GET', pattern: ['images', '{id}', 'changes'], handle: showChanges },
  { method: 'POST', pattern: ['images', '{id}', 'rollback'], handle: startRollback },
  { method: 'POST', pattern: ['images', '{id}', 'promote'], handle: startPromotion },
  { method: 'POST', pattern: ['images', '{id}', 'pin'], handle: pinImage },
  { method: 'POST', pattern: ['images', '{id}', 'unpin'], handle: unpinImage },
];

export async function routeOperatorApi(ctx: OperatorContext, req: ApiRequest): Promise<ApiResponse> {
  const method = req.method.toUpperCase();
  const where = `${method} /api${req.path}`;
  try {
    const segments = pathSegments(req.path);
    const matches = ROUTES.flatMap((route) => {
      const id = match(route.pattern, segments);
      return id === undefined ? [] : [{ route, id }];
    });
    if (matches.length === 0) {
      throw new ApiError(
        404,
        `no operator API route at /api${req.path}; the routes are ${ROUTES.map(describeRoute).join(', ')}`,
      );
    }
    const chosen = matches.find(({ route }) => route.method === method);
    if (!chosen) {
      const allowed = [...new Set(matches.map(({ route }) => route.method))].join(', ');
      throw new ApiError(
        405,
        `${where}: method ${method} is not allowed here; use ${allowed}`,
        {},
        { allow: allowed },
      );
    }
    return await chosen.route.handle(ctx, req, chosen.id);
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error);
    return errorResponse(
      new ApiError(500, `${where} failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}

// `/runs/a%7Cb/` → ['runs', 'a|b']: one trailing slash is forgiven, an empty segment in between is kept.
function pathSegments(path: string): string[] {
  const trimmed = path.replace(/^\//, '').replace(/\/$/, '');
  if (trimmed === '') return [];
  return trimmed.split('/').map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      throw new ApiError(400, `path /api${path}: '${segment}' is not valid percent-encoding`);
    }
  });
}

/** The `{id}` segment ('' when the pattern has none), or undefined when the path does not fit. */
function match(pattern: readonly string[], segments: readonly string[]): string | undefined {
  if (pattern.length !== segments.length) return undefined;
  let id = '';
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index] as string;
    if (part === '{id}') {
      if (segment === '') return undefined;
      id = segment;
    } else if (part !== segment) return undefined;
  }
  return id;
}

function describeRoute(route: Route): string {
  return `${route.method} /api/${route.pattern.join('/')}`;
}
