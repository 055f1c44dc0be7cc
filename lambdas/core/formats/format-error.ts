/**
 * Malformed MovieLens input. The message is `source:line: reason`, one line, so a CLI can print it as
 * is and an editor can jump to the spot.
 */
export class MovieLensFormatError extends Error {
  override readonly name = 'MovieLensFormatError';
  constructor(
    readonly source: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${source}:${line}: ${reason}`);
  }
}
