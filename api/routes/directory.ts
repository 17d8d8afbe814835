// R-J1 (b): settlement → organisation → class, searched in the database. Public: nothing private here.
import { Router } from 'express';
import { classesOf, searchSchools, searchSettlements } from '../../db/repositories/directory.js';
import { findSchool } from '../../db/repositories/schools.js';
import type { ApiDeps } from '../deps.js';
import { paged } from '../pagination.js';
import { Problem } from '../problem.js';
import { idParams, page, schoolsQuery, settlementsQuery } from '../schemas/joining.js';

export function directoryRoutes({ pool }: ApiDeps): Router {
  const router = Router();

  router.get('/directory/settlements', async (req, res) => {
    const { q, ...p } = settlementsQuery.parse(req.query);
    res.json(paged(await searchSettlements(pool, q, p), p));
  });

  router.get('/directory/schools', async (req, res) => {
    const { settlement, region, q, ...p } = schoolsQuery.parse(req.query);
    res.json(paged(await searchSchools(pool, { settlement, region, q }, p), p));
  });

  router.get('/directory/schools/:id/classes', async (req, res) => {
    const { id } = idParams.parse(req.params);
    const p = page.extend({}).parse({ limit: 100, ...req.query });
    const school = await findSchool(pool, id);
    if (!school) throw new Problem(404, 'school-not-found');
    res.json({ school: { id: school.id, name: school.name, settlement: school.settlement }, ...paged(await classesOf(pool, id, p), p) });
  });

  return router;
}
