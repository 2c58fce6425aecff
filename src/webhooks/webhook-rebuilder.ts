// Rebuilds through an external CI: POST a JSON payload to its webhook; poll its status URL if it gives one.
import { resolveSecret, resolveValue } from '../config/secret.js';
import type { Rebuilder, RebuildRequest, RebuildRun, RebuildStatus } from '../core/rebuilder.js';
import { isDigest } from '../core/reference.js';
import { describeUntrusted } from '../registry/digest-check.js';
import type { HttpClient } from '../registry/http.js';
import { postJson, requestWebhook } from './post-json.js';
import { describeUrl, signBody } from './signature.js';
import { onWebhookOrigin } from './status-url.js';

const STATUSES: readonly RebuildStatus[] = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'canceled',
  'timeout',
];

/** What a CI may answer to the POST (all optional) and to a GET of its status URL. */
interface CiAnswer {
  runId?: unknown;
  statusUrl?: unknown;
  status?: unknown;
  logUrl?: unknown;
  imageDigest?: unknown;
  reason?: unknown;
}

export class WebhookRebuilder implements Rebuilder {
  constructor(
    private readonly http: HttpClient,
    private readonly env: Readonly<Record<string, string | undefined>> = process.env,
  ) {}

  async start(request: RebuildRequest): Promise<RebuildRun> {
    const { url, secret } = this.webhook(request);
    // The same key on a retried activity lets the CI drop the duplicate.
    const idempotencyKey = `${request.orchestrationId}/${request.app}`;
    const body = JSON.stringify({
      app: request.app,
      team: request.team,
      image: request.image,
      base: request.base,
      baseDigest: request.baseDigest,
      previousBaseDigest: request.previousBaseDigest ?? null,
      orchestrationId: request.orchestrationId,
    });
    const headers: Record<string, string> = { 'idempotency-key': idempotencyKey };
    if (secret)
      headers['x-basewatch-signature'] = signBody(
        body,
        resolveSecret(secret, this.env, `rebuild webhook secret of app ${request.app}`),
      );
    const answer = await postJson(this.http, url, body, headers, `start rebuild of ${request.app}`);
    const parsed = parseAnswer(answer.body);
    const runId = typeof parsed.runId === 'string' ? parsed.runId : idempotencyKey;
    if (parsed.statusUrl !== undefined) {
      return {
        runId,
        statusUrl: onWebhookOrigin(parsed.statusUrl, url, `rebuild of ${request.app}`),
        status: toStatus(parsed.status) ?? 'queued',
        ...extras(parsed, request.app),
      };
    }
    // No status URL: the CI only tells us it accepted the rebuild; its outcome is the CI's to report.
    return {
      runId,
      status: 'succeeded',
      reason: 'accepted by the CI webhook, which reports no status',
      ...extras(parsed, request.app),
    };
  }

  /** The app's webhook, its URL resolved (the secret stays a reference until it signs). */
  private webhook(request: RebuildRequest): { url: string; secret?: string } {
    if (!('webhook' in request.method)) throw new Error(`app ${request.app} is not rebuilt by a webhook`);
    const { url, secret } = request.method.webhook;
    return {
      url: resolveValue(url, this.env, `rebuild webhook of app ${request.app}`),
      ...(secret !== undefined && { secret }),
    };
  }

  async status(run: RebuildRun, request: RebuildRequest): Promise<RebuildRun> {
    if (!run.statusUrl) return run;
    // Checked again here: the run comes back from orchestration history, not from our own hands.
    const statusUrl = onWebhookOrigin(run.statusUrl, this.webhook(request).url, `rebuild of ${request.app}`);
    const response = await requestWebhook(
      this.http,
      { method: 'GET', url: statusUrl, headers: { accept: 'application/json' } },
      256 * 1024,
      `rebuild status of ${request.app}`,
    );
    if (response.status !== 200)
      throw new Error(
        `rebuild status of ${request.app}: ${describeUrl(statusUrl)} answered HTTP ${response.status}`,
      );
    const parsed = parseAnswer(response.bytes.toString('utf8'));
    const status = toStatus(parsed.status);
    if (!status)
      throw new Error(
        `rebuild status of ${request.app}: ${describeUrl(statusUrl)} sent no status (expected one of ${STATUSES.join(', ')})`,
      );
    return { runId: run.runId, statusUrl, status, ...extras(parsed, request.app) };
  }
}

function parseAnswer(text: string): CiAnswer {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as CiAnswer) : {};
  } catch {
    return {};
  }
}

function toStatus(value: unknown): RebuildStatus | undefined {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value)
    ? (value as RebuildStatus)
    : undefined;
}

function extras(answer: CiAnswer, app: string): Pick<RebuildRun, 'logUrl' | 'imageDigest' | 'reason'> {
  // The digest becomes the base of the app's dependents (URLs, state): only a canonical one is taken.
  if (answer.imageDigest !== undefined && !isDigest(answer.imageDigest)) {
    throw new Error(
      `rebuild of ${app}: the CI reported imageDigest ${describeUntrusted(answer.imageDigest)}, which is not a sha256 or sha512 digest`,
    );
  }
  return {
    ...(typeof answer.logUrl === 'string' && { logUrl: answer.logUrl }),
    ...(answer.imageDigest !== undefined && { imageDigest: answer.imageDigest }),
    ...(typeof answer.reason === 'string' && { reason: answer.reason }),
  };
}
