/**
 * After the feedback load: the stored state against the ledger. Ratings and likes through the API
 * (`GET /users/{id}/ratings`, which reads `ratings_by_user` and `user_likes`) and every rating
 * cell by movie straight from Cassandra (`rating_changes_by_movie`, what the audience route lays
 * over the model's raters index: a cell the run wrote must show whether it holds a rating, a cell
 * it never wrote must have no row); events from the
 * `events` table (each acknowledged one exactly once, a resent one too); each writer user's list.
 */
import type { CassandraStore } from '../../lambdas/adapters/cassandra.ts';
import { dayOf } from '../../lambdas/core/feedback/keys.ts';
import { readEvents } from '../../lambdas/services/api/feedback-store.ts';
import type { Cell, CellMismatch, EventLedger, UserLedger } from './feedback-ledger.ts';
import { checkList, emptyTally, LIST_LIMIT, note, type RunTally } from './feedback-workers.ts';
import type { LoadClient } from './http-client.ts';

export interface CellFigures {
  /** Cells this run wrote with an acknowledged write. */
  written: number;
  /** Acknowledged writes, each cell's last one and those a later acknowledged write replaced. */
  acknowledged: number;
  superseded: number;
  /** Cells whose last acknowledged write reads back as written. */
  verified: number;
  /** Cells whose last acknowledged write does not read back: a lost (or undone) write. */
  lost: number;
  /** Cells no acknowledged write of this run touched that changed anyway, and stray rows. */
  changedUnwritten: number;
}

function emptyFigures(): CellFigures {
  return { written: 0, acknowledged: 0, superseded: 0, verified: 0, lost: 0, changedUnwritten: 0 };
}

function count<T>(figures: CellFigures, cells: ReadonlyMap<number, Cell<T>>, wrong: Set<number>) {
  for (const [movieId, cell] of cells) {
    if (cell.acknowledged === 0) {
      if (wrong.has(movieId)) figures.changedUnwritten++;
      continue;
    }
    figures.written++;
    figures.acknowledged += cell.acknowledged;
    figures.superseded += cell.acknowledged - 1;
    if (wrong.has(movieId)) figures.lost++;
    else figures.verified++;
  }
  for (const movieId of wrong) if (!cells.has(movieId)) figures.changedUnwritten++;
}

export interface StateFigures {
  ratings: CellFigures;
  likes: CellFigures;
  ratingChanges: { checked: number; mismatched: number };
  examples: string[];
}

/** Each writer user's ratings and likes through the API, and their rating changes by movie from Cassandra. */
export async function verifyCells(
  client: LoadClient,
  db: CassandraStore,
  users: readonly UserLedger[],
): Promise<StateFigures> {
  const out: StateFigures = {
    ratings: emptyFigures(),
    likes: emptyFigures(),
    ratingChanges: { checked: 0, mismatched: 0 },
    examples: [],
  };
  const example = (line: string) => void (out.examples.length < 12 && out.examples.push(line));
  for (const user of users) {
    const reply = await client.send('verify', 'GET', `/users/${user.userId}/ratings?limit=1000`);
    if (reply.kind !== 'answered' || (reply.status !== 200 && reply.status !== 404)) {
      throw new Error(`verification read of user ${user.userId} failed: ${JSON.stringify(reply)}`);
    }
    const body = (reply.status === 200 ? reply.body : { items: [], likes: [] }) as {
      items: { movieId: number; rating: number }[];
      likes: { movieId: number; liked: boolean }[];
    };
    const stored = new Map(body.items.map((m) => [m.movieId, m.rating]));
    const liked = new Map(body.likes.map((l) => [l.movieId, l.liked]));
    const mismatches = user.compare(stored, liked);
    for (const m of mismatches.slice(0, 2)) example(`user ${m.userId} ${JSON.stringify(m)}`);
    const wrong = (kind: CellMismatch['kind']) =>
      new Set(mismatches.filter((m) => m.kind === kind).map((m) => m.movieId));
    count(out.ratings, user.ratings, wrong('rating'));
    count(out.likes, user.likes, wrong('like'));
  }
  const cql =
    `SELECT rated FROM ${db.table('rating_changes_by_movie')} ` +
    'WHERE movie_id = ? AND user_id = ?';
  const cells = users.flatMap((user) =>
    [...user.ratings].map(([movieId, cell]) => ({ user, movieId, cell })),
  );
  await Promise.all(
    Array.from({ length: 16 }, async (_, lane) => {
      for (let i = lane; i < cells.length; i += 16) {
        const { user, movieId, cell } = cells[i]!;
        const result = await db.execute(cql, [movieId, user.userId], { consistency: 'quorum' });
        const rated = (result.first()?.get('rated') as boolean | undefined) ?? null;
        out.ratingChanges.checked++;
        // No row: right only if no write of this run was acknowledged (one whose outcome was
        // unknown may or may not have landed).
        const fits = rated === null ? cell.acknowledged === 0 : cell.allowsPresence(rated);
        if (!fits) {
          out.ratingChanges.mismatched++;
          example(
            `rating_changes_by_movie ${movieId}/${user.userId}: rated ${rated}, expected ${cell.expected}`,
          );
        }
      }
    }),
  );
  return out;
}

export interface EventFigures {
  /** Distinct events of acknowledged batches (a resent one once). */
  acknowledged: number;
  /** Stored exactly once, with the user, movie, type, value and id sent (or assigned). */
  verified: number;
  lost: number;
  /** Events stored more than once (any event sent, acknowledged or not). */
  duplicated: number;
  /** Stored once but with other fields than sent. */
  altered: number;
  /** Rows of this run's users that no event sent explains. */
  unmatchedRows: number;
  /** The rating events the PUT route writes beside the rating, by the id it answered. */
  putEvents: { acknowledged: number; stored: number; lost: number };
  examples: string[];
}

/** `events.value` is a CQL float: what a double sent reads back as. */
const asFloat = (value: number | undefined) => (value === undefined ? null : Math.fround(value));

/** The events table against the ledger: rows of the run's users, read from every day it spans. */
export async function verifyEvents(
  db: CassandraStore,
  ledger: EventLedger,
  users: readonly UserLedger[],
  firstEventAt: number,
): Promise<EventFigures> {
  const out: EventFigures = {
    acknowledged: 0,
    verified: 0,
    lost: 0,
    duplicated: 0,
    altered: 0,
    unmatchedRows: 0,
    putEvents: { acknowledged: ledger.putEvents.size, stored: 0, lost: 0 },
    examples: [],
  };
  const example = (line: string) => void (out.examples.length < 12 && out.examples.push(line));
  const userIds = new Set(users.map((u) => u.userId));
  const days: number[] = [];
  for (let day = dayOf(firstEventAt); day <= dayOf(Date.now()); day++) days.push(day);
  const rows = (await readEvents(db, days)).filter(
    (e) => userIds.has(e.userId) && (e.at >= firstEventAt || ledger.putEvents.has(e.eventId)),
  );
  const key = (e: { at: number; userId: number; movieId: number; type: string }) =>
    `${e.at}:${e.userId}:${e.movieId}:${e.type}`;
  const byKey = new Map<string, typeof rows>();
  const putStored = new Set<string>();
  for (const row of rows) {
    const put = ledger.putEvents.get(row.eventId);
    if (put) {
      if (row.userId === put.userId && row.movieId === put.movieId && row.value === put.value) {
        putStored.add(row.eventId);
      }
      continue;
    }
    byKey.set(key(row), [...(byKey.get(key(row)) ?? []), row]);
  }
  out.putEvents.stored = putStored.size;
  out.putEvents.lost = ledger.putEvents.size - putStored.size;
  const explained = new Set<string>();
  for (const record of ledger.byTime.values()) {
    const sent = record.event;
    const k = key({ ...sent, at: sent.timestamp });
    explained.add(k);
    const stored = byKey.get(k) ?? [];
    if (stored.length > 1) {
      out.duplicated++;
      example(`event at ${sent.timestamp} stored ${stored.length} times`);
    }
    if (!record.acknowledged) continue;
    out.acknowledged++;
    const [row] = stored;
    if (!row) {
      out.lost++;
      example(`acknowledged event lost: ${JSON.stringify(sent)}`);
    } else if (row.eventId !== record.eventId || row.value !== asFloat(sent.value)) {
      out.altered++;
      example(`event stored as ${JSON.stringify(row)}, sent ${JSON.stringify(sent)}`);
    } else if (stored.length === 1) out.verified++;
  }
  for (const [k, stored] of byKey) if (!explained.has(k)) out.unmatchedRows += stored.length;
  return out;
}

/** Each writer user's list after the load: what they rated or liked left out. */
export async function verifyLists(
  client: LoadClient,
  users: readonly UserLedger[],
): Promise<RunTally> {
  const tally = emptyTally();
  for (const user of users) {
    const path = `/users/${user.userId}/recommendations?limit=${LIST_LIMIT}`;
    const reply = await client.send('verify', 'GET', path);
    if (reply.kind !== 'answered' || reply.status !== 200) {
      note(tally, `${path}: ${JSON.stringify(reply).slice(0, 200)}`);
      tally.refused++;
      continue;
    }
    if (user.certain) checkList(tally, user, reply.body, path);
  }
  return tally;
}
