// The operator API from the page: same origin only, JSON both ways. On Azure the function key the
// console was opened with (`?code=`) is kept for this tab and sent as a header, never in a URL.
const KEY_ITEM = 'basewatch.functionKey';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Moves `?code=` from the address bar into this tab's storage, so it is not kept in history or shared links. */
export function adoptFunctionKey(): void {
  const url = new URL(location.href);
  const code = url.searchParams.get('code');
  if (code === null) return;
  sessionStorage.setItem(KEY_ITEM, code);
  url.searchParams.delete('code');
  history.replaceState(null, '', url.toString());
}

function headers(json: boolean): Record<string, string> {
  const key = sessionStorage.getItem(KEY_ITEM);
  return {
    accept: 'application/json',
    ...(json && { 'content-type': 'application/json' }),
    ...(key !== null && { 'x-functions-key': key }),
  };
}

async function answer<T>(response: Response, what: string): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: unknown } | undefined)?.error;
    throw new ApiFailure(
      response.status,
      typeof error === 'string' ? error : `${what} answered ${response.status}: ${text.slice(0, 300)}`,
    );
  }
  return body as T;
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`/api${path}`, { headers: headers(false), credentials: 'same-origin' });
  return answer<T>(response, `GET /api${path}`);
}

export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  const response = await fetch(`/api${path}`, {
    method: 'POST',
    headers: headers(true),
    credentials: 'same-origin',
    body: JSON.stringify(body),
  });
  return answer<T>(response, `POST /api${path}`);
}
