/**
 * When the API stored each of a user's ratings (`GET /users/{userId}/ratings`, `ratedAt`): the
 * times a `POST /recommendations` must send as per-rating timestamps to get the same fold-in as
 * the user's stored list, whose recency weight (FOLD_IN_RECENCY) reads the stored times.
 */
export async function storedRatedAt(
  call: (path: string) => Promise<{ json: unknown }>,
  userId: number,
): Promise<Map<number, string>> {
  const { json } = await call(`/users/${userId}/ratings?limit=1000`);
  const items = (json as { items: { movieId: number; ratedAt: string }[] }).items;
  return new Map(items.map((r): [number, string] => [r.movieId, r.ratedAt]));
}
