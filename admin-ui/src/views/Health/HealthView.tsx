// Health: what is left to set up, is a sidecar online, which versions run, is WooCommerce there, how
// much traffic flows, what waits, and what the receiver refused or recognised as a duplicate.
import { Card, CardBody, CardHeader, Notice, Spinner, Button, __experimentalText as Text } from '@wordpress/components';
import { Fragment, useCallback, useEffect, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { ApiError, getHealth, type HealthDoc, type HealthRange as Range, type Refusals } from '../../api/client';
import { Checklist } from './Checklist';
import { Traffic } from './Traffic';

export function HealthView({ canConfigure }: { canConfigure: boolean }) {
  const [health, setHealth] = useState<HealthDoc | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [range, setRange] = useState<Range>('hour');

  const load = useCallback(() => {
    setLoading(true);
    getHealth(range)
      .then((h) => {
        setHealth(h);
        setError(null);
      })
      .catch((err: unknown) => setError(err instanceof ApiError ? err : new ApiError('unknown', String(err))))
      .finally(() => setLoading(false));
  }, [range]);

  useEffect(load, [load]);

  return (
    <Card>
      <CardHeader>
        <h2>{__('Health', 'crm-bridge')}</h2>
        <Button variant="secondary" onClick={load} disabled={loading}>
          {__('Refresh', 'crm-bridge')}
        </Button>
      </CardHeader>
      <CardBody>
        {loading && <Spinner />}
        {error && (
          <Notice status="error" isDismissible={false}>
            {sprintf(__('Could not load health: %s', 'crm-bridge'), error.message)}
          </Notice>
        )}
        {health && (
          <div className="crm-bridge-health" data-testid="health">
            <Checklist checklist={health.checklist} canConfigure={canConfigure} />
            <Notice status={health.sidecar_online ? 'success' : 'warning'} isDismissible={false}>
              {health.sidecar_online
                ? __('Sidecar online', 'crm-bridge')
                : __('Sidecar offline: no heartbeat in the last 30 seconds. Events are queued and will be processed when it runs.', 'crm-bridge')}
            </Notice>
            {!health.woocommerce_active && (
              <Notice status="warning" isDismissible={false}>
                {__('WooCommerce is not active.', 'crm-bridge')}
              </Notice>
            )}
            <Text as="p">{sprintf(__('Plugin %1$s, database schema %2$d.', 'crm-bridge'), health.plugin_version, health.schema_version)}</Text>
            <table className="widefat striped" data-testid="queues">
              <caption>{__('Queues and results', 'crm-bridge')}</caption>
              <thead>
                <tr>
                  <th scope="col">{__('Queue', 'crm-bridge')}</th>
                  <th scope="col">{__('Waiting', 'crm-bridge')}</th>
                  <th scope="col">{__('Of which waiting for a retry', 'crm-bridge')}</th>
                  <th scope="col">{__('In progress', 'crm-bridge')}</th>
                  <th scope="col">{__('Dead letters', 'crm-bridge')}</th>
                  <th scope="col">{__('Oldest waiting', 'crm-bridge')}</th>
                </tr>
              </thead>
              <tbody>
                {(['inbox', 'outbox'] as const).map((q) => (
                  <tr key={q}>
                    <th scope="row">{q === 'inbox' ? __('From the CRM', 'crm-bridge') : __('To subscribers', 'crm-bridge')}</th>
                    <td>{health.queues[q].pending}</td>
                    <td>{health.queues[q].retrying}</td>
                    <td>{health.queues[q].running}</td>
                    <td>{health.queues[q].dead}</td>
                    <td>{health.queues[q].oldest_pending_age_seconds === null ? '—' : sprintf(__('%d s', 'crm-bridge'), health.queues[q].oldest_pending_age_seconds)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p>
              {(['last_hour', 'last_day'] as const).map((w) => (
                <span key={w} className="crm-bridge-window">
                  {sprintf(
                    __('%1$s: %2$d finished, success %3$s, p95 %4$s, %5$d retries, %6$d duplicate deliveries ignored.', 'crm-bridge'),
                    w === 'last_hour' ? __('Last hour', 'crm-bridge') : __('Last day', 'crm-bridge'),
                    health[w].finished,
                    health[w].success_rate === null ? '—' : `${(health[w].success_rate * 100).toFixed(1)}%`,
                    health[w].p95_latency_ms === null ? '—' : `${health[w].p95_latency_ms} ms`,
                    health[w].retries,
                    health[w].duplicates,
                  )}{' '}
                </span>
              ))}
            </p>
            <Traffic traffic={health.traffic} range={range} onRange={setRange} disabled={loading} />
            <table className="widefat striped">
              <caption className="screen-reader-text">{__('Sidecar replicas', 'crm-bridge')}</caption>
              <thead>
                <tr>
                  <th scope="col">{__('Worker', 'crm-bridge')}</th>
                  <th scope="col">{__('Version', 'crm-bridge')}</th>
                  <th scope="col">{__('Last heartbeat', 'crm-bridge')}</th>
                  <th scope="col">{__('Status', 'crm-bridge')}</th>
                  <th scope="col">{__('Open circuits', 'crm-bridge')}</th>
                </tr>
              </thead>
              <tbody>
                {health.sidecars.length === 0 && (
                  <tr>
                    <td colSpan={5}>{__('No sidecar has reported yet.', 'crm-bridge')}</td>
                  </tr>
                )}
                {health.sidecars.map((s) => (
                  <Fragment key={s.worker_id}>
                    <tr>
                      <td>{s.worker_id}</td>
                      <td>{s.version}</td>
                      <td>{s.heartbeat_at}</td>
                      <td>{s.online ? __('online', 'crm-bridge') : __('offline', 'crm-bridge')}</td>
                      <td>{s.open_circuits.length ? s.open_circuits.join(', ') : __('none', 'crm-bridge')}</td>
                    </tr>
                    {s.warnings.length > 0 && (
                      <tr>
                        <td colSpan={5}>
                          <Notice status="warning" isDismissible={false}>
                            <div data-testid="sidecar-warnings" data-worker={s.worker_id}>
                              {__('This replica reports:', 'crm-bridge')}
                              <ul>
                                {s.warnings.map((w, i) => (
                                  <li key={i}>{w}</li>
                                ))}
                              </ul>
                            </div>
                          </Notice>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
            <RefusalsTable refusals={health.refusals} />
          </div>
        )}
      </CardBody>
    </Card>
  );
}

/** The classes the receiver refuses by (plugin/src/Receiver.php), each with what it means to a shop owner. */
const REFUSAL_CLASSES: Record<string, string> = {
  signature: __('Signature missing or not matching: the CRM signs with another secret, or someone else is calling.', 'crm-bridge'),
  timestamp: __('Timestamp missing or outside the allowed window: a clock off, or a replayed request.', 'crm-bridge'),
  schema: __('Not an event the plugin understands (fields missing or malformed).', 'crm-bridge'),
  size: __('Body larger than the limit.', 'crm-bridge'),
  content_type: __('Not sent as JSON.', 'crm-bridge'),
  route: __('Sent to a wrong address or with a wrong method.', 'crm-bridge'),
  address: __('Sent from an address that is not allowed.', 'crm-bridge'),
  config: __('The receiver is not fully set up (see Settings).', 'crm-bridge'),
  unavailable: __('The database could not store the event; the CRM should send it again.', 'crm-bridge'),
};

/** What the receiver refused: every class with its count (zero included), then the latest requests. */
function RefusalsTable({ refusals }: { refusals: Refusals }) {
  const counted = new Map(refusals.classes.map((c) => [c.class, c]));
  const classes = [...new Set([...Object.keys(REFUSAL_CLASSES), ...counted.keys()])];
  return (
    <>
      <table className="widefat striped" data-testid="refusals">
        <caption>{__('Refused requests to the receiver, by reason', 'crm-bridge')}</caption>
        <thead>
          <tr>
            <th scope="col">{__('Reason', 'crm-bridge')}</th>
            <th scope="col">{__('Count', 'crm-bridge')}</th>
            <th scope="col">{__('Last refused', 'crm-bridge')}</th>
            <th scope="col">{__('What it means', 'crm-bridge')}</th>
          </tr>
        </thead>
        <tbody>
          {classes.map((name) => (
            <tr key={name} data-class={name}>
              <th scope="row">{name}</th>
              <td>{counted.get(name)?.count ?? 0}</td>
              <td>{counted.get(name)?.last_refused_at ?? '—'}</td>
              <td>{REFUSAL_CLASSES[name] ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {refusals.samples.length > 0 && (
        <table className="widefat striped" data-testid="refusal-samples">
          <caption>{__('Latest refusals', 'crm-bridge')}</caption>
          <thead>
            <tr>
              <th scope="col">{__('When', 'crm-bridge')}</th>
              <th scope="col">{__('Reason', 'crm-bridge')}</th>
              <th scope="col">{__('What was wrong', 'crm-bridge')}</th>
              <th scope="col">{__('From', 'crm-bridge')}</th>
            </tr>
          </thead>
          <tbody>
            {refusals.samples.map((s, i) => (
              <tr key={`${s.at}-${i}`}>
                <td>{s.at}</td>
                <td>{s.class}</td>
                <td>{s.message}</td>
                <td>{s.ip}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
