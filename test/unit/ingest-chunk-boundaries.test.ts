import { describe, expect, it } from 'vitest';
import {
  boundaryWindow,
  checkChunkBytes,
  chunksFromBoundaries,
  defaultChunkBytes,
  localChunkBytes,
  lineStartInWindow,
  nominalBoundaries,
  type ChunkSpec,
} from '../../lambdas/core/ingest/chunk-boundaries.ts';
import { LineCounter } from '../../lambdas/core/ingest/line-counter.ts';

/** What the plan Lambda does, on an in-memory file instead of ranged GETs. */
function plan(file: Buffer, chunkBytes: number, windowBytes?: number): ChunkSpec[] {
  const aligned = nominalBoundaries(file.length, chunkBytes).map((nominal) => {
    const window = boundaryWindow(nominal, file.length, windowBytes);
    return lineStartInWindow(file.subarray(window.start, window.endInclusive + 1), window.start);
  });
  return chunksFromBoundaries(file.length, aligned);
}

function ratingsText(rows: number, eol = '\n'): string {
  const lines = ['userId,movieId,rating,timestamp'];
  for (let i = 0; i < rows; i++) lines.push(`${1 + (i >> 4)},${(i * 37) % 9000},3.5,9643${i}`);
  return lines.join(eol) + eol;
}

describe('chunk planning', () => {
  it('cuts only at line starts and covers every byte exactly once', () => {
    for (const eol of ['\n', '\r\n']) {
      const file = Buffer.from(ratingsText(5_000, eol));
      for (const chunkBytes of [1_000, 4_096, 17_777, file.length, file.length * 2]) {
        const chunks = plan(file, chunkBytes);
        expect(chunks[0]!.start).toBe(0);
        expect(chunks.at(-1)!.endInclusive).toBe(file.length - 1);
        for (const [i, chunk] of chunks.entries()) {
          expect(chunk.index).toBe(i);
          if (i > 0) {
            expect(chunk.start).toBe(chunks[i - 1]!.endInclusive + 1);
            expect(file[chunk.start - 1]).toBe(0x0a);
          }
        }
        const rejoined = chunks.map((c) => file.subarray(c.start, c.endInclusive + 1).toString());
        expect(rejoined.join('')).toBe(file.toString());
        expect(rejoined.every((text) => text.endsWith('\n'))).toBe(true);
      }
    }
  });

  it('keeps a boundary that already is a line start, and never splits a UTF-8 character', () => {
    const file = Buffer.from('ab\ncd\n');
    expect(plan(file, 3)).toEqual([
      { index: 0, start: 0, endInclusive: 2 },
      { index: 1, start: 3, endInclusive: 5 },
    ]);
    const utf8 = Buffer.from('é,1\nü,2\nß,3\n');
    const chunks = plan(utf8, 2);
    expect(chunks.map((c) => utf8.subarray(c.start, c.endInclusive + 1).toString())).toEqual([
      'é,1\n',
      'ü,2\n',
      'ß,3\n',
    ]);
  });

  it('merges chunks when a line is longer than the window, and handles a last line without newline', () => {
    const file = Buffer.from('x'.repeat(100) + '\nshort\nlast');
    expect(plan(file, 10, 16)).toEqual([
      { index: 0, start: 0, endInclusive: 100 },
      { index: 1, start: 101, endInclusive: file.length - 1 },
    ]);
    expect(chunksFromBoundaries(0, [])).toEqual([]);
  });

  it('defaults to about eight chunks within sensible sizes and rejects silly ones', () => {
    expect(Math.ceil(2_483_723 / defaultChunkBytes(2_483_723))).toBe(8);
    expect(defaultChunkBytes(1_000)).toBe(256 * 1024);
    expect(defaultChunkBytes(10e9)).toBe(32 * 1024 * 1024);
    expect(() => checkChunkBytes(1_000, 10_000)).toThrow(/at least/);
    expect(() => checkChunkBytes(64 * 1024, 1e12)).toThrow(/more than/);
    expect(() => checkChunkBytes(4 * 1024 * 1024, 1e9)).not.toThrow();
  });

  it('plans one chunk per local worker, never smaller than the default nor over 32 MiB', () => {
    const small = 2_483_723; // ml-latest-small's ratings.csv
    expect(Math.ceil(small / localChunkBytes(small, 2))).toBe(2);
    // Many workers: the default's eight chunks, not slivers.
    expect(localChunkBytes(small, 16)).toBe(defaultChunkBytes(small));
    expect(Math.ceil(51_477_008 / localChunkBytes(51_477_008, 2))).toBe(2);
    // ml-25m: 32 MiB chunks as on AWS, whatever the workers.
    expect(localChunkBytes(678_260_987, 2)).toBe(32 * 1024 * 1024);
    expect(localChunkBytes(small, 0)).toBe(small);
  });
});

describe('LineCounter', () => {
  it('counts lines as the ratings reader splits them, across buffer boundaries', () => {
    const count = (...pieces: string[]) => {
      const counter = new LineCounter();
      for (const piece of pieces) counter.push(Buffer.from(piece));
      return counter.lines;
    };
    expect(count('')).toBe(0);
    expect(count('a\nb\n')).toBe(2);
    expect(count('a\nb')).toBe(2);
    expect(count('a\r', '\nb\r\n')).toBe(2);
    expect(count('a\rb\r')).toBe(2);
    expect(count('\n\n\n')).toBe(3);
  });
});
