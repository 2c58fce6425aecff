// GET /api/graph?format=json|dot: the dependency graph, as data or as Graphviz DOT.
import { z } from 'zod';
import { graphToDot, graphToJson } from '../core/graph-format.js';
import type { OperatorContext } from './context.js';
import type { ApiRequest, ApiResponse } from './exchange.js';
import { operatorGraph } from './graph-input.js';
import { parseQuery } from './input.js';

const graphQuery = z.object({
  format: z.enum(['json', 'dot'], { error: 'must be json or dot' }).default('json'),
});

export async function showGraph(ctx: OperatorContext, req: ApiRequest): Promise<ApiResponse> {
  const { format } = parseQuery(graphQuery, req.query, 'GET /api/graph');
  const graph = await operatorGraph(ctx, await ctx.config());
  if (format === 'dot') {
    return {
      status: 200,
      headers: { 'content-type': 'text/vnd.graphviz; charset=utf-8' },
      body: graphToDot(graph),
    };
  }
  return { status: 200, body: graphToJson(graph) };
}
