// Issue 17 item 1: the claim mapping as docs/staff-sign-in.md documents it for Keycloak (realm roles
// and client roles), and the settings it refuses at start rather than at the first sign-in.
import { describe, expect, it } from 'vitest';
import { claimMapping, ClaimsNotMapped, principalFromClaims } from '../../api/staff-claims.js';

const base = {
  OIDC_ROLE_CLAIM: 'realm_access.roles',
  OIDC_ROLE_MAP: 'hub-authority=authority,hub-support=support,hub-school-admin=school_admin,hub-class-teacher=class_teacher',
  OIDC_REGION_CLAIM: 'region',
  OIDC_SCHOOLS_CLAIM: 'schools',
  OIDC_CLASSES_CLAIM: 'classes',
};
const school = '0b7c2a52-3f0e-4c1b-9d4e-5a6f7b8c9d0e';
const klass = '1c8d3b63-4a1f-4d2c-8e5f-6b7a8c9d0e1f';
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof ClaimsNotMapped) return e.code;
    throw e;
  }
  return 'admitted';
};

describe('issue 17 item 1: claims → principal (docs/staff-sign-in.md)', () => {
  it('Keycloak realm roles: default roles beside the hub role are passed over', () => {
    const m = claimMapping(base);
    const p = principalFromClaims(m, { sub: 'u1', realm_access: { roles: ['offline_access', 'uma_authorization', 'default-roles-region', 'hub-support'] } });
    expect(p).toEqual({ sub: 'u1', role: 'support', schools: [], classes: [] });
  });

  it('Keycloak client roles (resource_access.<client>.roles) and a region attribute taken as the region code', () => {
    const m = claimMapping({ ...base, OIDC_ROLE_CLAIM: 'resource_access.hub-api.roles', OIDC_ROLE_MAP: 'authority=authority,support=support' });
    const p = principalFromClaims(m, { sub: 'u2', resource_access: { 'hub-api': { roles: ['authority'] }, account: { roles: ['manage-account'] } }, region: '16' });
    expect(p).toEqual({ sub: 'u2', role: 'authority', schools: [], classes: [], region: '16' });
    // The same role name as a realm role is not a client role of hub-api.
    expect(refusal(() => principalFromClaims(m, { sub: 'u3', realm_access: { roles: ['authority'] }, region: '16' }))).toBe('staff-role-unknown');
    // Without OIDC_REGION_MAP only a two-digit code is a region.
    expect(refusal(() => principalFromClaims(m, { sub: 'u4', resource_access: { 'hub-api': { roles: ['authority'] } }, region: 'Tatarstan' }))).toBe('staff-region-unknown');
  });

  it('a school admin who also teaches a class acts as school admin; two unrelated hub roles are refused', () => {
    const m = claimMapping(base);
    const both = principalFromClaims(m, { sub: 'u5', realm_access: { roles: ['hub-school-admin', 'hub-class-teacher'] }, schools: [school], classes: [klass] });
    expect(both).toMatchObject({ role: 'school_admin', schools: [school], classes: [] });
    expect(refusal(() => principalFromClaims(m, { sub: 'u6', realm_access: { roles: ['hub-support', 'hub-authority'] }, region: '16' }))).toBe('staff-role-unknown');
  });

  it('a single-valued claim is read as a list; a claim of the wrong shape is refused', () => {
    const m = claimMapping({ ...base, OIDC_ROLE_CLAIM: 'hub_role' });
    const teacher = principalFromClaims(m, { sub: 'u7', hub_role: 'hub-class-teacher', schools: school, classes: [klass] });
    expect(teacher).toMatchObject({ role: 'class_teacher', schools: [school], classes: [klass] });
    expect(refusal(() => principalFromClaims(m, { sub: 'u8', hub_role: { admin: true } }))).toBe('staff-role-unknown');
    expect(refusal(() => principalFromClaims(m, { sub: 'u9', hub_role: 'hub-class-teacher', schools: [school], classes: ['5А'] }))).toBe('staff-schools-unknown');
  });

  it('settings that could never work are refused when the API starts, named', () => {
    expect(() => claimMapping({ ...base, OIDC_ROLE_MAP: 'citizen=person' })).toThrow(/not a staff role/);
    expect(() => claimMapping({ ...base, OIDC_ROLE_MAP: 'hub-support' })).toThrow(/not issuerValue=hubValue/);
    expect(() => claimMapping({ ...base, OIDC_ROLE_MAP: '' })).toThrow(/maps no role/);
    expect(() => claimMapping({ ...base, OIDC_REGION_MAP: 'tatarstan=Tatarstan' })).toThrow(/two-digit region code/);
  });
});
