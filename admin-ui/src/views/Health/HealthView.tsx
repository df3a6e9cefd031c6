// Health: is a sidecar online, which versions run, is WooCommerce there, what the receiver refused.
import { Card, CardBody, CardHeader, Notice, Spinner, Button, __experimentalText as Text } from '@wordpress/components';
import { Fragment, useCallback, useEffect, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { ApiError, getHealth, type Health, type Refusals } from '../../api/client';

export function HealthView() {
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);

  const load = useCallback(() => {
    setLoading(true);
    getHealth()
      .then((h) => {
        setHealth(h);
        setError(null);
      })
      .catch((err: unknown) => setError(err instanceof ApiError ? err : new ApiError('unknown', String(err))))
      .finally(() => setLoading(false));
  }, []);

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
                    __('%1$s: %2$d finished, success %3$s, p95 %4$s, %5$d retries.', 'crm-bridge'),
                    w === 'last_hour' ? __('Last hour', 'crm-bridge') : __('Last day', 'crm-bridge'),
                    health[w].finished,
                    health[w].success_rate === null ? '—' : `${(health[w].success_rate * 100).toFixed(1)}%`,
                    health[w].p95_latency_ms === null ? '—' : `${health[w].p95_latency_ms} ms`,
                    health[w].retries,
                  )}{' '}
                </span>
              ))}
            </p>
            <Throughput series={health.throughput} />
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

/** Finished events per 5 minutes over the last hour, as bars; the numbers are in the title of each. */
function Throughput({ series }: { series: { at: string; count: number }[] }) {
  const max = Math.max(1, ...series.map((p) => p.count));
  return (
    <figure className="crm-bridge-throughput">
      <svg viewBox={`0 0 ${series.length * 12} 40`} width="100%" height="60" role="img" aria-label={__('Finished events per 5 minutes, last hour', 'crm-bridge')} preserveAspectRatio="none">
        {series.map((p, i) => (
          <rect key={p.at} x={i * 12 + 1} y={40 - (p.count / max) * 38} width={10} height={(p.count / max) * 38} fill="#2271b1">
            <title>{`${p.at}: ${p.count}`}</title>
          </rect>
        ))}
      </svg>
      <figcaption>{__('Finished events per 5 minutes, last hour', 'crm-bridge')}</figcaption>
    </figure>
  );
}

/** What the receiver refused: counters by class, then the latest requests (what was wrong, when, from where). */
function RefusalsTable({ refusals }: { refusals: Refusals }) {
  return (
    <>
      <table className="widefat striped" data-testid="refusals">
        <caption>{__('Refused requests to the receiver', 'crm-bridge')}</caption>
        <thead>
          <tr>
            <th scope="col">{__('Reason', 'crm-bridge')}</th>
            <th scope="col">{__('Count', 'crm-bridge')}</th>
            <th scope="col">{__('Last refused', 'crm-bridge')}</th>
          </tr>
        </thead>
        <tbody>
          {refusals.classes.length === 0 && (
            <tr>
              <td colSpan={3}>{__('Nothing refused.', 'crm-bridge')}</td>
            </tr>
          )}
          {refusals.classes.map((c) => (
            <tr key={c.class}>
              <th scope="row">{c.class}</th>
              <td>{c.count}</td>
              <td>{c.last_refused_at ?? '—'}</td>
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
