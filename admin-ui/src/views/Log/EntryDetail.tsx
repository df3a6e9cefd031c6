// One log entry opened: its fields labelled in a definition list, every decision about its event,
// and the raw JSON (the row's detail and the stored event body, masked) folded below.
import { __, sprintf } from '@wordpress/i18n';
import type { LogDetail, LogRow } from '../../api/client';
import type { LocalTime } from './localTime';
import { FieldList } from '../../components/FieldList';

/** A value of the row's detail object when it is a string or a number. */
function detailValue(detail: unknown, key: string): string | null {
  if (detail === null || typeof detail !== 'object') return null;
  const value = (detail as Record<string, unknown>)[key];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

export function EntryDetail({ row, detail, localTime }: { row: LogRow; detail: LogDetail; localTime: LocalTime }) {
  const retryAt = detailValue(row.detail, 'retry_at');
  const fields: [string, string | null][] = [
    [__('Event id', 'crm-bridge'), row.event_id],
    [__('Direction', 'crm-bridge'), row.direction === 'in' ? __('From the CRM', 'crm-bridge') : __('To a subscriber', 'crm-bridge')],
    [__('Decision', 'crm-bridge'), row.decision],
    [__('Order', 'crm-bridge'), row.order_id ? `#${row.order_id}` : null],
    [__('CRM order', 'crm-bridge'), row.crm_order_id],
    [__('Subscription', 'crm-bridge'), row.subscription_name],
    [__('Topic', 'crm-bridge'), row.topic],
    [__('Attempt', 'crm-bridge'), String(row.attempt)],
    [__('Status change', 'crm-bridge'), [row.from_status, row.to_status].filter(Boolean).join(' → ') || null],
    [__('HTTP status of the answer', 'crm-bridge'), detailValue(row.detail, 'status_code')],
    [__('CRM version', 'crm-bridge'), detailValue(row.detail, 'crm_version')],
    [__('Latency', 'crm-bridge'), row.latency_ms !== null ? `${row.latency_ms} ms` : null],
    [__('Error class', 'crm-bridge'), row.error_class],
    [__('Message', 'crm-bridge'), row.message],
    [__('Next attempt', 'crm-bridge'), retryAt ? localTime(retryAt) : null],
  ];
  return (
    <div data-testid="log-entry-detail">
      <FieldList fields={fields} className="crm-bridge-log-fields" />
      <h3>{__('Every decision for this event', 'crm-bridge')}</h3>
      <ul>
        {detail.attempts.map((a) => (
          <li key={a.id}>
            <span title={`${a.created_at} UTC`}>{localTime(a.created_at)}</span> — {a.decision} ({sprintf(__('attempt %d', 'crm-bridge'), a.attempt)}){a.latency_ms !== null ? `, ${a.latency_ms} ms` : ''}
            {a.error_class ? `, ${a.error_class}` : ''}
            {a.message ? `: ${a.message}` : ''}
          </li>
        ))}
      </ul>
      <details className="crm-bridge-log-raw">
        <summary>{__('Raw JSON (secrets and personal data masked)', 'crm-bridge')}</summary>
        <h4>{__('Event body', 'crm-bridge')}</h4>
        <pre data-testid="log-payload">{detail.payload === null ? __('No longer stored (the queue row was pruned).', 'crm-bridge') : JSON.stringify(detail.payload, null, 2)}</pre>
        {row.detail !== null && (
          <>
            <h4>{__('Decision detail', 'crm-bridge')}</h4>
            <pre>{JSON.stringify(row.detail, null, 2)}</pre>
          </>
        )}
      </details>
    </div>
  );
}
