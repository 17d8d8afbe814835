// The console's words, generated from the catalogue at request time: GET /console/i18n/{ru,en}.json
// gives the `console` namespace with the connection/run `states`, placeholders as {name}.
import type { Request, Response } from 'express';
import { LANGS, words, type Lang } from '../i18n/index.js';

export function consoleWords(req: Request, res: Response): void {
  const lang = String(req.params.file ?? '').replace(/\.json$/, '');
  if (!LANGS.includes(lang as Lang)) {
    res.status(404).type('text/plain').send('no such language');
    return;
  }
  const w = words(lang as Lang);
  res.set('cache-control', 'no-cache').json({ ...w.console, states: w.states });
}
