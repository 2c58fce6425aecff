// What the chaos run reads from the outside once the host has settled: the mirror's tags and manifests
// (plain HTTP, no product code), the pushes the mirror itself announced, the CloudEvents delivered, and
// the host's own account through the operator API.
import type { ReceivedRequest } from '../support/webhook-receiver.js';

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export interface MirrorManifest {
  readonly digest: string;
  readonly layers: string[];
  readonly annotations: Record<string, string>;
}

/** GET /v2/<repository>/manifests/<tag> from the mirror; undefined for a 404. */
export async function readMirror(mirrorUrl: string, key: string): Promise<MirrorManifest | undefined> {
  const colon = key.lastIndexOf(':');
  const response = await fetch(`${mirrorUrl}/v2/${key.slice(0, colon)}/manifests/${key.slice(colon + 1)}`, {
    headers: { accept: MANIFEST_ACCEPT },
  });
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.ok) throw new Error(`GET manifest ${key} from the mirror: HTTP ${response.status}`);
  const manifest = (await response.json()) as {
    layers?: { digest: string }[];
    annotations?: Record<string, string>;
  };
  return {
    digest: response.headers.get('docker-content-digest') ?? '',
    layers: (manifest.layers ?? []).map((layer) => layer.digest),
    annotations: manifest.annotations ?? {},
  };
}

/** One manifest push by tag, as the mirror announced it (Distribution notifications). */
export interface AnnouncedPush {
  readonly key: string;
  readonly digest: string;
  /** The registry's own time, in ms. */
  readonly at: number;
}

interface DistributionEvent {
  action: string;
  timestamp: string;
  target: { mediaType: string; repository: string; tag?: string; digest: string };
}

export function announcedPushes(received: readonly ReceivedRequest[], path: string): AnnouncedPush[] {
  return received
    .filter((request) => request.path === path && request.method === 'POST')
    .flatMap((request) => (JSON.parse(request.body) as { events: DistributionEvent[] }).events)
    .filter((event) => event.action === 'push' && event.target.tag !== undefined)
    .map((event) => ({
      key: `${event.target.repository}:${event.target.tag}`,
      digest: event.target.digest,
      at: Date.parse(event.timestamp),
    }));
}

/** A CloudEvent as delivered to the webhook receiver. */
export interface DeliveredEvent {
  readonly id: string;
  readonly type: string;
  readonly subject: string;
  readonly data: Record<string, unknown>;
}

export function deliveredEvents(received: readonly ReceivedRequest[], path: string): DeliveredEvent[] {
  return received
    .filter((request) => request.path === path && request.method === 'POST')
    .flatMap((request) => JSON.parse(request.body) as DeliveredEvent[]);
}

export interface RunSummary {
  readonly instanceId: string;
  readonly name: string;
  readonly runtimeStatus: string;
}

/** Every run, page after page of GET /api/runs. */
export async function allRuns(hostUrl: string): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  let token: string | undefined;
  for (let page = 0; page < 1_000; page++) {
    const query = new URLSearchParams({
      limit: '500',
      ...(token !== undefined && { continuationToken: token }),
    });
    const response = await fetch(`${hostUrl}/api/runs?${query}`);
    if (!response.ok) throw new Error(`GET /api/runs: HTTP ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { runs: RunSummary[]; continuationToken?: string };
    runs.push(...body.runs);
    token = body.continuationToken;
    if (token === undefined) return runs;
  }
  throw new Error('GET /api/runs: more than 1,000 pages');
}

export interface HistoryEntry {
  readonly eventType: string;
  readonly taskId?: number;
}

/** What is missing from a finished run's history: its start, its end, the end of a task it began. */
export function historyGaps(history: readonly HistoryEntry[]): string[] {
  const gaps: string[] = [];
  if (history[0]?.eventType !== 'ExecutionStarted') gaps.push('does not begin with ExecutionStarted');
  if (history.at(-1)?.eventType !== 'ExecutionCompleted') gaps.push('does not end with ExecutionCompleted');
  const pairs: Record<string, string[]> = {
    TaskScheduled: ['TaskCompleted', 'TaskFailed'],
    SubOrchestrationInstanceCreated: ['SubOrchestrationInstanceCompleted', 'SubOrchestrationInstanceFailed'],
    TimerCreated: ['TimerFired'],
  };
  for (const [begun, ends] of Object.entries(pairs)) {
    for (const entry of history.filter((e) => e.eventType === begun)) {
      const endings = history.filter((e) => ends.includes(e.eventType) && e.taskId === entry.taskId).length;
      if (endings !== 1) gaps.push(`${begun} ${entry.taskId} ended ${endings} times`);
    }
  }
  return gaps;
}
