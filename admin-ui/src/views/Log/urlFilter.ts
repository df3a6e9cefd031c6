// The log's filters in the page's URL (order=3, crm_order=, event=, direction=, decision=,
// error_class=, from=, to=), so that a link opens one order's or one event's story.
import type { LogFilter } from '../../api/client';

const PARAMS: Record<string, keyof LogFilter> = {
  order: 'order_id',
  crm_order: 'crm_order_id',
  event: 'event_id',
  direction: 'direction',
  decision: 'decision',
  error_class: 'error_class',
  from: 'from',
  to: 'to',
};

/** The filters the URL names. */
export function filterFromUrl(): LogFilter {
  const search = new URLSearchParams(window.location.search);
  const filter: LogFilter = {};
  for (const [param, key] of Object.entries(PARAMS)) {
    const value = search.get(param);
    if (value) filter[key] = value;
  }
  return filter;
}

/** Writes the filters into the URL (the page and tab stay), without a reload or a history entry. */
export function showFilterInUrl(filter: LogFilter): void {
  const url = new URL(window.location.href);
  for (const [param, key] of Object.entries(PARAMS)) {
    const value = filter[key];
    if (value) url.searchParams.set(param, value);
    else url.searchParams.delete(param);
  }
  window.history.replaceState(window.history.state, '', url);
}
