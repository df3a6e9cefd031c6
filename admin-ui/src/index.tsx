// Mounts the app. WordPress 6.2+ has createRoot (React 18); 6.1 ships React 17 and only render().
import * as element from '@wordpress/element';
import { App } from './App';
import './admin.css';

function mount(): void {
  const container = document.getElementById('crm-bridge-admin');
  if (!container) return;
  const { createRoot, render } = element as typeof element & { render?: (el: JSX.Element, c: Element) => void };
  if (typeof createRoot === 'function') {
    createRoot(container).render(<App />);
  } else if (render) {
    render(<App />, container);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
else mount();
