// The CRM Bridge screen.
import { __ } from '@wordpress/i18n';
import { HealthView } from './views/Health/HealthView';

export function App() {
  return (
    <div className="crm-bridge-admin">
      <h1>{__('CRM Bridge', 'crm-bridge')}</h1>
      <HealthView />
    </div>
  );
}
