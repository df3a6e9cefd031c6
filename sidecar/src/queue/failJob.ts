// Records a failed attempt and releases the row in one statement: back to pending with the next
// attempt time, or to dead letters (status dead) when retrying cannot help or attempts are used up.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { LeaseLostError } from './leaseLost.js';
import { tableOf, type QueueName } from './queues.js';

export interface Failure {
  errorClass: string;
  message: string;
  /** When to try again; null sends the event to dead letters. */
  retryAt: Date | null;
}

export async function failJob(db: Kysely<Database>, queue: QueueName, id: number, workerId: string, now: Date, failure: Failure): Promise<void> {
  const res = await db
    .updateTable(tableOf(queue))
    .set({
      status: failure.retryAt ? 'pending' : 'dead',
      run_after: failure.retryAt ?? now,
      finished_at: failure.retryAt ? null : now,
      locked_by: null,
      locked_until: null,
      last_error_class: failure.errorClass.slice(0, 32),
      last_error: failure.message.slice(0, 2000),
    })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new LeaseLostError(id);
}
