// Subscriptions: who receives which order events. The secret is shown once, on creation or rotation.
import { Button, Card, CardBody, CardHeader, CheckboxControl, Notice, SelectControl, Spinner, TextControl, ToggleControl } from '@wordpress/components';
import { useCallback, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { ApiError, createSubscription, getChoices, deleteSubscription, getSubscriptions, rotateSubscriptionSecret, sendTestEvent, updateSubscription, type Subscription, type SubscriptionInput } from '../../api/client';
import { toApiError, useApi } from '../../components/useApi';

/** A new subscription receives every topic the server offers. */
const empty = (topics: string[]): SubscriptionInput => ({ name: '', url: '', topics: [...topics], status_filter: [], payload_mode: 'full', is_crm: false, active: true, rate_limit_per_second: null });

export function SubscriptionsView() {
  const load = useCallback(() => getSubscriptions(), []);
  const { data, error, loading, reload } = useApi(load);
  const choices = useApi(useCallback(() => getChoices(), []));
  const topics = choices.data?.topics ?? [];
  const [editing, setEditing] = useState<{ id: number | null; input: SubscriptionInput } | null>(null);
  const [fieldErrors, setFieldErrors] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<{ status: 'success' | 'error' | 'info'; text: string; secret?: string } | null>(null);

  const act = (p: Promise<unknown>, done: (r: unknown) => void) =>
    p.then((r) => {
      done(r);
      reload();
    }).catch((err: unknown) => {
      const e = toApiError(err);
      setMessage({ status: 'error', text: e.fields.secret ?? e.message });
    });

  const save = () => {
    if (!editing) return;
    const p = editing.id === null ? createSubscription(editing.input) : updateSubscription(editing.id, editing.input);
    p.then((r) => {
      setEditing(null);
      setFieldErrors(null);
      setMessage('secret' in r ? { status: 'info', text: __('Subscription created. Give its secret to the receiver now; it is not shown again:', 'crm-bridge'), secret: String(r.secret) } : { status: 'success', text: __('Subscription saved.', 'crm-bridge') });
      reload();
    }).catch((err: unknown) => setFieldErrors(toApiError(err)));
  };

  const row = (s: Subscription) => (
    <tr key={s.id}>
      <td>
        <strong>{s.name}</strong>
        {s.is_crm && ` (${__('the CRM', 'crm-bridge')})`}
        <br />
        <code>{s.url}</code>
      </td>
      <td>{s.topics.join(', ')}</td>
      <td>{s.active ? __('active', 'crm-bridge') : s.disabled_reason ? sprintf(__('disabled: %s', 'crm-bridge'), s.disabled_reason) : __('paused', 'crm-bridge')}</td>
      <td>
        <Button variant="link" onClick={() => setEditing({ id: s.id, input: { name: s.name, url: s.url, topics: s.topics, status_filter: s.status_filter, payload_mode: s.payload_mode, is_crm: s.is_crm, active: s.active, rate_limit_per_second: s.rate_limit_per_second } })}>
          {__('Edit', 'crm-bridge')}
        </Button>{' '}
        <Button variant="link" onClick={() => act(updateSubscription(s.id, { active: !s.active }), () => setMessage({ status: 'success', text: s.active ? __('Paused.', 'crm-bridge') : __('Resumed.', 'crm-bridge') }))}>
          {s.active ? __('Pause', 'crm-bridge') : __('Resume', 'crm-bridge')}
        </Button>{' '}
        <Button variant="link" onClick={() => act(sendTestEvent(s.id), () => setMessage({ status: 'success', text: sprintf(__('Test event queued for %s.', 'crm-bridge'), s.name) }))}>
          {__('Send test event', 'crm-bridge')}
        </Button>{' '}
        <Button
          variant="link"
          onClick={() => act(rotateSubscriptionSecret(s.id), (r) => setMessage({ status: 'info', text: __('New secret; the old one stays valid for a grace period. It is not shown again:', 'crm-bridge'), secret: (r as { secret: string }).secret }))}
        >
          {__('Rotate secret', 'crm-bridge')}
        </Button>{' '}
        <Button
          variant="link"
          isDestructive
          onClick={() => {
            // eslint-disable-next-line no-alert
            if (window.confirm(sprintf(__('Delete the subscription %s and its undelivered events?', 'crm-bridge'), s.name))) act(deleteSubscription(s.id), () => setMessage({ status: 'success', text: __('Deleted.', 'crm-bridge') }));
          }}
        >
          {__('Delete', 'crm-bridge')}
        </Button>
      </td>
    </tr>
  );

  return (
    <Card className="crm-bridge-card">
      <CardHeader>
        <h2>{__('Subscriptions', 'crm-bridge')}</h2>
        {!editing && (
          <Button variant="primary" onClick={() => setEditing({ id: null, input: empty(topics) })}>
            {__('Add subscription', 'crm-bridge')}
          </Button>
        )}
      </CardHeader>
      <CardBody>
        {loading && <Spinner />}
        {error && <Notice status="error" isDismissible={false}>{error.message}</Notice>}
        {choices.error && <Notice status="error" isDismissible={false}>{sprintf(__('Could not load the topics: %s', 'crm-bridge'), choices.error.message)}</Notice>}
        {message && (
          <Notice status={message.status} onRemove={() => setMessage(null)}>
            {message.text} {message.secret && <code data-testid="subscription-secret">{message.secret}</code>}
          </Notice>
        )}
        {editing && (
          <form
            className="crm-bridge-subscription-form"
            onSubmit={(e) => {
              e.preventDefault();
              save();
            }}
          >
            {fieldErrors && <Notice status="error" isDismissible={false}>{fieldErrors.message}</Notice>}
            {/* No encryption key outside a local environment: the form says what wp-config.php needs. */}
            {fieldErrors?.fields.secret && (
              <Notice status="error" isDismissible={false}>
                <span data-testid="subscription-secret-error">{fieldErrors.fields.secret}</span>
              </Notice>
            )}
            <TextControl label={__('Name', 'crm-bridge')} value={editing.input.name} onChange={(v) => setEditing({ ...editing, input: { ...editing.input, name: v } })} help={fieldErrors?.fields.name} __nextHasNoMarginBottom />
            <TextControl label={__('Endpoint URL', 'crm-bridge')} type="url" value={editing.input.url} onChange={(v) => setEditing({ ...editing, input: { ...editing.input, url: v } })} help={fieldErrors?.fields.url} __nextHasNoMarginBottom />
            <fieldset>
              <legend>{__('Topics', 'crm-bridge')}</legend>
              {topics.map((t) => (
                <CheckboxControl
                  key={t}
                  label={t}
                  checked={editing.input.topics.includes(t)}
                  onChange={(on) => setEditing({ ...editing, input: { ...editing.input, topics: on ? [...editing.input.topics, t] : editing.input.topics.filter((x) => x !== t) } })}
                  __nextHasNoMarginBottom
                />
              ))}
              {fieldErrors?.fields.topics && <p className="crm-bridge-field-error">{fieldErrors.fields.topics}</p>}
            </fieldset>
            <SelectControl
              label={__('Payload', 'crm-bridge')}
              value={editing.input.payload_mode}
              options={[
                { value: 'full', label: __('Full order', 'crm-bridge') },
                { value: 'minimal', label: __('Ids and status only', 'crm-bridge') },
              ]}
              onChange={(v) => setEditing({ ...editing, input: { ...editing.input, payload_mode: v as 'full' | 'minimal' } })}
              __nextHasNoMarginBottom
            />
            <ToggleControl label={__('This endpoint is the CRM (changes from the CRM are not sent back to it)', 'crm-bridge')} checked={editing.input.is_crm} onChange={(v) => setEditing({ ...editing, input: { ...editing.input, is_crm: v } })} __nextHasNoMarginBottom />
            <Button variant="primary" type="submit">
              {__('Save subscription', 'crm-bridge')}
            </Button>{' '}
            <Button variant="tertiary" onClick={() => (setEditing(null), setFieldErrors(null))}>
              {__('Cancel', 'crm-bridge')}
            </Button>
          </form>
        )}
        <table className="widefat striped" data-testid="subscriptions">
          <caption className="screen-reader-text">{__('Webhook subscriptions', 'crm-bridge')}</caption>
          <thead>
            <tr>
              <th scope="col">{__('Subscription', 'crm-bridge')}</th>
              <th scope="col">{__('Topics', 'crm-bridge')}</th>
              <th scope="col">{__('State', 'crm-bridge')}</th>
              <th scope="col">{__('Actions', 'crm-bridge')}</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.length === 0 && (
              <tr>
                <td colSpan={4}>{__('No subscriptions yet.', 'crm-bridge')}</td>
              </tr>
            )}
            {data?.items.map(row)}
          </tbody>
        </table>
      </CardBody>
    </Card>
  );
}
