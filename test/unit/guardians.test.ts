import { describe, expect, it } from 'vitest';
import { maskName, refuseParent, refuseParentPlace } from '../../domain/guardians.js';

const child = { childId: 'child', phoneHash: 'h-child' };
const parent = (id: string, phoneHash: string | null = `h-${id}`) => ({ parentId: id, phoneHash });

describe('who may become a parent (R-G3..R-G5)', () => {
  it('R-G5: the child is never their own parent', () => {
    expect(refuseParent(child, [], parent('child', 'h-other'))).toBe('own-parent-link');
  });
  it("R-G4: the parent's phone must exist and differ from the child's", () => {
    expect(refuseParent(child, [], parent('mum', 'h-child'))).toBe('same-phone-as-child');
    expect(refuseParent(child, [], parent('mum', null))).toBe('parent-phone-required');
  });
  it('R-G3: two places; a parent already holding one is not refused or counted twice', () => {
    expect(refuseParent(child, ['mum'], parent('dad'))).toBeNull();
    expect(refuseParent(child, ['mum', 'dad'], parent('aunt'))).toBe('third-parent');
    expect(refuseParent(child, ['mum', 'dad'], parent('mum'))).toBeNull();
  });
  it('R-G3, R-G5, issue 14: the part the workflow decides needs ids only, no phone', () => {
    expect(refuseParentPlace('child', [], 'child')).toBe('own-parent-link');
    expect(refuseParentPlace('child', ['mum', 'dad'], 'aunt')).toBe('third-parent');
    expect(refuseParentPlace('child', ['mum', 'dad'], 'dad')).toBeNull();
    expect(refuseParentPlace('child', ['mum'], 'dad')).toBeNull();
  });
  it('R-G2: the preview masks the surname', () => {
    expect(maskName('Алиса', 'Иванова')).toBe('Алиса И.');
  });
});
