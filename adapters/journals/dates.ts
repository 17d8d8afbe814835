// Birth dates arrive as DD.MM.YYYY (Russian exports) or YYYY-MM-DD; both become ISO, and dates that
// are not on the calendar (31.02) are refused rather than rolled over.
export function isoDateFrom(raw: string): string | undefined {
  const ru = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(raw.trim());
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(raw.trim());
  const [y, m, d] = ru ? [ru[3], ru[2], ru[1]] : iso ? [iso[1], iso[2], iso[3]] : [];
  if (!y || !m || !d) return undefined;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) return undefined;
  return `${y}-${m}-${d}`;
}
