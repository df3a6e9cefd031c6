// The audit trail: who changed settings, secrets and subscriptions, and who replayed or discarded
// queued work, newest first, one page at a time. Secret values never appear here.
import { Button, Card, CardBody, CardHeader, Notice, Spinner } from '@wordpress/components';
import { useCallback, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { getAudit, type AuditEntry } from '../../api/client';
import { useApi } from '../../components/useApi';

const PER_PAGE = 50;

/** "crm.timeout_ms: 2000 → 2500; retention_days: 30 → 45", or the details as JSON. */
function describe(entry: AuditEntry): string {
  const details = entry.details as { changes?: Record<string, { old: unknown; new: unknown }> } | null;
  if (details?.changes) {
    return Object.entries(details.changes)
      .map(([key, c]) => `${key}: ${JSON.stringify(c.old)} → ${JSON.stringify(c.new)}`)
      .join('; ');
  }
  return details ? JSON.stringify(details) : '';
}

export function AuditView() {
  const [page, setPage] = useState(1);
  const load = useCallback(() => getAudit(page, PER_PAGE), [page]);
  const { data, error, loading } = useApi(load);
  const pages = Math.max(1, Math.ceil((data?.total ?? 0) / PER_PAGE));
  return (
    <Card className="crm-bridge-card">
      <CardHeader>
        <h2>{__('Audit trail', 'crm-bridge')}</h2>
      </CardHeader>
      <CardBody>
        {loading && <Spinner />}
        {error && <Notice status="error" isDismissible={false}>{sprintf(__('Could not load the audit trail: %s', 'crm-bridge'), error.message)}</Notice>}
        <table className="widefat striped" data-testid="audit">
          <caption className="screen-reader-text">{__('Changes to settings, secrets and subscriptions, and replays, newest first', 'crm-bridge')}</caption>
          <thead>
            <tr>
              <th scope="col">{__('When (UTC)', 'crm-bridge')}</th>
              <th scope="col">{__('Who', 'crm-bridge')}</th>
              <th scope="col">{__('Action', 'crm-bridge')}</th>
              <th scope="col">{__('On', 'crm-bridge')}</th>
              <th scope="col">{__('Details', 'crm-bridge')}</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.length === 0 && (
              <tr>
                <td colSpan={5}>{__('Nothing recorded yet.', 'crm-bridge')}</td>
              </tr>
            )}
            {data?.items.map((e) => (
              <tr key={e.id}>
                <td>{e.created_at}</td>
                <td>{e.user_login || sprintf(__('user %d', 'crm-bridge'), e.user_id)}</td>
                <td>{e.action}</td>
                <td>{e.target ?? ''}</td>
                <td className="crm-bridge-audit-details">{describe(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          <Button variant="secondary" disabled={page <= 1 || loading} onClick={() => setPage(page - 1)}>
            {__('Newer', 'crm-bridge')}
          </Button>{' '}
          <span>{sprintf(__('Page %1$d of %2$d', 'crm-bridge'), page, pages)}</span>{' '}
          <Button variant="secondary" disabled={page >= pages || loading} onClick={() => setPage(page + 1)}>
            {__('Older', 'crm-bridge')}
          </Button>
        </p>
      </CardBody>
    </Card>
  );
}
