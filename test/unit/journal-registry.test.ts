import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { createJournalSource, journalKinds } from '../../adapters/journals/registry.js';
import { JOURNAL_KINDS } from '../../adapters/journals/port.js';

describe('journal adapter registry', () => {
  it('R-L1: every journal kind has a factory, and a connection config builds its adapter', () => {
    expect([...journalKinds].sort()).toEqual([...JOURNAL_KINDS].sort());
    const source = createJournalSource({ kind: 'eljur', baseUrl: 'https://school.eljur.ru/apiv3', vendor: 'school', devkey: 'k', login: 'l', password: 'p' });
    expect(source.kind).toBe('eljur');
    expect(createJournalSource({ kind: 'esh-file', path: '/uploads/esh' }).supportsDelta).toBe(false);
    expect(createJournalSource({ kind: 'oneroster-rest', baseUrl: 'https://sis.example/ims/oneroster/rostering/v1p2', tokenUrl: 'https://sis.example/token', clientId: 'a', clientSecret: 'b' }).supportsDelta).toBe(true);
  });

  it('R-L1: an incomplete or unknown connection config is refused before any request', () => {
    expect(() => createJournalSource({ kind: 'dnevnik' })).toThrow(ZodError);
    expect(() => createJournalSource({ kind: 'netschool', url: 'x' })).toThrow(ZodError);
  });
});
