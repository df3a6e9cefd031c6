// Pieces the Deliveries and Dead letters lists share: row selection for their bulk actions (a box per row
// and one for the page), the table around it, the status and outcome notices, and times in the browser's zone.
import { Notice, Spinner } from '@wordpress/components';
import { useState } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import type { ApiError } from '../../api/client';

/** A UTC time as the tables store it (Y-m-d H:i:s) in the browser's time zone; '—' for none. */
export const localTime = (utc: string | null): string => (utc ? new Date(`${utc.replace(' ', 'T')}Z`).toLocaleString() : '—');

/** The selected rows among `ids` (the page shown), with the check cells of the header and of each row. */
export function useSelection(ids: number[]) {
  const [selected, setSelected] = useState<number[]>([]);
  const allBox = (
    <td className="check-column">
      <input
        type="checkbox"
        aria-label={__('Select all', 'crm-bridge')}
        checked={ids.length > 0 && ids.every((id) => selected.includes(id))}
        onChange={(e) => setSelected(e.target.checked ? ids : [])}
      />
    </td>
  );
  const rowBox = (id: number, label: string) => (
    <td className="check-column">
      <input type="checkbox" aria-label={label} checked={selected.includes(id)} onChange={(e) => setSelected(e.target.checked ? [...selected, id] : selected.filter((s) => s !== id))} />
    </td>
  );
  return {
    selected: selected.filter((id) => ids.includes(id)),
    clear: () => setSelected([]),
    allBox,
    rowBox,
  };
}

/** A list table with a check column: the header's box, one column heading each, and a line when empty. */
export function CheckTable(props: { testId: string; caption: string; columns: string[]; allBox: JSX.Element; empty: string | null; children: JSX.Element[] }) {
  return (
    <table className="widefat striped" data-testid={props.testId}>
      <caption className="screen-reader-text">{props.caption}</caption>
      <thead>
        <tr>
          {props.allBox}
          {props.columns.map((c) => (
            <th scope="col" key={c}>
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.empty !== null && (
          <tr>
            <td colSpan={props.columns.length + 1}>{props.empty}</td>
          </tr>
        )}
        {props.children}
      </tbody>
    </table>
  );
}

/** What a bulk action came to, as a notice says it. */
export type Outcome = { status: 'info' | 'success' | 'warning' | 'error'; text: string };

/** The list's loading state, its error (load or action) and the last action's outcome. */
export function ListStatus(props: { loading: boolean; error: ApiError | null; outcome: Outcome | null; testId: string; onDismiss: () => void }) {
  return (
    <>
      {props.loading && <Spinner />}
      {props.error && (
        <Notice status="error" isDismissible={false}>
          {props.error.message}
        </Notice>
      )}
      {props.outcome && (
        <Notice status={props.outcome.status} onRemove={props.onDismiss}>
          <span data-testid={props.testId}>{props.outcome.text}</span>
        </Notice>
      )}
    </>
  );
}
