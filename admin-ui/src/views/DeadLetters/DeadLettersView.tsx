// Dead letters: incoming events that could not be processed, with their reason; replay one, or all.
import { Button, Card, CardBody, CardHeader, Notice, Spinner } from '@wordpress/components';
import { useCallback, useState } from '@wordpress/element';
import { __, _n, sprintf } from '@wordpress/i18n';
import { ApiError, discardDeadLetters, getDeadLetters, replayDeadLetters } from '../../api/client';
import { toApiError, useApi } from '../../components/useApi';

export function DeadLettersView() {
  const load = useCallback(() => getDeadLetters(), []);
  const { data, error, loading, reload } = useApi(load);
  const [result, setResult] = useState<string | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const replay = (scope: { ids?: number[]; all?: boolean }) => {
    replayDeadLetters(scope)
      .then((r) => {
        setResult(sprintf(_n('%d event replayed.', '%d events replayed.', r.replayed, 'crm-bridge'), r.replayed));
        setActionError(null);
        reload();
      })
      .catch((err: unknown) => setActionError(toApiError(err)));
  };
  const items = data?.items ?? [];
  return (
    <Card className="crm-bridge-card">
      <CardHeader>
        <h2>{__('Dead letters', 'crm-bridge')}</h2>
        {items.length > 0 && (
          <Button
            variant="secondary"
            onClick={() => {
              // eslint-disable-next-line no-alert
              if (window.confirm(sprintf(_n('Replay %d dead letter?', 'Replay all %d dead letters?', items.length, 'crm-bridge'), items.length))) replay({ all: true });
            }}
          >
            {__('Replay all', 'crm-bridge')}
          </Button>
        )}
      </CardHeader>
      <CardBody>
        {loading && <Spinner />}
        {(error ?? actionError) && <Notice status="error" isDismissible={false}>{(error ?? actionError)!.message}</Notice>}
        {result && <Notice status="success" onRemove={() => setResult(null)}>{result}</Notice>}
        <table className="widefat striped" data-testid="dead-letters">
          <caption className="screen-reader-text">{__('Events that could not be processed', 'crm-bridge')}</caption>
          <thead>
            <tr>
              <th scope="col">{__('Event', 'crm-bridge')}</th>
              <th scope="col">{__('CRM order', 'crm-bridge')}</th>
              <th scope="col">{__('Attempts', 'crm-bridge')}</th>
              <th scope="col">{__('Reason', 'crm-bridge')}</th>
              <th scope="col">{__('Action', 'crm-bridge')}</th>
            </tr>
          </thead>
          <tbody>
            {items.length === 0 && !loading && (
              <tr>
                <td colSpan={5}>{__('No dead letters.', 'crm-bridge')}</td>
              </tr>
            )}
            {items.map((d) => (
              <tr key={d.id}>
                <td>{d.event_id}</td>
                <td>{d.crm_order_id}</td>
                <td>{d.attempts}</td>
                <td>
                  {d.last_error_class ? `${d.last_error_class}: ` : ''}
                  {d.last_error ?? ''}
                </td>
                <td>
                  <Button variant="link" onClick={() => replay({ ids: [d.id] })} aria-label={sprintf(__('Replay event %s', 'crm-bridge'), d.event_id)}>
                    {__('Replay', 'crm-bridge')}
                  </Button>{' '}
                  <Button
                    variant="link"
                    isDestructive
                    aria-label={sprintf(__('Discard event %s', 'crm-bridge'), d.event_id)}
                    onClick={() => {
                      // eslint-disable-next-line no-alert
                      if (!window.confirm(sprintf(__('Discard event %s for good?', 'crm-bridge'), d.event_id))) return;
                      discardDeadLetters([d.id])
                        .then((r) => {
                          setResult(sprintf(_n('%d event discarded.', '%d events discarded.', r.discarded, 'crm-bridge'), r.discarded));
                          setActionError(null);
                          reload();
                        })
                        .catch((err: unknown) => setActionError(toApiError(err)));
                    }}
                  >
                    {__('Discard', 'crm-bridge')}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </CardBody>
    </Card>
  );
}
