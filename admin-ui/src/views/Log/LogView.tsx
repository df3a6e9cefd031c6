// The sync log: filter by order, CRM order, event, direction, decision or error class; newest first;
// "Load more" pages backwards on the server (keyset), so it stays fast on a large log.
import { Button, Card, CardBody, CardHeader, Notice, SelectControl, Spinner, TextControl } from '@wordpress/components';
import { useEffect, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { ApiError, getLog, getLogEntry, type LogDetail, type LogEntry, type LogFilter } from '../../api/client';
import { Fragment } from '@wordpress/element';
import { toApiError } from '../../components/useApi';

const DECISIONS = ['', 'accepted', 'duplicate', 'verified', 'applied', 'stale', 'refused', 'looped', 'delivered', 'retried', 'dead', 'linked', 'replayed', 'test'];

/** An event id in the page's URL (the Dead letters tab links to an event's rows) filters the log on opening. */
const fromUrl = (): LogFilter => {
  const eventId = new URLSearchParams(window.location.search).get('event_id');
  return eventId ? { event_id: eventId } : {};
};

export function LogView() {
  const [filter, setFilter] = useState<LogFilter>(fromUrl);
  const [applied, setApplied] = useState<LogFilter>(fromUrl);
  const [items, setItems] = useState<LogEntry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [open, setOpen] = useState<{ id: number; detail: LogDetail | null } | null>(null);
  const toggle = (id: number) => {
    if (open?.id === id) return setOpen(null);
    setOpen({ id, detail: null });
    getLogEntry(id)
      .then((detail) => setOpen({ id, detail }))
      .catch((err: unknown) => setError(toApiError(err)));
  };

  const load = (f: LogFilter, before?: number) => {
    setLoading(true);
    getLog(f, before)
      .then((page) => {
        setItems((prev) => (before ? [...prev, ...page.items] : page.items));
        setNext(page.next_before_id);
        setError(null);
      })
      .catch((err: unknown) => setError(toApiError(err)))
      .finally(() => setLoading(false));
  };
  useEffect(() => load(applied), [applied]);

  const input = (key: keyof LogFilter, label: string) => <TextControl label={label} value={filter[key] ?? ''} onChange={(v) => setFilter({ ...filter, [key]: v })} __nextHasNoMarginBottom />;
  return (
    <Card className="crm-bridge-card">
      <CardHeader>
        <h2>{__('Sync log', 'crm-bridge')}</h2>
      </CardHeader>
      <CardBody>
        <form
          className="crm-bridge-filters"
          onSubmit={(e) => {
            e.preventDefault();
            setApplied({ ...filter });
          }}
        >
          {input('order_id', __('Order', 'crm-bridge'))}
          {input('crm_order_id', __('CRM order', 'crm-bridge'))}
          {input('event_id', __('Event id', 'crm-bridge'))}
          <SelectControl
            label={__('Direction', 'crm-bridge')}
            value={(filter.direction ?? '') as '' | 'in' | 'out'}
            options={[
              { value: '', label: __('Both', 'crm-bridge') },
              { value: 'in', label: __('From the CRM', 'crm-bridge') },
              { value: 'out', label: __('To subscribers', 'crm-bridge') },
            ]}
            onChange={(v) => setFilter({ ...filter, direction: v })}
            __nextHasNoMarginBottom
          />
          <SelectControl label={__('Decision', 'crm-bridge')} value={filter.decision ?? ''} options={DECISIONS.map((d) => ({ value: d, label: d || __('Any', 'crm-bridge') }))} onChange={(v) => setFilter({ ...filter, decision: v })} __nextHasNoMarginBottom />
          <SelectControl
            label={__('Error class', 'crm-bridge')}
            value={(filter.error_class ?? '') as '' | 'transient' | 'permanent'}
            options={[
              { value: '', label: __('Any', 'crm-bridge') },
              { value: 'transient', label: 'transient' },
              { value: 'permanent', label: 'permanent' },
            ]}
            onChange={(v) => setFilter({ ...filter, error_class: v })}
            __nextHasNoMarginBottom
          />
          <TextControl label={__('From (UTC date)', 'crm-bridge')} type="date" value={filter.from?.slice(0, 10) ?? ''} onChange={(v) => setFilter({ ...filter, from: v ? `${v}T00:00:00Z` : '' })} __nextHasNoMarginBottom />
          <TextControl label={__('To (UTC date)', 'crm-bridge')} type="date" value={filter.to?.slice(0, 10) ?? ''} onChange={(v) => setFilter({ ...filter, to: v ? `${v}T23:59:59Z` : '' })} __nextHasNoMarginBottom />
          <Button variant="primary" type="submit">
            {__('Filter', 'crm-bridge')}
          </Button>
        </form>
        {error && <Notice status="error" isDismissible={false}>{sprintf(__('Could not load the log: %s', 'crm-bridge'), error.message)}</Notice>}
        <table className="widefat striped crm-bridge-log" data-testid="log">
          <caption className="screen-reader-text">{__('Sync log entries, newest first', 'crm-bridge')}</caption>
          <thead>
            <tr>
              <th scope="col">{__('Time (UTC)', 'crm-bridge')}</th>
              <th scope="col">{__('Decision', 'crm-bridge')}</th>
              <th scope="col">{__('Order', 'crm-bridge')}</th>
              <th scope="col">{__('CRM order', 'crm-bridge')}</th>
              <th scope="col">{__('Status', 'crm-bridge')}</th>
              <th scope="col">{__('Attempt', 'crm-bridge')}</th>
              <th scope="col">{__('Latency', 'crm-bridge')}</th>
              <th scope="col">{__('Details', 'crm-bridge')}</th>
            </tr>
          </thead>
          <tbody>
            {items.length === 0 && !loading && (
              <tr>
                <td colSpan={8}>{__('Nothing matches.', 'crm-bridge')}</td>
              </tr>
            )}
            {items.map((e) => (
              <Fragment key={e.id}>
              <tr>
                <td>{e.created_at}</td>
                <td>
                  {e.direction === 'in' ? '← ' : '→ '}
                  {e.decision}
                  {e.error_class ? ` (${e.error_class})` : ''}
                </td>
                <td>{e.order_id && e.order_edit_url ? <a href={e.order_edit_url}>#{e.order_id}</a> : ''}</td>
                <td>{e.crm_order_id ?? ''}</td>
                <td>{[e.from_status, e.to_status].filter(Boolean).join(' → ')}</td>
                <td>{e.attempt}</td>
                <td>{e.latency_ms !== null ? `${e.latency_ms} ms` : ''}</td>
                <td>
                  {e.message ?? ''}{' '}
                  <Button variant="link" onClick={() => toggle(e.id)} aria-expanded={open?.id === e.id}>
                    {open?.id === e.id ? __('Hide', 'crm-bridge') : __('Details', 'crm-bridge')}
                  </Button>
                </td>
              </tr>
              {open?.id === e.id && (
                <tr className="crm-bridge-log-detail">
                  <td colSpan={8}>
                    {!open.detail && <Spinner />}
                    {open.detail && (
                      <>
                        <h3>{__('Every decision for this event', 'crm-bridge')}</h3>
                        <ul>
                          {open.detail.attempts.map((a) => (
                            <li key={a.id}>
                              {a.created_at} — {a.decision} ({sprintf(__('attempt %d', 'crm-bridge'), a.attempt)}){a.latency_ms !== null ? `, ${a.latency_ms} ms` : ''}
                              {a.error_class ? `, ${a.error_class}` : ''}
                              {a.message ? `: ${a.message}` : ''}
                            </li>
                          ))}
                        </ul>
                        <h3>{__('Payload (secrets and personal data masked)', 'crm-bridge')}</h3>
                        <pre data-testid="log-payload">{JSON.stringify(open.detail.payload, null, 2)}</pre>
                        {open.detail.entry.detail !== null && <pre>{JSON.stringify(open.detail.entry.detail, null, 2)}</pre>}
                      </>
                    )}
                  </td>
                </tr>
              )}
              </Fragment>
            ))}
          </tbody>
        </table>
        {loading && <Spinner />}
        {next && !loading && (
          <Button variant="secondary" onClick={() => load(applied, next)}>
            {__('Load more', 'crm-bridge')}
          </Button>
        )}
      </CardBody>
    </Card>
  );
}
