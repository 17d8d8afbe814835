import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyDiff,
  diffChat,
  difference,
  intersection,
  linksFromMap,
  planChat,
  sortedUnique,
  union,
} from '../../domain/roster/index.js';

describe('membership diff for one chat', () => {
  it('R-C5: a newly desired member is added, a no-longer desired managed member is removed', () => {
    const d = diffChat({ desired: ['u1', 'u3'], managed: ['u1', 'u2'], actual: ['u1', 'u2'] });
    expect(d).toMatchObject({ adds: ['u3'], removes: ['u2'], nextManaged: ['u1', 'u3'] });
  });

  it('R-C7: a member added by hand is never removed, and is reported as kept', () => {
    const d = diffChat({ desired: ['u1'], managed: ['u1'], actual: ['u1', 'teacher-friend'] });
    expect(d.removes).toEqual([]);
    expect(d.handAddedKept).toEqual(['teacher-friend']);
    expect(d.nextManaged).toEqual(['u1']);
  });

  it('R-C7: in strict mode hand-added members are removed, but never protected ones (the bot)', () => {
    const d = diffChat({
      desired: ['u1'],
      managed: ['u1'],
      actual: ['bot', 'teacher-friend', 'u1'],
      strict: true,
      protectedIds: ['bot'],
    });
    expect(d.removes).toEqual(['teacher-friend']);
    expect(d.handAddedKept).toEqual(['bot']);
  });

  it('R-C7: someone already present by hand who becomes desired is not re-added and does not become hub-owned', () => {
    const d = diffChat({ desired: ['u1', 'u2'], managed: ['u1'], actual: ['u1', 'u2'] });
    expect(d.adds).toEqual([]);
    expect(d.nextManaged).toEqual(['u1']);
  });

  it('R-C5: a managed member removed by hand while still desired is added back (level-triggered)', () => {
    const d = diffChat({ desired: ['u1', 'u2'], managed: ['u1', 'u2'], actual: ['u1'] });
    expect(d.adds).toEqual(['u2']);
    expect(d.nextManaged).toEqual(['u1', 'u2']);
  });

  it('R-C7: a managed member who already left and is no longer desired needs no call and is no longer owned', () => {
    const d = diffChat({ desired: [], managed: ['u1'], actual: [] });
    expect(d).toMatchObject({ adds: [], removes: [], nextManaged: [] });
  });

  it('R-C5: without a fresh member list the hub trusts its own record', () => {
    const d = diffChat({ desired: ['u2'], managed: ['u1'] });
    expect(d).toMatchObject({ adds: ['u2'], removes: ['u1'], nextManaged: ['u2'] });
  });

  it('R-C6: unlinked people are pending, not added; linking them adds them on the next run (R-L2)', () => {
    const links = new Map([['p-anna', 'u-anna']]);
    const first = planChat({
      personIds: ['p-anna', 'p-boris'],
      linkOf: linksFromMap(links),
      managed: [],
      actual: [],
    });
    expect(first).toMatchObject({ adds: ['u-anna'], pending: ['p-boris'] });
    links.set('p-boris', 'u-boris');
    const second = planChat({
      personIds: ['p-anna', 'p-boris'],
      linkOf: linksFromMap(links),
      managed: first.nextManaged,
      actual: applyDiff([], first),
    });
    expect(second).toMatchObject({ adds: ['u-boris'], removes: [], pending: [] });
  });

  it('R-C6: one person holding two roles linked to one account is one member', () => {
    const plan = planChat({
      personIds: ['p-as-parent', 'p-as-teacher'],
      linkOf: () => 'u-same',
      managed: [],
      actual: [],
    });
    expect(plan.adds).toEqual(['u-same']);
  });

  const ids = fc.uniqueArray(
    fc.constantFrom(...Array.from({ length: 30 }, (_, i) => `u${String(i).padStart(2, '0')}`)),
  );
  const state = fc.record({ desired: ids, managed: ids, actual: ids, handOnly: ids, strict: fc.boolean() });

  it('R-C7 property: applying the diff yields desired on managed members and leaves hand-added ones', () => {
    fc.assert(
      fc.property(state, ({ desired: d0, managed: m0, actual: a0, handOnly, strict }) => {
        const desired = sortedUnique(d0);
        const actual = sortedUnique([...a0, ...handOnly]);
        // The hub can only own what it could have put there: managed ⊆ actual ∪ (left since).
        const managed = difference(sortedUnique(m0), handOnly);
        const handAdded = difference(actual, managed);
        const d = diffChat({ desired, managed, actual, strict });
        const after = applyDiff(actual, d);
        // Everyone desired is present afterwards.
        expect(difference(desired, after)).toEqual([]);
        // Only undesired members are removed; only desired ones are added.
        expect(difference(d.removes, actual)).toEqual([]);
        expect(intersection(d.removes, desired)).toEqual([]);
        expect(difference(d.adds, desired)).toEqual([]);
        if (strict) {
          expect(after).toEqual(desired);
        } else {
          // Hand-added members all stay; nothing managed and undesired remains.
          expect(difference(handAdded, after)).toEqual([]);
          expect(intersection(difference(after, desired), managed)).toEqual([]);
        }
        // The new record owns only what is present, and owns everything the hub added.
        expect(difference(d.nextManaged, after)).toEqual([]);
        expect(difference(d.adds, d.nextManaged)).toEqual([]);
        // A second run over the result changes nothing (idempotent).
        const again = diffChat({ desired, managed: d.nextManaged, actual: after, strict });
        expect(again.adds).toEqual([]);
        expect(again.removes).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('sorted set operations agree with Set semantics', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), fc.array(fc.string()), (a0, b0) => {
        const a = sortedUnique(a0);
        const b = sortedUnique(b0);
        const sa = new Set(a);
        const sb = new Set(b);
        expect(difference(a, b)).toEqual(a.filter((x) => !sb.has(x)));
        expect(intersection(a, b)).toEqual(a.filter((x) => sb.has(x)));
        expect(union(a, b)).toEqual(sortedUnique([...sa, ...sb]));
      }),
    );
  });

  it('R-C5: one chat of 1,000,000 members diffs in linear time', () => {
    const n = 1_000_000;
    const actual = sortedUnique(Array.from({ length: n }, (_, i) => `user-${i}`));
    const desired = actual
      .filter((_, i) => i % 100 !== 0)
      .concat(['user-new-1', 'user-new-2'])
      .sort();
    const started = performance.now();
    const d = diffChat({ desired, managed: actual, actual });
    const ms = performance.now() - started;
    expect(d.adds).toEqual(['user-new-1', 'user-new-2']);
    expect(d.removes).toHaveLength(n / 100);
    expect(ms).toBeLessThan(2_000);
  });
});
