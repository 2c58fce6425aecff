// POSTs JSON to a webhook through the one HTTP layer (retries, back-off, timeouts) and reads the answer.
import type { HttpClient, HttpRequest, HttpResponse } from '../registry/http.js';
import { HttpTransportError } from '../registry/http.js';
import { describeUrl } from './signature.js';

const MAX_RESPONSE_BYTES = 256 * 1024;

export interface WebhookAnswer {
  readonly status: number;
  readonly body: string;
}

/** Sends `body` as is (already serialised, so a signature over it stays true); throws on a non-2xx answer. */
export async function postJson(
  http: HttpClient,
  url: string,
  body: string,
  headers: Record<string, string>,
  what: string,
): Promise<WebhookAnswer> {
  const response = await requestWebhook(
    http,
    {
      method: 'POST',
      url,
      body: Buffer.from(body),
      headers: { 'content-type': 'application/json', ...headers },
    },
    MAX_RESPONSE_BYTES,
    what,
  );
  const answer: WebhookAnswer = { status: response.status, body: response.bytes.toString('utf8') };
  if (answer.status < 200 || answer.status >= 300) {
    throw new Error(`${what}: ${describeUrl(url)} answered HTTP ${answer.status}`);
  }
  return answer;
}

/** One request to a webhook, its body read whole up to `maxBytes`; a peer that stays unreachable is named. */
export async function requestWebhook(
  http: HttpClient,
  request: HttpRequest,
  maxBytes: number,
  what: string,
): Promise<HttpResponse & { bytes: Buffer }> {
  try {
    return await http.requestBytes(request, maxBytes);
  } catch (error) {
    if (error instanceof HttpTransportError) {
      throw new Error(
        `${what}: ${describeUrl(request.url)} unreachable after ${error.attempts} attempt(s) (${error.errorCode})`,
        { cause: error },
      );
    }
    throw error;
  }
}
