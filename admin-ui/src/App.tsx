// The CRM Bridge screen: one tab per view.
import { TabPanel } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import { HealthView } from './views/Health/HealthView';
import { SettingsView } from './views/Settings/SettingsView';
import { LogView } from './views/Log/LogView';
import { DeadLettersView } from './views/DeadLetters/DeadLettersView';
import { SubscriptionsView } from './views/Subscriptions/SubscriptionsView';

const VIEWS: Record<string, () => JSX.Element> = {
  health: HealthView,
  settings: SettingsView,
  subscriptions: SubscriptionsView,
  log: LogView,
  'dead-letters': DeadLettersView,
};

export function App() {
  const initial = new URLSearchParams(window.location.search).get('tab') ?? 'health';
  return (
    <div className="crm-bridge-admin">
      <h1>{__('CRM Bridge', 'crm-bridge')}</h1>
      <TabPanel
        initialTabName={initial in VIEWS ? initial : 'health'}
        tabs={[
          { name: 'health', title: __('Health', 'crm-bridge') },
          { name: 'settings', title: __('Settings', 'crm-bridge') },
          { name: 'subscriptions', title: __('Subscriptions', 'crm-bridge') },
          { name: 'log', title: __('Sync log', 'crm-bridge') },
          { name: 'dead-letters', title: __('Dead letters', 'crm-bridge') },
        ]}
      >
        {(tab) => {
          const View = VIEWS[tab.name] ?? HealthView;
          return <View />;
        }}
      </TabPanel>
    </div>
  );
}
