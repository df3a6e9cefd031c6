// Dead letters: incoming events that could not be processed, with their dates, reason and a link to their
// log rows; replay or discard one, the selected ones (in batches) or all. A replay says how many were
// queued, then follows them until the sidecar has handled them and says which failed again.
import { Button, Card, CardBody, CardHeader } from '@wordpress/components';
import { useCallback, useState } from '@wordpress/element';
import { __, _n, sprintf } from '@wordpress/i18n';
import { ApiError, discardDeadLetters, getDeadLettersWatching, replayDeadLetters, type WatchedRow } from '../../api/client';
import { toApiError, useApi } from '../../components/useApi';
import { inBatches } from '../Deliveries/batches';
import { CheckTable, ListStatus, localTime, useSelection, type Outcome } from '../Deliveries/listParts';

/** How often, and how many times, the fate of replayed events is asked for before the screen stops waiting. */
const WATCH_EVERY_MS = 2000;
const WATCH_POLLS = 60;

/** What a replay says once the server has queued the events again. */
const queued = (n: number): string =>
  sprintf(_n('%d event queued for another try; waiting for the sidecar to handle it…', '%d events queued for another try; waiting for the sidecar to handle them…', n, 'crm-bridge'), n);

/** The Sync log tab filtered to one event's rows. */
function logUrl(eventId: string): string {
  const url = new URL(window.location.href);
  url.search = new URLSearchParams({
    page: 'crm-bridge',
    tab: 'log',
    event: eventId,
  }).toString();
  return url.toString();
}

/**
 * What became of replayed events, once every one is handled: processed (done, or gone from the queue)
 * or dead again. Null while any is still waiting or being processed (retries included).
 */
export function replayFate(asked: number, watched: WatchedRow[]): Outcome | null {
  if (watched.some((w) => w.status === 'pending' || w.status === 'running')) return null;
  const failed = watched.filter((w) => w.status === 'dead');
  if (failed.length === 0)
    return {
      status: 'success',
      text: sprintf(_n('The replayed event was processed.', 'All %d replayed events were processed.', asked, 'crm-bridge'), asked),
    };
  const reason = failed[0]!.last_error ?? '';
  return {
    status: 'error',
    text: sprintf(_n('%1$d of %2$d replayed events failed again: %3$s', '%1$d of %2$d replayed events failed again; the first: %3$s', failed.length, 'crm-bridge'), failed.length, asked, reason),
  };
}

export function DeadLettersView() {
  const load = useCallback(() => getDeadLettersWatching([]), []);
  const { data, error, loading, reload } = useApi(load);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const items = data?.items ?? [];
  const { selected, clear, allBox, rowBox } = useSelection(items.map((d) => d.id));

  /** Polls the replayed rows until each is handled, then says what became of them and lists again
   * those that failed again (they left the list when they were queued). */
  const follow = async (ids: number[]) => {
    for (let poll = 0; poll < WATCH_POLLS; poll++) {
      await new Promise((resolve) => setTimeout(resolve, WATCH_EVERY_MS));
      const fate = replayFate(ids.length, (await getDeadLettersWatching(ids)).watched);
      if (fate) {
        reload();
        return setOutcome(fate);
      }
    }
    setOutcome({
      status: 'warning',
      text: __('The replayed events are not handled yet: is the sidecar online? Their fate shows here and in the Sync log once it is.', 'crm-bridge'),
    });
  };

  const act = async (run: () => Promise<void>) => {
    setBusy(true);
    setActionError(null);
    setOutcome(null);
    try {
      await run();
      clear();
    } catch (err: unknown) {
      setActionError(toApiError(err));
    } finally {
      setBusy(false);
      reload();
    }
  };

  const replay = (ids: number[]) =>
    act(async () => {
      const done = await inBatches(
        ids,
        (batch) => replayDeadLetters({ ids: batch }).then((r) => r.replayed),
        (p) =>
          setOutcome({
            status: 'info',
            text: sprintf(__('Replaying: %1$d of %2$d sent…', 'crm-bridge'), p.sent, p.total),
          }),
      );
      setOutcome({
        status: 'info',
        text: queued(done.affected),
      });
      reload();
      void follow(ids).catch((err: unknown) => setActionError(toApiError(err)));
    });
  // Every dead letter in one request (the server selects them, beyond the page shown); the ones shown are followed.
  const replayAll = (shown: number[]) =>
    act(async () => {
      const done = await replayDeadLetters({ all: true });
      setOutcome({
        status: 'info',
        text: queued(done.replayed),
      });
      reload();
      void follow(shown).catch((err: unknown) => setActionError(toApiError(err)));
    });
  const discard = (ids: number[]) => {
    // eslint-disable-next-line no-alert
    if (!window.confirm(sprintf(_n('Discard %d dead letter for good?', 'Discard %d dead letters for good?', ids.length, 'crm-bridge'), ids.length))) return;
    void act(async () => {
      const done = await inBatches(
        ids,
        (batch) => discardDeadLetters(batch).then((r) => r.discarded),
        () => undefined,
      );
      setOutcome({
        status: 'success',
        text: sprintf(_n('%d event discarded.', '%d events discarded.', done.affected, 'crm-bridge'), done.affected),
      });
    });
  };

  return (
    <Card className="crm-bridge-card">
      <CardHeader>
        <h2>{__('Dead letters', 'crm-bridge')}</h2>
      </CardHeader>
      <CardBody>
        <div className="crm-bridge-bulk">
          <Button variant="secondary" disabled={busy || selected.length === 0} onClick={() => void replay(selected)}>
            {__('Replay selected', 'crm-bridge')}
          </Button>
          <Button variant="secondary" isDestructive disabled={busy || selected.length === 0} onClick={() => discard(selected)}>
            {__('Discard selected', 'crm-bridge')}
          </Button>
          <Button
            variant="secondary"
            disabled={busy || items.length === 0}
            onClick={() => {
              // eslint-disable-next-line no-alert
              if (window.confirm(__('Replay every dead letter, including those beyond this page?', 'crm-bridge'))) void replayAll(items.map((d) => d.id));
            }}
          >
            {__('Replay all', 'crm-bridge')}
          </Button>
        </div>
        <ListStatus loading={loading} error={error ?? actionError} outcome={outcome} testId="dead-letters-outcome" onDismiss={() => setOutcome(null)} />
        <CheckTable
          testId="dead-letters"
          caption={__('Events that could not be processed', 'crm-bridge')}
          columns={[
            __('Event', 'crm-bridge'),
            __('CRM order', 'crm-bridge'),
            __('Received', 'crm-bridge'),
            __('Given up', 'crm-bridge'),
            __('Attempts', 'crm-bridge'),
            __('Reason', 'crm-bridge'),
            __('Action', 'crm-bridge'),
          ]}
          allBox={allBox}
          empty={items.length === 0 && !loading ? __('No dead letters.', 'crm-bridge') : null}
        >
          {items.map((d) => (
            <tr key={d.id}>
              {rowBox(d.id, sprintf(__('Select event %s', 'crm-bridge'), d.event_id))}
              <td>
                <a href={logUrl(d.event_id)} title={__('Its rows in the Sync log', 'crm-bridge')}>
                  {d.event_id}
                </a>
              </td>
              <td>{d.crm_order_id}</td>
              <td title={`${d.received_at} UTC`}>{localTime(d.received_at)}</td>
              <td title={d.finished_at ? `${d.finished_at} UTC` : undefined}>{localTime(d.finished_at)}</td>
              <td>{d.attempts}</td>
              <td>
                {d.last_error_class ? `${d.last_error_class}: ` : ''}
                {d.last_error ?? ''}
              </td>
              <td>
                <Button variant="link" disabled={busy} onClick={() => void replay([d.id])} aria-label={sprintf(__('Replay event %s', 'crm-bridge'), d.event_id)}>
                  {__('Replay', 'crm-bridge')}
                </Button>{' '}
                <Button variant="link" isDestructive disabled={busy} aria-label={sprintf(__('Discard event %s', 'crm-bridge'), d.event_id)} onClick={() => discard([d.id])}>
                  {__('Discard', 'crm-bridge')}
                </Button>
              </td>
            </tr>
          ))}
        </CheckTable>
      </CardBody>
    </Card>
  );
}
