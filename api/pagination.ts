/** Pages are read one row long: the extra row only tells whether a next page exists. */
export function paged<T>(rows: T[], page: { limit: number; offset: number }) {
  const items = rows.slice(0, page.limit);
  return {
    items,
    limit: page.limit,
    offset: page.offset,
    nextOffset: rows.length > page.limit ? page.offset + page.limit : null,
  };
}
