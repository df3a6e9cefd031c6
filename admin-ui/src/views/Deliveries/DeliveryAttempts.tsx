// One delivery's attempts, each labelled: the request sent (method, URL, headers; the body is the stored
// payload, shown once, masked as the log shows it), the answer (status, headers, first bytes) and the duration.
import { Notice, Spinner } from '@wordpress/components';
import { useCallback } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { getDelivery, getLogEntry, type DeliveryAttempt } from '../../api/client';
import { useApi } from '../../components/useApi';
import { localTime } from './listParts';

/** The step a failed attempt stopped at, as the sidecar records it. */
const STEPS: Record<string, string> = {
  dns: __('DNS lookup', 'crm-bridge'),
  address_refused: __('Address check (a private or reserved address is refused)', 'crm-bridge'),
  connect: __('Connection', 'crm-bridge'),
  tls: __('TLS handshake', 'crm-bridge'),
  timeout: __('Waiting for the answer (timed out)', 'crm-bridge'),
  answer: __('Reading the answer', 'crm-bridge'),
  http_status: __('HTTP status (not 2xx)', 'crm-bridge'),
  other: __('Before sending', 'crm-bridge'),
};

function Headers({ headers }: { headers: Record<string, string> }) {
  return (
    <table className="crm-bridge-headers">
      <tbody>
        {Object.entries(headers).map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>
              <code>{value}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Attempt({ attempt, n }: { attempt: DeliveryAttempt; n: number }) {
  const d = attempt.detail;
  return (
    <section className="crm-bridge-attempt" data-testid="delivery-attempt">
      <h4>
        {sprintf(__('Attempt %1$d — %2$s', 'crm-bridge'), n, attempt.decision)} <small title={`${attempt.created_at} UTC`}>{localTime(attempt.created_at)}</small>
      </h4>
      <dl>
        <dt>{__('Duration', 'crm-bridge')}</dt>
        <dd>{d.duration_ms === null ? '—' : sprintf(__('%d ms', 'crm-bridge'), d.duration_ms)}</dd>
        {d.failure && (
          <>
            <dt>{__('Failed at', 'crm-bridge')}</dt>
            <dd>
              {STEPS[d.failure.step] ?? d.failure.step} — {attempt.message ?? d.failure.code}
            </dd>
          </>
        )}
        {d.retry_at && (
          <>
            <dt>{__('Next try', 'crm-bridge')}</dt>
            <dd>{new Date(d.retry_at).toLocaleString()}</dd>
          </>
        )}
      </dl>
      <h5>{__('Request', 'crm-bridge')}</h5>
      {d.request ? (
        <>
          <p>
            <code>
              {d.request.method} {d.request.url}
            </code>
          </p>
          <Headers headers={d.request.headers} />
        </>
      ) : (
        <p>{__('Nothing was sent.', 'crm-bridge')}</p>
      )}
      <h5>{__('Answer', 'crm-bridge')}</h5>
      {d.answer ? (
        <>
          <p>
            {__('Status', 'crm-bridge')} <strong data-testid="answer-status">{d.answer.status}</strong>
          </p>
          <Headers headers={d.answer.headers} />
          <p>
            {__('First bytes', 'crm-bridge')}
            {d.answer.truncated && <em> {__('(cut: only the first 2 KiB are kept)', 'crm-bridge')}</em>}
          </p>
          <pre>{d.response ?? ''}</pre>
        </>
      ) : (
        <p>{__('No answer.', 'crm-bridge')}</p>
      )}
    </section>
  );
}

export function DeliveryAttempts({ id }: { id: number }) {
  const load = useCallback(async () => {
    const found = await getDelivery(id);
    // Every attempt sends the stored payload unchanged: read it once, masked, through the log entry.
    const first = found.attempts[0];
    const payload = first ? (await getLogEntry(first.id)).payload : null;
    return { ...found, payload };
  }, [id]);
  const { data, error, loading } = useApi(load);
  if (loading && !data) return <Spinner />;
  if (error)
    return (
      <Notice status="error" isDismissible={false}>
        {error.message}
      </Notice>
    );
  if (!data) return null;
  return (
    <div className="crm-bridge-delivery-detail" data-testid="delivery-detail">
      <p>
        {__('Webhook id', 'crm-bridge')} <code>{data.delivery.webhook_id}</code>
      </p>
      {data.attempts.length === 0 && <p>{__('Not tried yet.', 'crm-bridge')}</p>}
      {data.payload !== null && (
        <>
          <h5>{__('Request body (sent unchanged at every attempt)', 'crm-bridge')}</h5>
          <pre data-testid="delivery-body">{JSON.stringify(data.payload, null, 2)}</pre>
        </>
      )}
      {data.attempts.map((a, i) => (
        <Attempt key={a.id} attempt={a} n={i + 1} />
      ))}
    </div>
  );
}
