// Every action asks first (a modal dialog that names what will happen) and says what came of it.
import { ApiFailure } from './api.js';

/** Shows the dialog; true when the operator confirmed. */
export function confirmAction(title: string, text: string, confirmLabel = 'Confirm'): Promise<boolean> {
  const dialog = document.getElementById('confirm') as HTMLDialogElement;
  const ok = document.getElementById('confirm-ok') as HTMLButtonElement;
  const cancel = document.getElementById('confirm-cancel') as HTMLButtonElement;
  (document.getElementById('confirm-title') as HTMLElement).textContent = title;
  (document.getElementById('confirm-text') as HTMLElement).textContent = text;
  ok.textContent = confirmLabel;
  return new Promise((resolve) => {
    const done = (confirmed: boolean) => {
      ok.onclick = null;
      cancel.onclick = null;
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      resolve(confirmed);
    };
    ok.onclick = () => done(true);
    cancel.onclick = () => done(false);
    dialog.onclose = () => done(false);
    dialog.showModal();
    cancel.focus();
  });
}

/** The result of an action, read out by screen readers too. */
export function notify(message: string, kind: 'ok' | 'error'): void {
  const notice = document.getElementById('notice') as HTMLElement;
  notice.className = kind;
  notice.textContent = message;
}

/** Confirms, runs the action, and tells its outcome; the error is the API's own message, in full. */
export async function act<T>(
  title: string,
  text: string,
  run: () => Promise<T>,
  describe: (result: T) => string,
): Promise<T | undefined> {
  if (!(await confirmAction(title, text))) {
    notify(`${title}: cancelled`, 'ok');
    return undefined;
  }
  try {
    const result = await run();
    notify(`${title}: ${describe(result)}`, 'ok');
    return result;
  } catch (error) {
    const status = error instanceof ApiFailure ? ` (${error.status})` : '';
    notify(`${title} failed${status}: ${(error as Error).message}`, 'error');
    return undefined;
  }
}
