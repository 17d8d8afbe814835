// Issue 17 item 8, R-G3: the database itself refuses a third confirmed parent, whatever a workflow does.
// The activity that confirms a parent is called straight (as a workflow with a broken validator, or a
// replayed old workflow version, would call it): three parents at once, exactly two kept.
import { describe, expect, it } from 'vitest';
import { guardianActivities } from '../../activities/guardians.js';
import type { ActivityDeps } from '../../activities/deps.js';
import { parentsOf } from '../../db/repositories/guardians.js';
import { useTestDb } from '../helpers/db.js';
import { birthDateForAge, seedPerson } from '../helpers/seed.js';

const db = useTestDb();
const consent = { version: 'test-v1', textHash: 'a'.repeat(64) };

describe('R-G3 in the database', () => {
  it('three parents confirming one child at the same moment: two are kept, the third is refused and leaves nothing', async () => {
    const acts = guardianActivities({ pool: db.pool } as unknown as ActivityDeps);
    const { person: child } = await seedPerson(db.pool, { birthDate: birthDateForAge(10) });
    const parents = await Promise.all([0, 1, 2].map(() => seedPerson(db.pool)));
    const results = await Promise.allSettled(
      parents.map(({ person }) => acts.confirmGuardian({ childId: child.id, parentId: person.id, consent, corrections: {} })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toMatchObject({ type: 'third-parent', nonRetryable: true });
    const kept = await parentsOf(db.pool, child.id);
    expect(kept).toHaveLength(2);
    const { rows } = await db.pool.query(`SELECT parent_id FROM consents WHERE child_id = $1`, [child.id]);
    expect(rows.map((r: { parent_id: string }) => r.parent_id).sort()).toEqual([...kept].sort());
  });

  it('a parent who already confirmed confirms again without being counted twice', async () => {
    const acts = guardianActivities({ pool: db.pool } as unknown as ActivityDeps);
    const { person: child } = await seedPerson(db.pool, { birthDate: birthDateForAge(9) });
    const [a, b] = await Promise.all([seedPerson(db.pool), seedPerson(db.pool)]);
    await acts.confirmGuardian({ childId: child.id, parentId: a.person.id, consent, corrections: {} });
    await acts.confirmGuardian({ childId: child.id, parentId: b.person.id, consent, corrections: {} });
    await expect(acts.confirmGuardian({ childId: child.id, parentId: a.person.id, consent, corrections: {} })).resolves.toBeUndefined();
    expect(await parentsOf(db.pool, child.id)).toHaveLength(2);
  });
});
