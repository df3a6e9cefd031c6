// The first-run checklist: what a new site still has to do before the bridge runs, each open step
// linked to the tab where it is done. Once every step is done it folds away and can be opened again.
import { Button, Card, CardBody, CardHeader } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import type { Checklist as ChecklistDoc } from '../../api/client';

interface Step {
  key: string;
  done: boolean;
  title: string;
  /** What to do while the step is open. */
  todo: string;
  link?: { tab: string; label: string };
}

/** The admin screen's URL with another tab (a full load: the tab panel reads it at start). */
function tabUrl(tab: string): string {
  const url = new URL(window.location.href);
  url.searchParams.set('tab', tab);
  return url.toString();
}

function steps(c: ChecklistDoc): Step[] {
  const settings = { tab: 'settings', label: __('Open Settings', 'crm-bridge') };
  return [
    {
      key: 'sidecar',
      done: c.sidecar_online,
      title: __('A sidecar running', 'crm-bridge'),
      todo: __('Start the sidecar beside WordPress (node sidecar/dist/main.js, or the sidecar service of docker-compose.yml). It reports here every few seconds.', 'crm-bridge'),
    },
    {
      key: 'crm',
      done: c.crm_connected,
      title: __('CRM connected', 'crm-bridge'),
      todo: c.last_connection_test
        ? __('The last connection test failed. Check the CRM address and token, then test again.', 'crm-bridge')
        : __('Enter the CRM address and token, then press Test connection.', 'crm-bridge'),
      link: settings,
    },
    {
      key: 'signing',
      done: c.signing_secret_set && c.signing_secret_used,
      title: __('Signing secret given to the CRM', 'crm-bridge'),
      todo: c.signing_secret_set
        ? __('Give the CRM the receiver URL below and the signing secret; this step is done when the first event signed with it arrives.', 'crm-bridge')
        : __('Generate the signing secret, then give it and the receiver URL below to the CRM.', 'crm-bridge'),
      link: settings,
    },
    {
      key: 'subscription',
      done: c.subscription,
      title: __('An outgoing subscription', 'crm-bridge'),
      todo: __('Add the CRM (or another receiver) as a subscription, so order changes are sent to it.', 'crm-bridge'),
      link: { tab: 'subscriptions', label: __('Open Subscriptions', 'crm-bridge') },
    },
    {
      key: 'first-event',
      done: c.first_event_received,
      title: __('First event from the CRM received', 'crm-bridge'),
      todo: __('Change an order in the CRM; its event shows in the Sync log.', 'crm-bridge'),
      link: settings,
    },
  ];
}

/** canConfigure: the links to Settings and Subscriptions are only for users who may open those tabs. */
export function Checklist({ checklist, canConfigure }: { checklist: ChecklistDoc; canConfigure: boolean }) {
  const all = steps(checklist);
  const open = all.filter((s) => !s.done).length;
  const [shown, setShown] = useState(open > 0);
  return (
    <Card className="crm-bridge-card crm-bridge-checklist" data-testid="checklist">
      <CardHeader>
        <h3>
          {open > 0
            ? sprintf(__('Getting started: %1$d of %2$d steps done', 'crm-bridge'), all.length - open, all.length)
            : __('Getting started: all steps done', 'crm-bridge')}
        </h3>
        <Button variant="tertiary" aria-expanded={shown} onClick={() => setShown(!shown)}>
          {shown ? __('Hide checklist', 'crm-bridge') : __('Show checklist', 'crm-bridge')}
        </Button>
      </CardHeader>
      {shown && (
        <CardBody>
          <ol className="crm-bridge-checklist-steps">
            {all.map((s) => (
              <li key={s.key} data-step={s.key} data-done={s.done ? '1' : '0'} className={s.done ? 'is-done' : 'is-open'}>
                <span className="crm-bridge-checklist-mark" aria-hidden="true">
                  {s.done ? '✓' : '○'}
                </span>
                <strong>{s.title}</strong> <span className="screen-reader-text">{s.done ? __('(done)', 'crm-bridge') : __('(to do)', 'crm-bridge')}</span>
                {!s.done && (
                  <p>
                    {s.todo}{' '}
                    {canConfigure && s.link && <a href={tabUrl(s.link.tab)}>{s.link.label}</a>}
                  </p>
                )}
                {s.key === 'signing' && <ReceiverUrl url={checklist.receiver_url} />}
              </li>
            ))}
          </ol>
        </CardBody>
      )}
    </Card>
  );
}

/** The receiver URL with a button that copies it (the clipboard API needs a secure page; else a selection copy). */
function ReceiverUrl({ url }: { url: string }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = async () => {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(url);
      } else {
        const area = document.createElement('textarea');
        area.value = url;
        document.body.appendChild(area);
        area.select();
        const ok = document.execCommand('copy');
        area.remove();
        if (!ok) throw new Error('copy refused');
      }
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <p className="crm-bridge-receiver-url">
      {__('Receiver URL:', 'crm-bridge')} <code data-testid="receiver-url">{url}</code>{' '}
      <Button variant="secondary" size="small" onClick={() => void copy()}>
        {__('Copy', 'crm-bridge')}
      </Button>{' '}
      <span role="status">{copied === true ? __('Copied.', 'crm-bridge') : copied === false ? __('Copy failed: select the URL and copy it.', 'crm-bridge') : ''}</span>
    </p>
  );
}
