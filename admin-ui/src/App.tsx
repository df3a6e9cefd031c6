// The CRM Bridge screen: one tab per view. Shop managers see the views they may use (health, the
// log, dead letters, deliveries); settings, subscriptions and the audit trail are for administrators.
import { Notice, TabPanel } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import { HealthView } from './views/Health/HealthView';
import { SettingsView } from './views/Settings/SettingsView';
import { LogView } from './views/Log/LogView';
import { DeadLettersView } from './views/DeadLetters/DeadLettersView';
import { SubscriptionsView } from './views/Subscriptions/SubscriptionsView';
import { AuditView } from './views/Audit/AuditView';
import { DeliveriesView } from './views/Deliveries/DeliveriesView';

interface Tab {
  name: string;
  title: string;
  view: (props: { canConfigure: boolean }) => JSX.Element;
  /** Only for users who may configure the plugin (manage_options or crm_bridge_manage_settings). */
  configure?: true;
}

const TABS: Tab[] = [
  { name: 'health', title: __('Health', 'crm-bridge'), view: HealthView },
  { name: 'settings', title: __('Settings', 'crm-bridge'), view: SettingsView, configure: true },
  { name: 'subscriptions', title: __('Subscriptions', 'crm-bridge'), view: SubscriptionsView, configure: true },
  { name: 'log', title: __('Sync log', 'crm-bridge'), view: LogView },
  { name: 'dead-letters', title: __('Dead letters', 'crm-bridge'), view: DeadLettersView },
  { name: 'deliveries', title: __('Deliveries', 'crm-bridge'), view: DeliveriesView },
  { name: 'audit', title: __('Audit', 'crm-bridge'), view: AuditView, configure: true },
];

export function App({ canConfigure }: { canConfigure: boolean }) {
  const tabs = TABS.filter((t) => canConfigure || !t.configure);
  const requested = new URLSearchParams(window.location.search).get('tab') ?? 'health';
  return (
    <div className="crm-bridge-admin">
      <h1>{__('CRM Bridge', 'crm-bridge')}</h1>
      {!canConfigure && (
        <Notice status="info" isDismissible={false}>
          {__('Settings, subscriptions and the audit trail are managed by an administrator.', 'crm-bridge')}
        </Notice>
      )}
      <TabPanel initialTabName={tabs.some((t) => t.name === requested) ? requested : 'health'} tabs={tabs.map(({ name, title }) => ({ name, title }))}>
        {(tab) => {
          const View = tabs.find((t) => t.name === tab.name)?.view ?? HealthView;
          return <View canConfigure={canConfigure} />;
        }}
      </TabPanel>
    </div>
  );
}
