// `basewatch runs` and `basewatch runs show`: orchestration history, from the data directory or its host.
import { MAX_PURGE_DAYS, parseRetentionDays } from '../../api/purge.js';
import { type OrchestrationStatus, RUNTIME_STATUSES, type RuntimeStatus } from '../../core/orchestrations.js';
import { retentionCutoff } from '../../core/retention.js';
import type { LocalDurableEngine } from '../../local/durable/engine.js';
import type { HostCommandOptions } from '../host-options.js';
import { onHostOrItsHolder } from '../operator-session.js';

export type ListRunsOptions = HostCommandOptions & { status?: string; limit: string; json?: boolean };
export type ShowRunOptions = HostCommandOptions & { json?: boolean };
export type PurgeRunsOptions = HostCommandOptions & { olderThan: string; json?: boolean };

export async function listRuns(options: ListRunsOptions): Promise<void> {
  const statuses = options.status === undefined ? undefined : parseStatuses(options.status);
  const filter = { ...(statuses && { runtimeStatus: statuses }), limit: Number(options.limit) };
  const list = await fromRuns(
    options,
    (engine) => engine.list(filter),
    async (url) => {
      const query = new URLSearchParams({
        limit: String(filter.limit),
        ...(statuses && { status: statuses.join(',') }),
      });
      return ((await apiGet(`${url}/api/runs?${query}`)) as { runs: OrchestrationStatus[] }).runs;
    },
  );
  process.stdout.write(options.json ? `${JSON.stringify(list, null, 2)}\n` : describeList(list));
}

export async function showRun(id: string, options: ShowRunOptions): Promise<void> {
  const status = await fromRuns(
    options,
    (engine) => engine.getStatus(id, { showHistory: true, showInput: true }),
    async (url) =>
      (await apiGet(`${url}/api/runs/${encodeURIComponent(id)}`, true)) as OrchestrationStatus | undefined,
  );
  if (!status) throw new Error(`no run with id '${id}' in ${options.inMemory ? 'memory' : options.data}`);
  process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : describeRun(status));
}

export async function purgeRuns(options: PurgeRunsOptions): Promise<void> {
  const days = parseRetentionDays(options.olderThan);
  if (days === undefined)
    throw Object.assign(
      new Error(
        `--older-than '${options.olderThan}' must be a number of days from 1d to ${MAX_PURGE_DAYS}d, e.g. 30d`,
      ),
      { exitCode: 2 },
    );
  const result = await fromRuns(
    options,
    async (engine) => {
      const before = retentionCutoff(new Date(), days);
      return { purged: await engine.purgeFinished(before), before: before.toISOString() };
    },
    async (url) =>
      (await apiPost(`${url}/api/runs/purge`, { olderThan: `${days}d` })) as {
        purged: number;
        before: string;
      },
  );
  process.stdout.write(
    options.json
      ? `${JSON.stringify(result, null, 2)}\n`
      : `purged ${result.purged} finished run${result.purged === 1 ? '' : 's'} created before ${result.before}\n`,
  );
}

function parseStatuses(text: string): RuntimeStatus[] {
  return text.split(',').map((part) => {
    const match = RUNTIME_STATUSES.find((status) => status.toLowerCase() === part.trim().toLowerCase());
    if (!match)
      throw Object.assign(new Error(`--status '${part}' is not one of ${RUNTIME_STATUSES.join(', ')}`), {
        exitCode: 2,
      });
    return match;
  });
}

function describeList(list: readonly OrchestrationStatus[]): string {
  if (list.length === 0) return 'no runs\n';
  return `${list.map((run) => `${run.createdTime}  ${run.runtimeStatus.padEnd(10)}  ${run.name.padEnd(11)}  ${run.instanceId}`).join('\n')}\n`;
}

function describeRun(run: OrchestrationStatus): string {
  const json = (value: unknown) => JSON.stringify(value);
  const lines = [
    `${run.instanceId}  ${run.name}  ${run.runtimeStatus}`,
    `created ${run.createdTime}, updated ${run.lastUpdatedTime}${run.parentInstanceId ? `, started by ${run.parentInstanceId}` : ''}`,
    `input:         ${json(run.input)}`,
    `output:        ${json(run.output)}`,
    `custom status: ${json(run.customStatus)}`,
    'history:',
  ];
  for (const entry of run.history ?? []) {
    const detail = [
      entry.name,
      entry.failure && `failed: ${entry.failure}`,
      entry.fireAt && `fires ${entry.fireAt}`,
      entry.instanceId,
    ]
      .filter(Boolean)
      .join('  ');
    lines.push(`  ${entry.timestamp}  ${entry.eventType.padEnd(34)} ${detail}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Reads runs from the data directory, or from the host that holds it (through its operator API). */
function fromRuns<T>(
  options: HostCommandOptions,
  local: (engine: LocalDurableEngine) => Promise<T>,
  remote: (url: string) => Promise<T>,
): Promise<T> {
  return onHostOrItsHolder(options, (host) => local(host.engine), remote);
}

/** A POST to the host's operator API, as a same-origin client: JSON, no Origin. */
async function apiPost(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { error?: string };
  if (!response.ok) throw new Error(`${url}: ${answer.error ?? `HTTP ${response.status}`}`);
  return answer;
}

async function apiGet(url: string, notFoundIsUndefined = false): Promise<unknown> {
  const response = await fetch(url);
  if (notFoundIsUndefined && response.status === 404) return undefined;
  const body = (await response.json()) as { error?: string };
  if (!response.ok) throw new Error(`${url}: ${body.error ?? `HTTP ${response.status}`}`);
  return body;
}
