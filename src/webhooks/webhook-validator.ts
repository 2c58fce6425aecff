// The `webhook` gate check: POST the quarantined digest to a validation endpoint, signed like every
// delivery, and read its verdict — at once (200) or later from a status URL on its own origin (202).
import { resolveSecret, resolveValue } from '../config/secret.js';
import type { GateCheck } from '../core/gate.js';
import type { GateValidator, ValidationProgress, ValidationSubject } from '../core/gate-validator.js';
import { describeUntrusted } from '../registry/digest-check.js';
import type { HttpClient, HttpRequest } from '../registry/http.js';
import { requestWebhook } from './post-json.js';
import { describeUrl, signBody } from './signature.js';
import { onWebhookOrigin } from './status-url.js';

const MAX_ANSWER_BYTES = 64 * 1024;
const MAX_REASON = 1000;

export class WebhookValidator implements GateValidator {
  constructor(
    private readonly http: HttpClient,
    private readonly env: Readonly<Record<string, string | undefined>> = process.env,
  ) {}

  async start(check: GateCheck, subject: ValidationSubject): Promise<ValidationProgress> {
    const { url, secret } = this.webhook(check);
    const body = JSON.stringify({
      image: subject.image,
      digest: subject.digest,
      quarantine: subject.quarantine,
      source: subject.source,
      previousDigest: subject.previousDigest ?? null,
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      // The same key on a retried activity lets the validator drop the duplicate.
      'idempotency-key': `${subject.image}@${subject.digest}`,
    };
    if (secret !== undefined)
      headers['x-basewatch-signature'] = signBody(
        body,
        resolveSecret(secret, this.env, 'gate webhook secret'),
      );
    const answer = await this.send({ method: 'POST', url, body: Buffer.from(body), headers });
    if (answer.status === 202) {
      const statusUrl = readAnswer(answer.bytes).statusUrl;
      if (statusUrl === undefined) return failed(`${describeUrl(url)} answered 202 without a statusUrl`);
      try {
        return { pending: onWebhookOrigin(statusUrl, url, 'gate webhook') };
      } catch (error) {
        return failed((error as Error).message);
      }
    }
    return verdictOf(answer, url);
  }

  async poll(check: GateCheck, pending: string): Promise<ValidationProgress> {
    const { url } = this.webhook(check);
    // Checked again: the URL comes back from orchestration history, not from our own hands.
    const statusUrl = onWebhookOrigin(pending, url, 'gate webhook');
    const answer = await this.send({
      method: 'GET',
      url: statusUrl,
      headers: { accept: 'application/json' },
    });
    if (answer.status === 202) return { pending: statusUrl };
    return verdictOf(answer, statusUrl);
  }

  private webhook(check: GateCheck): { url: string; secret?: string } {
    if (check.kind !== 'webhook') throw new Error(`a ${check.kind} check is not a webhook`);
    return {
      url: resolveValue(check.url, this.env, 'gate webhook'),
      ...(check.secret !== undefined && { secret: check.secret }),
    };
  }

  private send(request: HttpRequest) {
    return requestWebhook(this.http, request, MAX_ANSWER_BYTES, 'gate webhook');
  }
}

interface Answer {
  verdict?: unknown;
  reason?: unknown;
  statusUrl?: unknown;
}

function readAnswer(bytes: Buffer): Answer {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Answer) : {};
  } catch {
    return {};
  }
}

/** Only `200 {"verdict":"pass"}` passes; anything else fails, saying what came back. */
function verdictOf(answer: { status: number; bytes: Buffer }, url: string): ValidationProgress {
  const where = describeUrl(url);
  if (answer.status !== 200) return failed(`${where} answered HTTP ${answer.status}`);
  const body = readAnswer(answer.bytes);
  if (body.verdict === 'pass') return { passed: true, detail: `${where} said pass` };
  if (body.verdict === 'fail') {
    const reason = typeof body.reason === 'string' ? body.reason.slice(0, MAX_REASON) : 'no reason given';
    return failed(`${where} said fail: ${reason}`);
  }
  return failed(
    `${where} answered 200 without a verdict (expected {"verdict": "pass"} or {"verdict": "fail", "reason": …}, got verdict ${describeUntrusted(body.verdict)})`,
  );
}

function failed(reason: string): ValidationProgress {
  return { passed: false, reason };
}
