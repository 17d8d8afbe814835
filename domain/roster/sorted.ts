// Set operations over sorted, duplicate-free string arrays. A reconciliation may hold a million
// memberships: merge walks are linear and allocate one output array, where Sets of strings would
// cost several times the memory. Order is JavaScript's default string order (UTF-16 code units),
// the same as `Array.prototype.sort()` without a comparator and as `<` on strings.

export type SortedIds = readonly string[];

/** Sorted copy without duplicates. */
export function sortedUnique(ids: Iterable<string>): string[] {
  const arr = Array.from(ids).sort();
  let w = 0;
  for (let r = 0; r < arr.length; r++) {
    if (r === 0 || arr[r] !== arr[w - 1]) arr[w++] = arr[r]!;
  }
  arr.length = w;
  return arr;
}

export function isSortedUnique(ids: SortedIds): boolean {
  for (let i = 1; i < ids.length; i++) if (!(ids[i - 1]! < ids[i]!)) return false;
  return true;
}

/** a − b */
export function difference(a: SortedIds, b: SortedIds): string[] {
  const out: string[] = [];
  let j = 0;
  for (const x of a) {
    while (j < b.length && b[j]! < x) j++;
    if (j >= b.length || b[j] !== x) out.push(x);
  }
  return out;
}

/** a ∩ b */
export function intersection(a: SortedIds, b: SortedIds): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

/** a ∪ b */
export function union(a: SortedIds, b: SortedIds): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out.push(a[i++]!);
    else if (i >= a.length || b[j]! < a[i]!) out.push(b[j++]!);
    else {
      out.push(a[i++]!);
      j++;
    }
  }
  return out;
}

export function includesSorted(a: SortedIds, x: string): boolean {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
