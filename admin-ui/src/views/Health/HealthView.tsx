// Health: is a sidecar online, which versions run, is WooCommerce there.
import { Card, CardBody, CardHeader, Notice, Spinner, Button, __experimentalText as Text } from '@wordpress/components';
import { useCallback, useEffect, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { ApiError, getHealth, type Health } from '../../api/client';

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
            <table className="widefat striped">
              <caption className="screen-reader-text">{__('Sidecar replicas', 'crm-bridge')}</caption>
              <thead>
                <tr>
                  <th scope="col">{__('Worker', 'crm-bridge')}</th>
                  <th scope="col">{__('Version', 'crm-bridge')}</th>
                  <th scope="col">{__('Last heartbeat', 'crm-bridge')}</th>
                  <th scope="col">{__('Status', 'crm-bridge')}</th>
                </tr>
              </thead>
              <tbody>
                {health.sidecars.length === 0 && (
                  <tr>
                    <td colSpan={4}>{__('No sidecar has reported yet.', 'crm-bridge')}</td>
                  </tr>
                )}
                {health.sidecars.map((s) => (
                  <tr key={s.worker_id}>
                    <td>{s.worker_id}</td>
                    <td>{s.version}</td>
                    <td>{s.heartbeat_at}</td>
                    <td>{s.online ? __('online', 'crm-bridge') : __('offline', 'crm-bridge')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </CardBody>
    </Card>
  );
}
