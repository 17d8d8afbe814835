// Parent confirmation (R-G1..R-G7): the child fetches a parent link; a parent previews it, reviews
// and corrects the child's data, and consents. guardianWorkflow's validator has the last word.
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { Router, type Request } from 'express';
import { ageAt, guardianRequirement } from '../../domain/age.js';
import { inviteUrl } from '../../domain/invites.js';
import { CURRENT_CONSENT } from '../../domain/consent.js';
import { MAX_PARENTS, maskName, refuseParent } from '../../domain/guardians.js';
import { writeAudit } from '../../db/repositories/audit.js';
import { childOfLink, childrenOf, parentsOf, replaceParentLink } from '../../db/repositories/guardians.js';
import { findPerson, type Person } from '../../db/repositories/people.js';
import { rolesOf } from '../../db/repositories/school-roles.js';
import { findClass, findSchool } from '../../db/repositories/schools.js';
import { inTransaction } from '../../infra/postgres.js';
import { hashToken, looksLikeToken, newToken } from '../../infra/tokens.js';
import {
  acceptAsParentUpdate,
  guardianStateQuery,
  guardianWorkflowId,
  type GuardianWorkflowInput,
} from '../../workflows/definitions.js';
import type { ApiDeps } from '../deps.js';
import { principalOf, requireRole } from '../auth.js';
import { message, type Lang } from '../messages.js';
import { isSignupDeviceOf } from '../device.js';
import { Problem } from '../problem.js';
import { fallbackUnlessOutage } from '../outage.js';
import { acceptAsParentBody, parentTokenParams } from '../schemas/joining.js';
import { isGone, refusalOf } from '../temporal-errors.js';

const consentHash = (text: string): string => hashToken(text);
const phoneHash = (p: Person): string | null => (p.phone ? hashToken(p.phone) : null);

const refusalStatus: Record<string, number> = {
  'own-parent-link': 403,
  'parent-phone-required': 403,
  'same-phone-as-child': 403,
  'third-parent': 409,
  'consent-version-mismatch': 409,
  'guardians-closed': 410,
};

function consentView(lang: Lang) {
  return { version: CURRENT_CONSENT.version, text: CURRENT_CONSENT[lang], textHash: consentHash(CURRENT_CONSENT[lang]) };
}

export function guardianRoutes(deps: ApiDeps): Router {
  const { pool, temporal, config } = deps;
  const router = Router();

  async function schoolsOfChild(childId: string) {
    const out: { school: { id: string; name: string; settlement: string; timezone: string }; class: string | null }[] = [];
    for (const r of await rolesOf(pool, childId)) {
      if (r.role !== 'student') continue;
      const school = await findSchool(pool, r.schoolId);
      const cls = r.classId ? await findClass(pool, r.classId) : undefined;
      if (school) out.push({ school: { id: school.id, name: school.name, settlement: school.settlement, timezone: school.timezone }, class: cls?.name ?? null });
    }
    return out;
  }

  async function childByToken(req: Request): Promise<Person> {
    const { token } = parentTokenParams.parse(req.params);
    if (!looksLikeToken(token)) throw new Problem(404, 'parent-link-not-found');
    const childId = await childOfLink(pool, hashToken(token));
    const child = childId ? await findPerson(pool, childId) : undefined;
    if (!child) throw new Problem(404, 'parent-link-not-found');
    return child;
  }

  async function signedInParent(req: Request, child: Person): Promise<Person> {
    const principal = principalOf(req);
    if (principal.sub === child.id) throw new Problem(403, 'own-parent-link'); // R-G5
    const parent = await findPerson(pool, principal.sub).catch(fallbackUnlessOutage(undefined));
    if (!parent) throw new Problem(403, 'person-not-found');
    return parent;
  }

  /** R-G2: the child's link (`…/?invite=<token>&type=parent`). A new one replaces the previous. */
  router.post('/me/parent-link', requireRole('person'), async (req, res) => {
    const child = await findPerson(pool, principalOf(req).sub).catch(fallbackUnlessOutage(undefined));
    if (!child) throw new Problem(403, 'person-not-found');
    const schools = await schoolsOfChild(child.id);
    const first = schools[0];
    if (!first) throw new Problem(409, 'not-a-student');
    const age = child.birthDate ? ageAt(child.birthDate, new Date(), first.school.timezone) : null;
    const requirement = guardianRequirement(age);
    if (requirement === 'none') throw new Problem(409, 'parent-confirmation-not-needed');
    // Under 14 the approval already started it; 14-17 the child starts it here (R-G1). Either way one per child.
    const input: GuardianWorkflowInput = {
      childId: child.id,
      schoolId: first.school.id,
      required: requirement === 'required',
      restrictAfterMs: config.GUARDIAN_RESTRICT_AFTER,
      linkOpenMs: config.GUARDIAN_LINK_OPEN_FOR,
    };
    await temporal.workflow.start('guardianWorkflow', {
      workflowId: guardianWorkflowId(child.id),
      taskQueue: deps.taskQueues.registration,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    });
    const token = newToken();
    await inTransaction(pool, async (tx) => {
      await replaceParentLink(tx, child.id, hashToken(token));
      await writeAudit(tx, { actor: child.id, actorRole: 'person', action: 'parent-link.issued', subjectType: 'person', subjectId: child.id, requestId: req.requestId });
    });
    res.status(201).json({
      token,
      url: inviteUrl(config.PUBLIC_BASE_URL, token, 'parent'),
      requirement,
      confirmedParents: (await parentsOf(pool, child.id)).length,
      maxParents: MAX_PARENTS,
    });
  });

  /** Public preview: enough for a parent to recognise the child, not enough to identify them. */
  router.get('/parent-links/:token', async (req, res) => {
    const child = await childByToken(req);
    // R-G5: the child's own account, or the browser that signed the child up, whoever is signed in.
    if (req.principal?.sub === child.id || (await isSignupDeviceOf(pool, req, child.id))) throw new Problem(403, 'own-parent-link');
    const schools = await schoolsOfChild(child.id);
    res.json({
      child: { name: maskName(child.firstName, child.lastName) },
      schools: schools.map((s) => ({ name: s.school.name, settlement: s.school.settlement })),
      confirmedParents: (await parentsOf(pool, child.id)).length,
      maxParents: MAX_PARENTS,
      next: 'sign-in',
    });
  });

  /** R-G6: the signed-in parent reviews the child's data before consenting; refusals show up front. */
  router.get('/parent-links/:token/review', requireRole('person'), async (req, res) => {
    const child = await childByToken(req);
    if (await isSignupDeviceOf(pool, req, child.id)) throw new Problem(403, 'own-parent-link'); // R-G5
    const parent = await signedInParent(req, child);
    const parents = await parentsOf(pool, child.id);
    const why = refuseParent({ childId: child.id, phoneHash: phoneHash(child) }, parents, { parentId: parent.id, phoneHash: phoneHash(parent) });
    if (why) throw new Problem(refusalStatus[why] ?? 409, why, { max: MAX_PARENTS });
    res.json({
      child: {
        firstName: child.firstName,
        lastName: child.lastName,
        patronymic: child.patronymic,
        birthDate: child.birthDate,
        gender: child.gender,
      },
      schools: (await schoolsOfChild(child.id)).map((s) => ({ name: s.school.name, settlement: s.school.settlement, class: s.class })),
      alreadyConfirmed: parents.includes(parent.id),
      confirmedParents: parents.length,
      maxParents: MAX_PARENTS,
      consent: consentView(req.lang),
    });
  });

  /** R-G3..R-G6: consent (and corrections). The workflow's validator settles races for the last place. */
  router.post('/parent-links/:token/accept', requireRole('person'), async (req, res) => {
    const body = acceptAsParentBody.parse(req.body);
    const child = await childByToken(req);
    if (await isSignupDeviceOf(pool, req, child.id)) throw new Problem(403, 'own-parent-link'); // R-G5
    const parent = await signedInParent(req, child);
    if (body.consentVersion !== CURRENT_CONSENT.version) {
      throw new Problem(409, 'consent-version-mismatch', {}, { consent: consentView(req.lang) });
    }
    const done = async () => {
      const fresh = (await findPerson(pool, child.id)) ?? child;
      const parents = await parentsOf(pool, child.id);
      return {
        message: message('guardian-confirmed', req.lang),
        child: { id: fresh.id, firstName: fresh.firstName, lastName: fresh.lastName, patronymic: fresh.patronymic, birthDate: fresh.birthDate, gender: fresh.gender },
        restricted: fresh.restricted,
        confirmedParents: parents.length,
        maxParents: MAX_PARENTS,
      };
    };
    const parents = await parentsOf(pool, child.id);
    if (parents.includes(parent.id)) return void res.json(await done()); // not counted twice
    // The early answer for the plain case (also once the journey has closed with two parents);
    // parents racing for the last place all get past here and the workflow's validator picks one.
    const early = refuseParent({ childId: child.id, phoneHash: phoneHash(child) }, parents, { parentId: parent.id, phoneHash: phoneHash(parent) });
    if (early) throw new Problem(refusalStatus[early] ?? 409, early, { max: MAX_PARENTS });
    const handle = temporal.workflow.getHandle(guardianWorkflowId(child.id));
    try {
      await handle.executeUpdate(acceptAsParentUpdate, {
        args: [
          {
            parentId: parent.id,
            consent: { version: CURRENT_CONSENT.version, textHash: consentHash(CURRENT_CONSENT[req.lang]) },
            corrections: body.corrections,
            requestId: req.requestId,
          },
        ],
      });
    } catch (error) {
      const why = refusalOf(error) ?? (isGone(error) ? 'guardians-closed' : undefined);
      if (why && why in refusalStatus) throw new Problem(refusalStatus[why]!, why as 'third-parent', { max: MAX_PARENTS });
      throw error;
    }
    res.json(await done());
  });

  /** R-G7: a parent's children, across schools. */
  router.get('/me/children', requireRole('person'), async (req, res) => {
    const parentId = principalOf(req).sub;
    const ids = await childrenOf(pool, parentId).catch(fallbackUnlessOutage([]));
    const items = [];
    for (const id of ids) {
      const child = await findPerson(pool, id);
      if (!child) continue;
      items.push({
        id: child.id,
        firstName: child.firstName,
        lastName: child.lastName,
        restricted: child.restricted,
        schools: (await schoolsOfChild(id)).map((s) => ({ name: s.school.name, settlement: s.school.settlement, class: s.class })),
      });
    }
    res.json({ items });
  });

  /** The child's own view of where confirmation stands. */
  router.get('/me/guardians', requireRole('person'), async (req, res) => {
    const childId = principalOf(req).sub;
    const child = await findPerson(pool, childId).catch(fallbackUnlessOutage(undefined));
    if (!child) throw new Problem(403, 'person-not-found');
    let state;
    try {
      state = await temporal.workflow.getHandle(guardianWorkflowId(childId)).query(guardianStateQuery);
    } catch (error) {
      if (!isGone(error)) throw error;
    }
    res.json({
      confirmedParents: (await parentsOf(pool, childId)).length,
      maxParents: MAX_PARENTS,
      restricted: child.restricted,
      required: state?.required ?? null,
      restrictAt: state?.restrictAt ?? null,
    });
  });

  return router;
}
