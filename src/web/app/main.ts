// The console's entry: one page at a time, chosen by the address's fragment (#/images, #/graph,
// #/runs?…, #/runs/<id>), so the browser's back button and links work and the server serves one page.
import { adoptFunctionKey } from './api.js';
import { notify } from './confirm.js';
import { graphPage } from './graph-page.js';
import { imagePage } from './image-page.js';
import { imagesPage, syncNow } from './images-page.js';
import { runPage } from './run-page.js';
import { runsPage } from './runs-page.js';

let current = new AbortController();

async function show(): Promise<void> {
  current.abort();
  current = new AbortController();
  const { signal } = current;
  const main = document.getElementById('main') as HTMLElement;
  const hash = location.hash.replace(/^#/, '') || '/images';
  const question = hash.indexOf('?');
  const path = question < 0 ? hash : hash.slice(0, question);
  const params = new URLSearchParams(question < 0 ? '' : hash.slice(question + 1));
  for (const link of document.querySelectorAll('nav a')) {
    const target = (link as HTMLAnchorElement).hash.replace(/^#/, '');
    if (path.startsWith(target)) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  main.setAttribute('aria-busy', 'true');
  try {
    if (path === '/images') await imagesPage(main);
    else if (path.startsWith('/images/'))
      await imagePage(main, decodeURIComponent(path.slice('/images/'.length)));
    else if (path === '/graph') await graphPage(main, params);
    else if (path === '/runs') await runsPage(main, params, signal);
    else if (path.startsWith('/runs/'))
      await runPage(main, decodeURIComponent(path.slice('/runs/'.length)), signal);
    else {
      document.title = 'Not found · basewatch';
      main.replaceChildren(
        Object.assign(document.createElement('h1'), { textContent: `No page at ${path}` }),
      );
    }
  } catch (error) {
    if (signal.aborted) return;
    notify((error as Error).message, 'error');
    const heading = Object.assign(document.createElement('h1'), { textContent: 'Could not load this page' });
    const detail = Object.assign(document.createElement('pre'), {
      className: 'failure',
      textContent: (error as Error).message,
    });
    main.replaceChildren(heading, detail);
  } finally {
    main.removeAttribute('aria-busy');
    // When the page was drawn, for the console benchmark (bench/console.ts) and the browser's own tools.
    performance.mark(`basewatch:rendered ${path}`);
  }
}

adoptFunctionKey();
document.getElementById('sync-all')?.addEventListener('click', () => syncNow());
window.addEventListener('hashchange', () => {
  show();
  document.getElementById('main')?.focus();
});
show();
