import { describe, expect, it } from 'vitest';
import { DEFAULT_MASS_REMOVAL_SHARE, massChangeGuard } from '../../domain/roster/index.js';

describe('mass-change guard', () => {
  it("R-C5: a run that would remove more than 10% of a school's managed members stops for a human", () => {
    expect(DEFAULT_MASS_REMOVAL_SHARE).toBe(0.1);
    const v = massChangeGuard([
      { schoolId: 'calm', removes: 10, managedMembers: 100 },
      { schoolId: 'emptied', removes: 90, managedMembers: 100 },
    ]);
    expect(v.mustConfirm).toBe(true);
    expect(v.over.map((o) => o.schoolId)).toEqual(['emptied']);
    expect(v.over[0]?.share).toBeCloseTo(0.9);
  });

  it('R-C5: exactly the threshold passes; a custom threshold is honoured', () => {
    expect(massChangeGuard([{ schoolId: 's', removes: 10, managedMembers: 100 }]).mustConfirm).toBe(false);
    expect(
      massChangeGuard([{ schoolId: 's', removes: 10, managedMembers: 100 }], { threshold: 0.05 }).mustConfirm,
    ).toBe(true);
  });

  it('R-C7: removals in a school where the hub manages nobody yet (strict mode, first run) always ask', () => {
    expect(massChangeGuard([{ schoolId: 's', removes: 1, managedMembers: 0 }]).mustConfirm).toBe(true);
    expect(massChangeGuard([{ schoolId: 's', removes: 0, managedMembers: 0 }]).mustConfirm).toBe(false);
  });
});
