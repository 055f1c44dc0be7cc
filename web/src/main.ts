import './styles.css';
import { apiKey, loadConfig } from './api.ts';
import { analyticsView } from './views/analytics.ts';
import { discoverView } from './views/discover.ts';
import { experimentsView } from './views/experiments.ts';
import { keyView } from './views/key.ts';
import { meView } from './views/me.ts';
import { movieView } from './views/movie.ts';
import { userView } from './views/user.ts';

/** Hash routes: #/ · #/me[/ID] · #/user/ID · #/movie/ID · #/analytics · #/experiments · #/key. */
function route(): void {
  const root = document.getElementById('app')!;
  const [, page = '', id] = location.hash.split('/');
  const current = page === 'movie' ? 'discover' : page || 'discover';
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    link.classList.toggle('active', link.dataset.nav === current);
  }
  if (!apiKey() && page !== 'key') {
    location.hash = '#/key';
    return;
  }
  if (page === 'key') keyView(root);
  else if (page === 'me') meView(root, id);
  else if (page === 'user') userView(root, id);
  else if (page === 'movie' && id) void movieView(root, id);
  else if (page === 'analytics') void analyticsView(root);
  else if (page === 'experiments') void experimentsView(root);
  else discoverView(root);
  window.scrollTo(0, 0);
}

void loadConfig().then(() => {
  window.addEventListener('hashchange', route);
  route();
});
