// Deliveries: every outgoing webhook with its subscription, topic, order and state, filtered by state and
// subscription, a page at a time. Opening one shows its attempts. Delivered and dead ones can be resent
// (same webhook id, through the outbox); bulk replay and discard go in batches with their progress shown.
import { Button, Card, CardBody, CardHeader, SelectControl } from '@wordpress/components';
import { Fragment, useCallback, useState } from '@wordpress/element';
import { __, _n, sprintf } from '@wordpress/i18n';
import { ApiError, DELIVERY_STATES, discardDeliveries, getDeliveries, replayDeliveries, type Delivery, type DeliveryState } from '../../api/client';
import { toApiError, useApi } from '../../components/useApi';
import { inBatches, type BatchProgress } from './batches';
import { DeliveryAttempts } from './DeliveryAttempts';
import { CheckTable, ListStatus, localTime, useSelection } from './listParts';

const PER_PAGE = 50;

const STATE_LABELS: Record<DeliveryState, string> = {
  pending: __('Pending', 'crm-bridge'),
  retrying: __('Retrying', 'crm-bridge'),
  sending: __('Sending', 'crm-bridge'),
  delivered: __('Delivered', 'crm-bridge'),
  dead: __('Dead', 'crm-bridge'),
};

/** The queue status a delivery is replayed from, or null when it is still on its way. */
const replayableFrom = (d: Delivery): 'done' | 'dead' | null => (d.state === 'delivered' ? 'done' : d.state === 'dead' ? 'dead' : null);

export function DeliveriesView() {
  const [state, setState] = useState<DeliveryState | ''>('');
  const [subscription, setSubscription] = useState('');
  const [page, setPage] = useState(1);
  const load = useCallback(
    () =>
      getDeliveries({
        state: state || undefined,
        subscription_id: subscription ? Number(subscription) : undefined,
        page,
        per_page: PER_PAGE,
      }),
    [state, subscription, page],
  );
  const { data, error, loading, reload } = useApi(load);
  const [open, setOpen] = useState<number | null>(null);
  const [progress, setProgress] = useState<{
    verb: string;
    at: BatchProgress;
  } | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const items = data?.items ?? [];
  const { selected, clear, allBox, rowBox } = useSelection(items.map((d) => d.id));
  const chosen = items.filter((d) => selected.includes(d.id));

  /** Runs a bulk action in batches, showing progress; the notice says what the server did, never more. */
  const bulk = async (verb: string, groups: [number[], (batch: number[]) => Promise<number>][], done: (affected: number) => string) => {
    setResult(null);
    setActionError(null);
    const total = groups.reduce((n, [ids]) => n + ids.length, 0);
    let affected = 0;
    let sent = 0;
    try {
      for (const [ids, send] of groups) {
        const finished = await inBatches(ids, send, (p) =>
          setProgress({
            verb,
            at: { sent: sent + p.sent, total, affected: affected + p.affected },
          }),
        );
        affected += finished.affected;
        sent += finished.sent;
      }
      setResult(done(affected));
      clear();
    } catch (err: unknown) {
      setActionError(toApiError(err));
    } finally {
      setProgress(null);
      reload();
    }
  };

  const replay = (rows: Delivery[]) => {
    const from = (status: 'done' | 'dead') => rows.filter((d) => replayableFrom(d) === status).map((d) => d.id);
    void bulk(
      __('Replaying', 'crm-bridge'),
      (['dead', 'done'] as const).map((status) => [from(status), (batch: number[]) => replayDeliveries(batch, status).then((r) => r.replayed)]),
      (n) => sprintf(_n('%d delivery queued to be sent again; its state below shows how it goes.', '%d deliveries queued to be sent again; their states below show how they go.', n, 'crm-bridge'), n),
    );
  };
  const discard = (rows: Delivery[]) => {
    const ids = rows.filter((d) => d.state === 'dead').map((d) => d.id);
    // eslint-disable-next-line no-alert
    if (ids.length === 0 || !window.confirm(sprintf(_n('Discard %d dead delivery for good?', 'Discard %d dead deliveries for good?', ids.length, 'crm-bridge'), ids.length))) return;
    void bulk(__('Discarding', 'crm-bridge'), [[ids, (batch) => discardDeliveries(batch).then((r) => r.discarded)]], (n) =>
      sprintf(_n('%d delivery discarded.', '%d deliveries discarded.', n, 'crm-bridge'), n),
    );
  };

  const pages = data ? Math.max(1, Math.ceil(data.total / PER_PAGE)) : 1;
  const filterChanged = (apply: () => void) => {
    apply();
    setPage(1);
    clear();
    setOpen(null);
  };
  return (
    <Card className="crm-bridge-card crm-bridge-deliveries">
      <CardHeader>
        <h2>{__('Deliveries', 'crm-bridge')}</h2>
      </CardHeader>
      <CardBody>
        <div className="crm-bridge-filters">
          <SelectControl
            label={__('State', 'crm-bridge')}
            value={state}
            options={[
              { value: '', label: __('Any', 'crm-bridge') },
              ...DELIVERY_STATES.map((s) => ({
                value: s,
                label: STATE_LABELS[s],
              })),
            ]}
            onChange={(v) => filterChanged(() => setState(v as DeliveryState | ''))}
            __nextHasNoMarginBottom
          />
          <SelectControl
            label={__('Subscription', 'crm-bridge')}
            value={subscription}
            options={[
              { value: '', label: __('Any', 'crm-bridge') },
              ...(data?.subscriptions ?? []).map((s) => ({
                value: String(s.id),
                label: s.name,
              })),
            ]}
            onChange={(v) => filterChanged(() => setSubscription(v))}
            __nextHasNoMarginBottom
          />
        </div>
        <div className="crm-bridge-bulk">
          <Button variant="secondary" disabled={progress !== null || !chosen.some((d) => replayableFrom(d) !== null)} onClick={() => replay(chosen)}>
            {__('Replay selected', 'crm-bridge')}
          </Button>
          <Button variant="secondary" isDestructive disabled={progress !== null || !chosen.some((d) => d.state === 'dead')} onClick={() => discard(chosen)}>
            {__('Discard selected', 'crm-bridge')}
          </Button>
          {progress && (
            <span data-testid="bulk-progress">
              <progress max={progress.at.total} value={progress.at.sent} /> {sprintf(__('%1$s: %2$d of %3$d sent', 'crm-bridge'), progress.verb, progress.at.sent, progress.at.total)}
            </span>
          )}
        </div>
        <ListStatus loading={loading} error={error ?? actionError} outcome={result === null ? null : { status: 'info', text: result }} testId="deliveries-outcome" onDismiss={() => setResult(null)} />
        <CheckTable
          testId="deliveries"
          caption={__('Outgoing webhook deliveries', 'crm-bridge')}
          columns={[
            __('Subscription', 'crm-bridge'),
            __('Topic', 'crm-bridge'),
            __('Order', 'crm-bridge'),
            __('State', 'crm-bridge'),
            __('Attempts', 'crm-bridge'),
            __('Created', 'crm-bridge'),
            __('Action', 'crm-bridge'),
          ]}
          allBox={allBox}
          empty={items.length === 0 && !loading ? __('No deliveries.', 'crm-bridge') : null}
        >
          {items.map((d) => (
            <Fragment key={d.id}>
              <tr data-testid={`delivery-${d.id}`}>
                {rowBox(d.id, sprintf(__('Select delivery %s', 'crm-bridge'), d.webhook_id))}
                <td>{d.subscription_name ?? sprintf(__('#%d (deleted)', 'crm-bridge'), d.subscription_id)}</td>
                <td>{d.topic}</td>
                <td>{d.order_id ? d.order_edit_url ? <a href={d.order_edit_url}>#{d.order_id}</a> : `#${d.order_id}` : '—'}</td>
                <td>
                  <span className={`crm-bridge-state crm-bridge-state-${d.state}`}>{STATE_LABELS[d.state]}</span>
                  {d.next_try_at && <small> {sprintf(__('next try %s', 'crm-bridge'), localTime(d.next_try_at))}</small>}
                  {d.state === 'dead' && d.last_error && <small> {d.last_error}</small>}
                </td>
                <td>{d.attempts}</td>
                <td title={`${d.created_at} UTC`}>{localTime(d.created_at)}</td>
                <td>
                  <Button variant="link" onClick={() => setOpen(open === d.id ? null : d.id)} aria-expanded={open === d.id}>
                    {open === d.id ? __('Close', 'crm-bridge') : __('Attempts', 'crm-bridge')}
                  </Button>{' '}
                  {replayableFrom(d) && (
                    <Button variant="link" disabled={progress !== null} onClick={() => replay([d])} aria-label={sprintf(__('Resend delivery %s', 'crm-bridge'), d.webhook_id)}>
                      {__('Resend', 'crm-bridge')}
                    </Button>
                  )}
                </td>
              </tr>
              {open === d.id && (
                <tr>
                  <td colSpan={8}>
                    <DeliveryAttempts id={d.id} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </CheckTable>
        <div className="crm-bridge-pager">
          <Button variant="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            {__('Previous', 'crm-bridge')}
          </Button>
          <span>{sprintf(__('Page %1$d of %2$d (%3$d deliveries)', 'crm-bridge'), page, pages, data?.total ?? 0)}</span>
          <Button variant="secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>
            {__('Next', 'crm-bridge')}
          </Button>
        </div>
      </CardBody>
    </Card>
  );
}
