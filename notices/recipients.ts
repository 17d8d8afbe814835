// Who a notice goes to, and by which channel. A person gets ONE channel: the messenger bot where they
// have a messenger account, else e-mail, else SMS (the dearest). Approvers of a school are its admins
// and, for a class, its class teacher (R-J4); an authority is an e-mail address per region (config).
import { createHash } from 'node:crypto';
import { maskEmail, maskPhone } from '../domain/contact.js';
import type { Queryable } from '../infra/postgres.js';
import type { ChannelName } from './channels.js';
import type { Notice } from './store.js';

export interface Recipient {
  /** person:<id> or authority:<hash of the address>: stable across tries, the dedupe key per notice. */
  key: string;
  channel: ChannelName;
  address: string;
  masked: string;
}

/** A recipient the hub cannot reach at all: recorded as the reason, never retried. */
export interface Unreachable {
  key: string;
  why: string;
}

interface ContactRow {
  id: string;
  phone: string | null;
  email: string | null;
  messengerUserId: string | null;
}

export function authorityEmails(spec: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of spec.split(';')) {
    const at = part.indexOf('=');
    if (at < 1) continue;
    const addresses = part
      .slice(at + 1)
      .split(',')
      .map((a) => a.trim().toLowerCase())
      .filter(Boolean);
    if (addresses.length) map.set(part.slice(0, at).trim(), addresses);
  }
  return map;
}

/** The person's messenger account: their own, else the one a live journal link recorded. */
const MESSENGER_ACCOUNT = `coalesce(p.messenger_user_id,
  (SELECT l.messenger_user_id FROM journal_links l WHERE l.person_id = p.id AND l.unlinked_at IS NULL ORDER BY l.linked_at DESC LIMIT 1))`;

export class RecipientResolver {
  constructor(
    private readonly db: Queryable,
    private readonly available: ReadonlySet<ChannelName>,
    private readonly authorities: Map<string, string[]>,
  ) {}

  async resolve(n: Notice): Promise<{ reach: Recipient[]; unreachable: Unreachable[] }> {
    if (n.recipientKind === 'authority') return this.authority(n.recipientId);
    const people = n.recipientKind === 'person' ? await this.people([n.recipientId]) : await this.approvers(n.recipientId, n.payload.classId);
    if (people.length === 0) return { reach: [], unreachable: [{ key: `${n.recipientKind}:${n.recipientId}`, why: 'no-recipient' }] };
    const reach: Recipient[] = [];
    const unreachable: Unreachable[] = [];
    for (const p of people) {
      const r = this.choose(p);
      if (r) reach.push(r);
      else unreachable.push({ key: `person:${p.id}`, why: 'no-channel' });
    }
    return { reach, unreachable };
  }

  private choose(p: ContactRow): Recipient | undefined {
    const key = `person:${p.id}`;
    if (p.messengerUserId && this.available.has('messenger')) return { key, channel: 'messenger', address: p.messengerUserId, masked: `messenger:${p.messengerUserId.slice(0, 3)}***` };
    if (p.email && this.available.has('email')) return { key, channel: 'email', address: p.email, masked: maskEmail(p.email) };
    if (p.phone && this.available.has('sms')) return { key, channel: 'sms', address: p.phone, masked: maskPhone(p.phone) };
    return undefined;
  }

  private authority(region: string): { reach: Recipient[]; unreachable: Unreachable[] } {
    const addresses = this.authorities.get(region) ?? this.authorities.get('*') ?? [];
    if (addresses.length === 0) return { reach: [], unreachable: [{ key: `authority:${region}`, why: 'no-recipient' }] };
    if (!this.available.has('email')) return { reach: [], unreachable: [{ key: `authority:${region}`, why: 'no-channel' }] };
    return {
      reach: addresses.map((a) => ({
        key: `authority:${createHash('sha256').update(a).digest('hex').slice(0, 16)}`,
        channel: 'email' as const,
        address: a,
        masked: maskEmail(a),
      })),
      unreachable: [],
    };
  }

  private async people(ids: string[]): Promise<ContactRow[]> {
    const { rows } = await this.db.query(
      `SELECT p.id::text, p.phone, p.email, ${MESSENGER_ACCOUNT} AS "messengerUserId" FROM people p WHERE p.id::text = ANY($1::text[]) ORDER BY 1`,
      [ids],
    );
    return rows as ContactRow[];
  }

  private async approvers(schoolId: string, classId: unknown): Promise<ContactRow[]> {
    const { rows } = await this.db.query(
      `SELECT DISTINCT p.id::text, p.phone, p.email, ${MESSENGER_ACCOUNT} AS "messengerUserId"
         FROM school_roles r JOIN people p ON p.id = r.person_id
        WHERE r.school_id::text = $1
          AND (r.role = 'admin' OR (r.role = 'class_teacher' AND $2::text IS NOT NULL AND r.class_id::text = $2))
        ORDER BY 1`,
      [schoolId, typeof classId === 'string' ? classId : null],
    );
    return rows as ContactRow[];
  }
}
