// Live journal links (R-L1) as the API reads them; the journal link workflow's activities write them
// (activities/journal-links.ts). History stays in the table (unlinked_at, unlink_reason).
import type { Queryable } from '../../infra/postgres.js';

export interface LiveLink {
  connectionId: string;
  connectionName: string;
  /** The connection's source kind (journal_connections.kind). */
  sourceKind: string;
  externalPersonId: string;
  personId: string;
  linkedAt: Date;
}

const columns = `l.connection_id AS "connectionId", c.name AS "connectionName", c.kind AS "sourceKind",
  l.external_person_id AS "externalPersonId", l.person_id AS "personId", l.linked_at AS "linkedAt"`;

/** A person's live links, oldest first. */
export async function liveLinksOfPerson(db: Queryable, personId: string): Promise<LiveLink[]> {
  const { rows } = await db.query(
    `SELECT ${columns} FROM journal_links l JOIN journal_connections c ON c.id = l.connection_id
      WHERE l.person_id = $1 AND l.unlinked_at IS NULL ORDER BY l.linked_at, l.id`,
    [personId],
  );
  return rows as LiveLink[];
}

/** The live link of one journal identity, whoever holds it. */
export async function liveLink(db: Queryable, connectionId: string, externalPersonId: string): Promise<LiveLink | undefined> {
  const { rows } = await db.query(
    `SELECT ${columns} FROM journal_links l JOIN journal_connections c ON c.id = l.connection_id
      WHERE l.connection_id = $1 AND l.external_person_id = $2 AND l.unlinked_at IS NULL`,
    [connectionId, externalPersonId],
  );
  return rows[0] as LiveLink | undefined;
}
