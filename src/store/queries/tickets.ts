import type { Queryable } from '../db.ts';

export interface TicketRow {
  id: number;
  ticket_sealed: string;
  create_time: Date;
  received_at: Date;
}

/** How many tickets are kept; older ones are pruned on insert. */
const KEEP = 10;

export function createTicketQueries(db: Queryable) {
  return {
    async insert(ticketSealed: string, createTime: Date, receivedAt: Date): Promise<void> {
      await db.query(
        'INSERT INTO tickets (ticket_sealed, create_time, received_at) VALUES ($1, $2, $3)',
        [ticketSealed, createTime, receivedAt],
      );
      await db.query(
        'DELETE FROM tickets WHERE id <= (SELECT id FROM tickets ORDER BY id DESC OFFSET $1 LIMIT 1)',
        [KEEP],
      );
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
