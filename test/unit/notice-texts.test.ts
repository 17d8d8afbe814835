// Issue 14.2: every notice kind the code inserts into `notifications` has a sender's text, Russian
// and English. The kinds are read from the sources, so a new notify(...) without a text fails here.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../infra/paths.js';
import { NOTICE_KINDS, noticeText, type NoticeContext } from '../../notices/texts.js';

function sources(dir: string): string[] {
  return readdirSync(join(projectRoot, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
}

/** Kinds written literally next to a notify/enqueueNotification call, and the applicant's statuses. */
function insertedKinds(): Set<string> {
  const kinds = new Set<string>();
  for (const src of ['activities', 'workflows', 'api', 'scheduler'].flatMap(sources)) {
    if (!/enqueueNotification|acts\.notify\(|\bnotify\(/.test(src)) continue;
    for (const m of src.matchAll(/kind: '([a-z][\w.-]+)'/g)) if (m[1]!.includes('.')) kinds.add(m[1]!);
    if (src.includes('kind: `application.${status}`')) for (const m of src.matchAll(/notifyApplicant\('(\w+)'\)/g)) kinds.add(`application.${m[1]}`);
  }
  return kinds;
}

const ctx: NoticeContext = {
  schoolName: 'МБОУ СОШ № 1',
  settlement: 'Казань',
  className: '5Б',
  applicantName: 'Анна Смирнова',
  reason: null,
  requestSchoolName: 'Школа № 2',
  requestSettlement: 'Лаишево',
  baseUrl: 'https://hub.example.ru',
};

describe('issue 14.2: notice texts', () => {
  it('issue 14.2: the sources insert the six known kinds (the scan itself works)', () => {
    expect([...insertedKinds()].sort()).toEqual([
      'application.approved',
      'application.escalated',
      'application.expired',
      'application.rejected',
      'application.reminder',
      'school-request.created',
    ]);
  });

  it('issue 14.2: every inserted kind has a Russian and an English text, and an SMS form', () => {
    for (const kind of insertedKinds()) {
      expect(NOTICE_KINDS, kind).toContain(kind);
      const ru = noticeText(kind, 'ru', ctx)!;
      const en = noticeText(kind, 'en', ctx)!;
      expect(ru.subject, kind).toMatch(/^[А-ЯЁ]/);
      // English words around the (Russian) names of the school and class.
      expect(en.subject, kind).toMatch(/^[A-Z][a-z]* [a-z]/);
      expect(en.text, kind).toMatch(/^[A-Z][a-z]+ /);
      for (const t of [ru, en]) {
        expect(t.subject.length, kind).toBeGreaterThan(0);
        expect(t.sms.length, `${kind} sms`).toBeLessThanOrEqual(70);
      }
    }
  });
});
