import type { Queryable } from '../db.ts';
import { EVENT_COLUMNS, eventValues, type NewEvent } from './events.ts';

export interface TicketRow {
  id: number;
  ticket_sealed: string;
  create_time: Date;
  received_at: Date;
}

/** How many tickets are kept; older ones are pruned on insert. */
const KEEP = 10;

/**
 * The ticket kept and the older ones pruned, in one statement. The DELETE sees the table as it
 * was before the INSERT (one snapshot for the whole statement), so it keeps KEEP - 1 old ones.
 * `$from` is the number of the first of the three parameters; `ifRow` makes both depend on a row
 * of the named CTE.
 */
const keepTicket = (from: number, ifRow?: string) => `
  kept AS (
    INSERT INTO tickets (ticket_sealed, create_time, received_at)
    SELECT $${from}::text, $${from + 1}::timestamptz, $${from + 2}::timestamptz
    ${ifRow ? `FROM ${ifRow}` : ''}
  ), pruned AS (
    DELETE FROM tickets
    WHERE ${ifRow ? `EXISTS (SELECT 1 FROM ${ifRow}) AND ` : ''}id <= (
      SELECT id FROM tickets ORDER BY id DESC OFFSET ${KEEP - 1} LIMIT 1)
  )`;

/**
 * The component_verify_ticket push: its event stored (unless its dedupe key is known), and then
 * its ticket kept, in one statement and so one round trip and one transaction. Answers the
 * event's id, or null for a replay (which keeps nothing).
 */
export async function insertTicketPush(
  db: Queryable,
  event: NewEvent,
  ticketSealed: string,
  createTime: Date,
): Promise<number | null> {
  const n = EVENT_COLUMNS.length;
  const res = await db.query<{ id: number }>(
    `WITH ev AS (
       INSERT INTO events (${EVENT_COLUMNS.join(', ')})
       VALUES (${EVENT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
     ), ${keepTicket(n + 1, 'ev')}
     SELECT id FROM ev`,
    [...eventValues(event), ticketSealed, createTime, event.receivedAt],
  );
  return res.rows[0]?.id ?? null;
}

export function createTicketQueries(db: Queryable) {
  return {
    async insert(ticketSealed: string, createTime: Date, receivedAt: Date): Promise<void> {
      await db.query(`WITH ${keepTicket(1)} SELECT 1`, [ticketSealed, createTime, receivedAt]);
    },

    /** Newest first, only those received after `since`. */
    async findRecent(since: Date, limit = 3): Promise<TicketRow[]> {
      const res = await db.query<TicketRow>(
        'SELECT * FROM tickets WHERE received_at > $1 ORDER BY id DESC LIMIT $2',
        [since, limit],
      );
      return res.rows;
    },

    async findLatest(): Promise<TicketRow | undefined> {
      const res = await db.query<TicketRow>('SELECT * FROM tickets ORDER BY id DESC LIMIT 1');
      return res.rows[0];
    },
  };
}
