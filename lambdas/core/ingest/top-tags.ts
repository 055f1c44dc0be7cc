import type { Tag } from '../formats/catalogue-files.ts';

/** Each movie's most used tags (case-insensitive), most used first, ties alphabetical. */
export function mostFrequentTags(tags: readonly Tag[], limit: number): Map<number, string[]> {
  const counts = new Map<number, Map<string, number>>();
  for (const { movieId, tag } of tags) {
    const text = tag.trim().toLowerCase();
    if (text === '') continue;
    let movie = counts.get(movieId);
    if (!movie) counts.set(movieId, (movie = new Map()));
    movie.set(text, (movie.get(text) ?? 0) + 1);
  }
  const top = new Map<number, string[]>();
  for (const [movieId, movie] of counts) {
    const ranked = [...movie.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    top.set(
      movieId,
      ranked.slice(0, limit).map(([text]) => text),
    );
  }
  return top;
}
