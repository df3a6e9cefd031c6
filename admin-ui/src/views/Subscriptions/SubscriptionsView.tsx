// Subscriptions: who receives which order events, and how their deliveries fare (success rate, last
// attempt and answer, failing since; a failing or disabled one stands out). The secret is shown once,
// on creation or after a confirmed rotation. A test event's outcome is polled from the sync log.
import { Button, Card, CardBody, CardHeader, CheckboxControl, Notice, SelectControl, Spinner, TextControl, ToggleControl } from '@wordpress/components';
import { useCallback, useEffect, useRef, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { ApiError, createSubscription, getChoices, deleteSubscription, getLogPage, getSubscriptionsWithHealth, rotateSubscriptionSecret, sendTestEvent, updateSubscription, type SubscriptionInput, type SubscriptionWithHealth } from '../../api/client';
import { toApiError, useApi } from '../../components/useApi';
import { localTimeIn, type LocalTime } from '../Log/localTime';
import { ConfirmModal, type Confirmation } from './ConfirmModal';
import { TEST_POLL_MS, TEST_WAIT_MS, testResultOf, type TestResult } from './testResult';

/** A new subscription receives every topic the server offers. */
const empty = (topics: string[]): SubscriptionInput => ({ name: '', url: '', topics: [...topics], status_filter: [], payload_mode: 'full', is_crm: false, active: true, rate_limit_per_second: null });

/** Whether the sidecar stopped sending to it (a 410, or failing too long), or its deliveries keep failing. */
function trouble(s: SubscriptionWithHealth): 'disabled' | 'failing' | null {
  if (!s.active && s.disabled_reason) return 'disabled';
  return s.failing_since ? 'failing' : null;
}

function HealthCell({ s, localTime }: { s: SubscriptionWithHealth; localTime: LocalTime }) {
  const h = s.health;
  const state = trouble(s);
  const last = h.last_attempt;
  return (
    <td className="crm-bridge-sub-health">
      {state === 'disabled' && <p className="crm-bridge-sub-badge crm-bridge-sub-badge-error">{sprintf(__('Disabled: %s', 'crm-bridge'), s.disabled_reason ?? '')}</p>}
      {state === 'failing' && (
        <p className="crm-bridge-sub-badge crm-bridge-sub-badge-warning">
          {sprintf(__('Failing since %s', 'crm-bridge'), localTime(s.failing_since ?? ''))}
        </p>
      )}
      <p>
        {h.success_rate === null
          ? /* translators: %d: hours */ sprintf(__('No delivery attempts in the last %d hours.', 'crm-bridge'), h.window_hours)
          : /* translators: 1: percentage, 2: delivered attempts, 3: all attempts, 4: hours */ sprintf(__('%1$s%% delivered (%2$d of %3$d attempts, last %4$d hours)', 'crm-bridge'), (h.success_rate * 100).toFixed(h.success_rate === 1 ? 0 : 1), h.delivered, h.attempts, h.window_hours)}
      </p>
      {last && (
        <p>
          {sprintf(__('Last delivery: %s', 'crm-bridge'), last.decision)} <time title={`${last.at} UTC`}>{localTime(last.at)}</time>
          <br />
          {last.status_code !== null ? sprintf(__('Last answer: HTTP %d', 'crm-bridge'), last.status_code) : __('Last answer: none (no connection)', 'crm-bridge')}
        </p>
      )}
    </td>
  );
}

function describeTest(result: TestResult): string {
  switch (result.kind) {
    case 'waiting':
      return __('Test event: waiting for the sidecar to deliver it…', 'crm-bridge');
    case 'delivered':
      return sprintf(__('Test event delivered (HTTP %s).', 'crm-bridge'), String(result.statusCode ?? '?'));
    case 'failed': {
      const why = result.statusCode !== null ? sprintf(__('HTTP %d', 'crm-bridge'), result.statusCode) : (result.message ?? __('no answer', 'crm-bridge'));
      return sprintf(result.retrying ? __('Test event failed: %s; it will be retried.', 'crm-bridge') : __('Test event failed: %s.', 'crm-bridge'), why);
    }
    case 'no_answer':
      return __('Test event not delivered yet: is the sidecar running? Its outcome will be in the sync log.', 'crm-bridge');
  }
}

function TestResultText({ result }: { result: TestResult }) {
  const status = result.kind === 'delivered' ? 'success' : result.kind === 'waiting' ? 'info' : 'error';
  return (
    <p className={`crm-bridge-test-result crm-bridge-test-result-${status}`} data-testid="test-result" data-result={result.kind} role="status">
      {result.kind === 'waiting' && <Spinner />}
      {describeTest(result)}
    </p>
  );
}

export function SubscriptionsView() {
  const load = useCallback(() => getSubscriptionsWithHealth(), []);
  const { data, error, loading, reload } = useApi(load);
  const choices = useApi(useCallback(() => getChoices(), []));
  const topics = choices.data?.topics ?? [];
  const [editing, setEditing] = useState<{ id: number | null; input: SubscriptionInput } | null>(null);
  const [fieldErrors, setFieldErrors] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<{ status: 'success' | 'error' | 'info'; text: string; secret?: string } | null>(null);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const [tests, setTests] = useState<Record<number, TestResult>>({});
  const timers = useRef<number[]>([]);
  useEffect(() => () => timers.current.forEach((t) => window.clearTimeout(t)), []);
  const localTime = localTimeIn(data?.site_timezone ?? 'UTC');

  /** Reads the test event's log rows until it has an outcome, or gives up after TEST_WAIT_MS. */
  const followTest = (id: number, webhookId: string, started: number) => {
    const poll = () =>
      getLogPage({ event_id: webhookId })
        .then((page) => {
          const result = testResultOf(page.items);
          if (result.kind !== 'waiting') {
            setTests((t) => ({ ...t, [id]: result }));
            reload();
          } else if (Date.now() - started > TEST_WAIT_MS) setTests((t) => ({ ...t, [id]: { kind: 'no_answer' } }));
          else followTest(id, webhookId, started);
        })
        .catch((err: unknown) => setMessage({ status: 'error', text: toApiError(err).message }));
    timers.current.push(window.setTimeout(poll, TEST_POLL_MS));
  };

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

  const row = (s: SubscriptionWithHealth) => (
    <tr key={s.id} className={trouble(s) ? `crm-bridge-sub-${trouble(s)}` : undefined} data-health={trouble(s) ?? 'ok'}>
      <td>
        <strong>{s.name}</strong>
        {s.is_crm && ` (${__('the CRM', 'crm-bridge')})`}
        <br />
        <code>{s.url}</code>
      </td>
      <td>{s.topics.join(', ')}</td>
      <td>{s.active ? __('active', 'crm-bridge') : s.disabled_reason ? __('disabled', 'crm-bridge') : __('paused', 'crm-bridge')}</td>
      <HealthCell s={s} localTime={localTime} />
      <td>
        <Button variant="link" onClick={() => setEditing({ id: s.id, input: { name: s.name, url: s.url, topics: s.topics, status_filter: s.status_filter, payload_mode: s.payload_mode, is_crm: s.is_crm, active: s.active, rate_limit_per_second: s.rate_limit_per_second } })}>
          {__('Edit', 'crm-bridge')}
        </Button>{' '}
        <Button variant="link" onClick={() => act(updateSubscription(s.id, { active: !s.active }), () => setMessage({ status: 'success', text: s.active ? __('Paused.', 'crm-bridge') : __('Resumed.', 'crm-bridge') }))}>
          {s.active ? __('Pause', 'crm-bridge') : __('Resume', 'crm-bridge')}
        </Button>{' '}
        <Button
          variant="link"
          onClick={() =>
            act(sendTestEvent(s.id), (r) => {
              setMessage({ status: 'success', text: sprintf(__('Test event queued for %s.', 'crm-bridge'), s.name) });
              setTests((t) => ({ ...t, [s.id]: { kind: 'waiting' } }));
              followTest(s.id, (r as { webhook_id: string }).webhook_id, Date.now());
            })
          }
        >
          {__('Send test event', 'crm-bridge')}
        </Button>{' '}
        <Button
          variant="link"
          onClick={() =>
            setConfirmation({
              title: sprintf(__('Rotate the secret of %s?', 'crm-bridge'), s.name),
              text: __('A new signing secret is made and shown once. The old one stays valid for the grace period set in Settings; give the receiver the new one before it ends.', 'crm-bridge'),
              confirm: __('Rotate secret', 'crm-bridge'),
              run: () => act(rotateSubscriptionSecret(s.id), (r) => setMessage({ status: 'info', text: __('New secret; the old one stays valid for a grace period. It is not shown again:', 'crm-bridge'), secret: (r as { secret: string }).secret })),
            })
          }
        >
          {__('Rotate secret', 'crm-bridge')}
        </Button>{' '}
        <Button
          variant="link"
          isDestructive
          onClick={() =>
            setConfirmation({
              title: sprintf(__('Delete %s?', 'crm-bridge'), s.name),
              text: sprintf(__('Delete the subscription %s and its undelivered events?', 'crm-bridge'), s.name),
              confirm: __('Delete', 'crm-bridge'),
              destructive: true,
              run: () => act(deleteSubscription(s.id), () => setMessage({ status: 'success', text: __('Deleted.', 'crm-bridge') })),
            })
          }
        >
          {__('Delete', 'crm-bridge')}
        </Button>
        {s.id in tests && <TestResultText result={tests[s.id]!} />}
      </td>
    </tr>
  );

  return (
    <Card className="crm-bridge-card">
      <CardHeader>
        <h2>{__('Subscriptions', 'crm-bridge')}</h2>
        {!editing && (
          // Enabled once the topics are known, so that a new subscription starts with all of them.
          <Button variant="primary" disabled={!choices.data} onClick={() => setEditing({ id: null, input: empty(topics) })}>
            {__('Add subscription', 'crm-bridge')}
          </Button>
        )}
      </CardHeader>
      <CardBody>
        {loading && <Spinner />}
        {error && <Notice status="error" isDismissible={false}>{error.message}</Notice>}
        {choices.error && <Notice status="error" isDismissible={false}>{sprintf(__('Could not load the topics: %s', 'crm-bridge'), choices.error.message)}</Notice>}
        {confirmation && <ConfirmModal confirmation={confirmation} onClose={() => setConfirmation(null)} />}
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
            <fieldset>
              <legend>{__('Only orders in these statuses', 'crm-bridge')}</legend>
              <p className="description">{__('None checked: orders in any status.', 'crm-bridge')}</p>
              {(choices.data?.statuses ?? []).map((st) => (
                <CheckboxControl
                  key={st.value}
                  label={st.label}
                  checked={editing.input.status_filter.includes(st.value)}
                  onChange={(on) => setEditing({ ...editing, input: { ...editing.input, status_filter: on ? [...editing.input.status_filter, st.value] : editing.input.status_filter.filter((x) => x !== st.value) } })}
                  __nextHasNoMarginBottom
                />
              ))}
              {fieldErrors?.fields.status_filter && <p className="crm-bridge-field-error">{fieldErrors.fields.status_filter}</p>}
            </fieldset>
            <TextControl
              label={__('Rate limit (messages per second)', 'crm-bridge')}
              type="number"
              min={1}
              max={1000}
              value={editing.input.rate_limit_per_second ?? ''}
              onChange={(v) => setEditing({ ...editing, input: { ...editing.input, rate_limit_per_second: v === '' ? null : Number(v) } })}
              help={fieldErrors?.fields.rate_limit_per_second ?? __('From 1 to 1000; empty for no limit.', 'crm-bridge')}
              __nextHasNoMarginBottom
            />
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
              <th scope="col">{__('Deliveries', 'crm-bridge')}</th>
              <th scope="col">{__('Actions', 'crm-bridge')}</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.length === 0 && (
              <tr>
                <td colSpan={5}>{__('No subscriptions yet.', 'crm-bridge')}</td>
              </tr>
            )}
            {data?.items.map(row)}
          </tbody>
        </table>
      </CardBody>
    </Card>
  );
}
