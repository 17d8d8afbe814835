// Issue 7, item 1: the benchmark region (bench/region.ts) as a regional OneRoster CSV export. Read back
// through the OneRoster CSV adapter, school by school, it plans exactly the chats and memberships the
// region model says it holds, so the figures measured over the simulators and over the export agree.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeOneRosterCsv } from '../../adapters/journals/oneroster-csv/export.js';
import { createJournalSource } from '../../adapters/journals/registry.js';
import type { RosterRecord } from '../../adapters/journals/port.js';
import { desiredChats } from '../../domain/roster/chats.js';
import { schoolRosterFromRecords } from '../../sync/from-journal.js';
import { RegionModel } from '../../bench/region.js';

const dir = mkdtempSync(join(tmpdir(), 'region-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the benchmark region as a OneRoster CSV export', () => {
  it('R-C1..R-C4: read back school by school, it plans the memberships the model holds', async () => {
    const model = RegionModel.build({ seed: 7, memberships: 20_000 });
    await writeOneRosterCsv(model, dir);
    const source = createJournalSource({ kind: 'oneroster-csv', path: dir });
    const schools = await source.listSchools();
    expect(schools.map((s) => s.externalId).sort()).toEqual([...model.schools.keys()].sort());
    let total = 0;
    for (const { externalId } of schools) {
      const records: RosterRecord[] = [];
      for await (const page of source.readRoster(externalId)) records.push(...page.records);
      const { chats, warnings } = desiredChats(schoolRosterFromRecords(externalId, records));
      expect(warnings).toEqual([]);
      const memberships = chats.reduce((n, c) => n + c.personIds.length, 0);
      expect(memberships).toBe(model.membershipsOf(externalId));
      total += memberships;
    }
    expect(total).toBe(model.membershipsTotal());
    expect(total).toBeGreaterThanOrEqual(20_000);
  });
});
