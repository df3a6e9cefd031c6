// Mounts the app. WordPress 6.2+ has createRoot (React 18); 6.1 ships React 17 and only render().
// The mount point says whether the user may configure the plugin (the REST API checks it again).
import * as element from '@wordpress/element';
import { App } from './App';
import './admin.css';

function mount(): void {
  const container = document.getElementById('crm-bridge-admin');
  if (!container) return;
  const { createRoot, render } = element as typeof element & { render?: (el: JSX.Element, c: Element) => void };
  const app = <App canConfigure={container.dataset.canConfigure === '1'} />;
  if (typeof createRoot === 'function') {
    createRoot(container).render(app);
  } else if (render) {
    render(app, container);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
else mount();
