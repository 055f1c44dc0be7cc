/** Quotes a csv field only when it needs it (RFC 4180), as the MovieLens files do. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** MovieLens writes ratings with one decimal ("4.0", "3.5"); indexed by rating × 2. */
export const RATING_TEXT: readonly string[] = Array.from({ length: 11 }, (_, i) =>
  (i / 2).toFixed(1),
);

export const RATINGS_HEADER = 'userId,movieId,rating,timestamp\n';
export const TAGS_HEADER = 'userId,movieId,tag,timestamp\n';
export const MOVIES_HEADER = 'movieId,title,genres\n';
export const LINKS_HEADER = 'movieId,imdbId,tmdbId\n';
