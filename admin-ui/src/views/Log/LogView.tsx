// The sync log: filter by order (3 or #3: its incoming and outgoing rows together), CRM order (by
// prefix), event, direction, decision or error class; newest first, in the site's time zone with UTC
// on hover. The filters live in the URL, so the order box and dead letters can link to a story.
// "Load more" pages backwards on the server (keyset); "Export CSV" downloads the same filtered rows.
import { Button, Card, CardBody, CardHeader, Notice, SelectControl, Spinner, TextControl } from '@wordpress/components';
import { Fragment, useEffect, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { ApiError, getLogCsv, getLogEntry, getLogPage, type LogDetail, type LogFilter, type LogRow } from '../../api/client';
import { toApiError } from '../../components/useApi';
import { localTimeIn } from './localTime';
import { EntryDetail } from './EntryDetail';
import { filterFromUrl, showFilterInUrl } from './urlFilter';

const DECISIONS = ['', 'accepted', 'duplicate', 'verified', 'applied', 'stale', 'refused', 'looped', 'delivered', 'retried', 'dead', 'linked', 'replayed', 'discarded', 'test'];
const COLUMNS = 9;

export function LogView() {
  const [filter, setFilter] = useState<LogFilter>(filterFromUrl);
  const [applied, setApplied] = useState<LogFilter>(filterFromUrl);
  const [items, setItems] = useState<LogRow[]>([]);
  const [timeZone, setTimeZone] = useState('UTC');
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [exporting, setExporting] = useState(false);
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
    getLogPage(f, before)
      .then((page) => {
        setItems((prev) => (before ? [...prev, ...page.items] : page.items));
        setNext(page.next_before_id);
        setTimeZone(page.site_timezone);
        setError(null);
      })
      .catch((err: unknown) => setError(toApiError(err)))
      .finally(() => setLoading(false));
  };
  useEffect(() => load(applied), [applied]);

  const exportCsv = () => {
    setExporting(true);
    getLogCsv(applied)
      .then(({ csv }) => {
        const link = document.createElement('a');
        link.href = URL.createObjectURL(csv);
        link.download = `crm-bridge-sync-log${applied.order_id ? `-order-${applied.order_id.replace(/\D/g, '')}` : ''}.csv`;
        link.click();
        setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      })
      .catch((err: unknown) => setError(toApiError(err)))
      .finally(() => setExporting(false));
  };

  const localTime = localTimeIn(timeZone);
  const input = (key: keyof LogFilter, label: string, help?: string) => <TextControl label={label} help={help} value={filter[key] ?? ''} onChange={(v) => setFilter({ ...filter, [key]: v })} __nextHasNoMarginBottom />;
  return (
    <Card className="crm-bridge-card">
      <CardHeader>
        <h2>{__('Sync log', 'crm-bridge')}</h2>
        <Button variant="secondary" onClick={exportCsv} isBusy={exporting} disabled={exporting}>
          {__('Export CSV', 'crm-bridge')}
        </Button>
      </CardHeader>
      <CardBody>
        <form
          className="crm-bridge-filters"
          onSubmit={(e) => {
            e.preventDefault();
            showFilterInUrl(filter);
            setApplied({ ...filter });
          }}
        >
          {input('order_id', __('Order', 'crm-bridge'), __('3 or #3: what came in and went out', 'crm-bridge'))}
          {input('crm_order_id', __('CRM order', 'crm-bridge'), __('The id or its beginning', 'crm-bridge'))}
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
              {/* translators: %s: the site's time zone, as set in Settings > General */}
              <th scope="col">{sprintf(__('Time (%s)', 'crm-bridge'), timeZone)}</th>
              <th scope="col">{__('Decision', 'crm-bridge')}</th>
              <th scope="col">{__('Order', 'crm-bridge')}</th>
              <th scope="col">{__('CRM order', 'crm-bridge')}</th>
              <th scope="col">{__('Subscription · topic', 'crm-bridge')}</th>
              <th scope="col">{__('Status', 'crm-bridge')}</th>
              <th scope="col">{__('Attempt', 'crm-bridge')}</th>
              <th scope="col">{__('Latency', 'crm-bridge')}</th>
              <th scope="col">{__('Details', 'crm-bridge')}</th>
            </tr>
          </thead>
          <tbody>
            {items.length === 0 && !loading && (
              <tr>
                <td colSpan={COLUMNS}>{__('Nothing matches.', 'crm-bridge')}</td>
              </tr>
            )}
            {items.map((e) => (
              <Fragment key={e.id}>
                <tr data-direction={e.direction} data-log-id={e.id}>
                  <td>
                    <time dateTime={`${e.created_at.replace(' ', 'T')}Z`} title={`${e.created_at} UTC`}>
                      {localTime(e.created_at)}
                    </time>
                  </td>
                  <td>
                    {e.direction === 'in' ? __('← from the CRM:', 'crm-bridge') : __('→ to a subscriber:', 'crm-bridge')} {e.decision}
                    {e.error_class ? ` (${e.error_class})` : ''}
                  </td>
                  <td>{e.order_id ? e.order_edit_url ? <a href={e.order_edit_url}>#{e.order_id}</a> : `#${e.order_id}` : ''}</td>
                  <td>{e.crm_order_id ?? ''}</td>
                  <td>{[e.direction === 'in' ? __('the CRM', 'crm-bridge') : e.subscription_name, e.topic].filter(Boolean).join(' · ')}</td>
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
                    <td colSpan={COLUMNS}>{open.detail ? <EntryDetail row={e} detail={open.detail} localTime={localTime} /> : <Spinner />}</td>
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
