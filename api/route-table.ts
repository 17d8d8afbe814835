// Every route of the app, who may call it, and its schemas. api/access.ts enforces the `access`
// column, api/openapi.ts publishes the table, and test/integration/access-control.test.ts checks
// that the express app has exactly these routes. A new route starts here.
import { z } from 'zod';
import type { Role } from './auth.js';
import type { RouteSpec } from './access.js';
import { actionBody as inviteActionBody, createInviteBody, inviteIdParams, schoolParams, tokenParams } from './schemas/invites.js';
import {
  acceptAsParentBody,
  createApplicationBody,
  decisionBody,
  idParams,
  page,
  parentTokenParams,
  schoolApplicationsQuery,
  schoolIdParams,
  schoolRequestBody,
  schoolsQuery,
  settlementsQuery,
} from './schemas/joining.js';
import { connectionParams, createConnectionBody, decisionBody as runDecisionBody, runParams, syncBody, uploadQuery } from './schemas/connections.js';
import { channelBody, codeBody, passwordBody, profileBody, signupParams, startSignupBody } from './schemas/signups.js';
import { UPLOAD_TYPES } from './journal-upload.js';
import { actionBody, registrationDetail, revealBody, stuckQuery, stuckResponse, workflowParams } from './schemas/support.js';
import {
  journalLinkParams,
  journalLinksResponse,
  linkJournalBody,
  linkStateResponse,
  supportLinkBody,
  supportUnlinkBody,
  unlinkStateResponse,
} from './schemas/journal-links.js';
import { LINK_PROBLEMS, UNLINK_PROBLEMS } from './journal-link-refusals.js';

const STAFF_OF_SCHOOL: readonly Role[] = ['authority', 'school_admin', 'class_teacher'];
/** Approvers (R-J4) are school staff tokens or signed-in people holding an admin/class-teacher role. */
const APPROVERS: readonly Role[] = ['school_admin', 'class_teacher', 'person'];
const PERSON: readonly Role[] = ['person'];
const SUPPORT: readonly Role[] = ['support'];
const AUTHORITY: readonly Role[] = ['authority'];

const devTokenBody = z.object({
  sub: z.string().optional(),
  role: z.enum(['authority', 'school_admin', 'class_teacher', 'support', 'person']),
  schools: z.array(z.uuid()).optional(),
  classes: z.array(z.uuid()).optional(),
  region: z.string().optional(),
});

export const routeTable: RouteSpec[] = [
  // ---- infrastructure ----
  { method: 'get', path: '/healthz', access: 'public', tag: 'infra', summary: 'Liveness' },
  { method: 'get', path: '/readyz', access: 'public', tag: 'infra', summary: 'Readiness: PostgreSQL and Temporal answer' },
  { method: 'get', path: '/metrics', access: 'public', tag: 'infra', summary: 'Prometheus metrics', produces: 'text/plain' },
  { method: 'get', path: '/openapi.json', access: 'public', tag: 'infra', summary: 'This description (OpenAPI 3.1)' },
  { method: 'get', path: '/docs', access: 'public', tag: 'infra', summary: 'Human-readable API reference', produces: 'text/html' },

  // ---- invites (R-J2, R-J3) ----
  {
    method: 'post',
    path: '/v1/schools/:schoolId/invites',
    access: STAFF_OF_SCHOOL,
    scope: 'school',
    tag: 'invites',
    summary: 'Create an invite link',
    params: schoolParams,
    body: createInviteBody,
  },
  {
    method: 'get',
    path: '/v1/schools/:schoolId/invites',
    access: STAFF_OF_SCHOOL,
    scope: 'school',
    tag: 'invites',
    summary: "List a school's invites",
    params: schoolParams,
  },
  {
    method: 'post',
    path: '/v1/schools/:schoolId/invites/:inviteId/revoke',
    access: STAFF_OF_SCHOOL,
    scope: 'school',
    tag: 'invites',
    summary: 'Revoke an invite early',
    params: inviteIdParams,
    body: inviteActionBody,
  },
  {
    method: 'get',
    path: '/v1/invites/:token',
    access: 'public',
    rateLimit: 'invite-preview',
    tag: 'invites',
    summary: 'Preview an invite (organisation, role, class)',
    params: tokenParams,
  },
  {
    method: 'post',
    path: '/v1/invites/:token/decline',
    access: 'public',
    rateLimit: 'invite-preview',
    tag: 'invites',
    summary: 'Decline an invite',
    params: tokenParams,
  },

  // ---- directory and applications (R-J1, R-J4) ----
  { method: 'get', path: '/v1/directory/settlements', access: 'public', tag: 'directory', summary: 'Search settlements', query: settlementsQuery },
  { method: 'get', path: '/v1/directory/schools', access: 'public', tag: 'directory', summary: 'Search schools of a settlement', query: schoolsQuery },
  {
    method: 'get',
    path: '/v1/directory/schools/:id/classes',
    access: 'public',
    tag: 'directory',
    summary: 'Classes of a school',
    params: idParams,
    query: page,
  },
  { method: 'post', path: '/v1/applications', access: PERSON, tag: 'applications', summary: 'Apply to a school', body: createApplicationBody },
  {
    method: 'post',
    path: '/v1/invites/:token/accept',
    access: PERSON,
    tag: 'applications',
    summary: 'Accept an invite (creates an application)',
    params: tokenParams,
  },
  { method: 'get', path: '/v1/me/applications', access: PERSON, tag: 'applications', summary: 'My applications' },
  {
    method: 'get',
    path: '/v1/applications/:id',
    access: APPROVERS,
    tag: 'applications',
    summary: 'An application (its applicant or an approver)',
    params: idParams,
  },
  {
    method: 'get',
    path: '/v1/schools/:schoolId/applications',
    access: APPROVERS,
    scope: 'school',
    tag: 'applications',
    summary: "The approver's queue",
    params: schoolIdParams,
    query: schoolApplicationsQuery,
  },
  {
    method: 'post',
    path: '/v1/applications/:id/approve',
    access: APPROVERS,
    forbidden: 'not-allowed-to-approve',
    tag: 'applications',
    summary: 'Approve an application',
    params: idParams,
    body: decisionBody,
  },
  {
    method: 'post',
    path: '/v1/applications/:id/reject',
    access: APPROVERS,
    forbidden: 'not-allowed-to-approve',
    tag: 'applications',
    summary: 'Reject an application',
    params: idParams,
    body: decisionBody,
  },
  {
    method: 'post',
    path: '/v1/school-requests',
    access: PERSON,
    tag: 'applications',
    summary: '"My organisation is not listed": ask the authority',
    body: schoolRequestBody,
  },
  {
    method: 'get',
    path: '/v1/school-requests',
    access: ['authority', 'support'],
    tag: 'applications',
    summary: 'Requests for missing organisations',
    query: page,
  },

  // ---- parent confirmation (R-G) ----
  { method: 'post', path: '/v1/me/parent-link', access: PERSON, tag: 'guardians', summary: "The child's parent link (R-G2)" },
  {
    method: 'get',
    path: '/v1/parent-links/:token',
    access: 'public',
    rateLimit: 'parent-link-preview',
    tag: 'guardians',
    summary: 'Preview a parent link',
    params: parentTokenParams,
  },
  {
    method: 'get',
    path: '/v1/parent-links/:token/review',
    access: PERSON,
    rateLimit: 'parent-link-preview',
    tag: 'guardians',
    summary: "Review the child's data before consenting",
    params: parentTokenParams,
  },
  {
    method: 'post',
    path: '/v1/parent-links/:token/accept',
    access: PERSON,
    tag: 'guardians',
    summary: 'Consent as a parent (R-G3..R-G6)',
    params: parentTokenParams,
    body: acceptAsParentBody,
  },
  { method: 'get', path: '/v1/me/children', access: PERSON, tag: 'guardians', summary: 'Children I confirmed' },
  { method: 'get', path: '/v1/me/guardians', access: PERSON, tag: 'guardians', summary: 'My confirmed parents' },

  // ---- journal linking (R-L1..R-L4) ----
  {
    method: 'get',
    path: '/v1/me/journal-links',
    access: PERSON,
    tag: 'journal-links',
    summary: 'My linked e-journal identities: connection (name, source kind), journal person id, linked at',
    response: journalLinksResponse,
  },
  {
    method: 'post',
    path: '/v1/me/journal-links',
    access: PERSON,
    rateLimit: 'journal-link',
    tag: 'journal-links',
    summary:
      'Link my e-journal identity (R-L1) after the journal sign-in or Gosuslugi; joins every chat I was pending for at once (R-L2). A student identity needs the student’s own proof (R-L3)',
    body: linkJournalBody,
    response: linkStateResponse,
    problems: LINK_PROBLEMS,
  },
  {
    method: 'delete',
    path: '/v1/me/journal-links/:connectionId/:externalPersonId',
    access: PERSON,
    tag: 'journal-links',
    summary: 'Unlink my own e-journal identity: the chat memberships the hub gave for it are removed (hand-added ones stay)',
    params: journalLinkParams,
    response: unlinkStateResponse,
    problems: UNLINK_PROBLEMS,
  },
  {
    method: 'post',
    path: '/v1/support/journal-links',
    access: SUPPORT,
    tag: 'journal-links',
    summary: 'Link an e-journal identity on a person’s behalf (proof method support); audited with who and the reason',
    body: supportLinkBody,
    response: linkStateResponse.extend({ personId: z.string() }),
    problems: [...LINK_PROBLEMS, [404, 'support-person-not-found']],
  },
  {
    method: 'post',
    path: '/v1/support/journal-links/unlink',
    access: SUPPORT,
    tag: 'journal-links',
    summary: 'Unlink an e-journal identity, whoever holds it; audited with who and the reason',
    body: supportUnlinkBody,
    response: unlinkStateResponse.extend({ personId: z.string() }),
    problems: UNLINK_PROBLEMS,
  },

  // ---- support ----
  {
    method: 'get',
    path: '/v1/support/registrations/stuck',
    access: SUPPORT,
    tag: 'support',
    summary: 'Registrations waiting on someone, oldest first',
    query: stuckQuery,
    response: stuckResponse,
  },
  {
    method: 'get',
    path: '/v1/support/registrations/*workflowId',
    access: SUPPORT,
    tag: 'support',
    summary: 'One registration: timeline, who it waits on, actions (personal data masked)',
    params: workflowParams,
    response: registrationDetail,
  },
  {
    method: 'post',
    path: '/v1/support/registrations/*workflowId/actions',
    access: SUPPORT,
    tag: 'support',
    summary: 'Act on a registration (resend code, remind approvers, extend invite, cancel); audited with the reason',
    params: workflowParams,
    body: actionBody,
  },
  {
    method: 'post',
    path: '/v1/support/registrations/*workflowId/reveal',
    access: SUPPORT,
    tag: 'support',
    summary: 'Reveal masked personal data; audited with the reason',
    params: workflowParams,
    body: revealBody,
  },

  // ---- authority: journal connections and sync runs (region-scoped) ----
  { method: 'get', path: '/v1/connections', access: AUTHORITY, tag: 'connections', summary: 'Journal connections of my region' },
  {
    method: 'post',
    path: '/v1/connections',
    access: AUTHORITY,
    tag: 'connections',
    summary: 'Register a journal connection (credentials encrypted at rest, never returned)',
    body: createConnectionBody,
  },
  { method: 'get', path: '/v1/connections/:connectionId', access: AUTHORITY, tag: 'connections', summary: 'One connection', params: connectionParams },
  {
    method: 'post',
    path: '/v1/connections/:connectionId/export',
    access: AUTHORITY,
    tag: 'connections',
    summary:
      'Upload the export a file-based connection reads (OneRoster CSV or ESH: a .zip, or the .csv files as multipart/form-data; EPOS: a .jsonl file). Checked by the adapter before it is kept (OneRoster CSV: the whole export; the answer counts what was read and lists warnings by file, row and column; a delta is applied to the previous upload); the next sync reads it. `plan=true` starts a dry run of it and answers its id: its report says what the sync would do',
    params: connectionParams,
    query: uploadQuery,
    consumes: UPLOAD_TYPES,
  },
  {
    method: 'post',
    path: '/v1/connections/:connectionId/test',
    access: AUTHORITY,
    tag: 'connections',
    summary: 'Reach the source and count its schools',
    params: connectionParams,
  },
  { method: 'post', path: '/v1/connections/:connectionId/enable', access: AUTHORITY, tag: 'connections', summary: 'Enable (and unpause)', params: connectionParams },
  { method: 'post', path: '/v1/connections/:connectionId/pause', access: AUTHORITY, tag: 'connections', summary: 'Pause nightly runs', params: connectionParams },
  {
    method: 'post',
    path: '/v1/connections/:connectionId/sync',
    access: AUTHORITY,
    tag: 'connections',
    summary:
      'Start a sync run now (optionally one school, optionally a dry run). 409 sync-already-running while another run that writes is running for the connection (its id in `run`); 409 connection-nothing-to-read for a file-based connection with no upload and no path; a run held for confirmation is discarded by the new one',
    params: connectionParams,
    body: syncBody,
  },
  { method: 'get', path: '/v1/connections/:connectionId/runs', access: AUTHORITY, tag: 'connections', summary: 'Sync runs of a connection, newest first', params: connectionParams },
  { method: 'get', path: '/v1/sync-runs/:runId', access: AUTHORITY, tag: 'connections', summary: 'A run: status, progress, report per school and chat', params: runParams },
  {
    method: 'post',
    path: '/v1/sync-runs/:runId/confirm',
    access: AUTHORITY,
    tag: 'connections',
    summary: 'Apply a run the mass-change guard stopped',
    params: runParams,
    body: runDecisionBody,
  },
  {
    method: 'post',
    path: '/v1/sync-runs/:runId/discard',
    access: AUTHORITY,
    tag: 'connections',
    summary: 'Discard a run the mass-change guard stopped',
    params: runParams,
    body: runDecisionBody,
  },

  // ---- signup (R-A1..R-A7): public, the signup id is the caller's own session handle ----
  { method: 'post', path: '/v1/signups', access: 'public', rateLimit: 'code-request', tag: 'signup', summary: 'Start (or continue) a signup: sends a code', body: startSignupBody },
  { method: 'get', path: '/v1/signups/:signupId', access: 'public', tag: 'signup', summary: 'Signup stage and resend countdown', params: signupParams },
  { method: 'post', path: '/v1/signups/:signupId/resend', access: 'public', rateLimit: 'code-request', tag: 'signup', summary: 'Send a new code', params: signupParams, body: channelBody },
  { method: 'post', path: '/v1/signups/:signupId/code', access: 'public', rateLimit: 'code-submit', tag: 'signup', summary: 'Submit the code', params: signupParams, body: codeBody },
  { method: 'post', path: '/v1/signups/:signupId/password', access: 'public', rateLimit: 'code-submit', tag: 'signup', summary: 'Identity account password (R-A5)', params: signupParams, body: passwordBody },
  { method: 'post', path: '/v1/signups/:signupId/forgot-password', access: 'public', rateLimit: 'code-request', tag: 'signup', summary: 'Forgot password: a reset code', params: signupParams },
  { method: 'post', path: '/v1/signups/:signupId/not-me', access: 'public', tag: 'signup', summary: '"This is not me": a new profile on a recycled number', params: signupParams },
  { method: 'post', path: '/v1/signups/:signupId/profile', access: 'public', tag: 'signup', summary: 'Submit the profile (R-A6): creates the account', params: signupParams, body: profileBody },

  // ---- dev stack only ----
  {
    method: 'post',
    path: '/v1/dev/token',
    access: 'public',
    devOnly: true,
    tag: 'dev',
    summary: 'Issue a bearer token (HUB_DEV_AUTH only)',
    body: devTokenBody,
  },
  { method: 'get', path: '/v1/dev/outbox', access: 'public', devOnly: true, tag: 'dev', summary: 'One-time codes sent (HUB_DEV_OUTBOX only)' },
  { method: 'post', path: '/v1/dev/identity-accounts', access: 'public', devOnly: true, tag: 'dev', summary: 'Create an identity account to try R-A5' },
];
