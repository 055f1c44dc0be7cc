/**
 * Counts lines the way the ratings reader splits them ("\r\n", "\n" or a lone "\r" ends a line; a
 * last line without an ending still counts), across chunk boundaries of a byte stream.
 */
export class LineCounter {
  private terminators = 0;
  private lastByte = -1;

  push(bytes: Uint8Array): void {
    let previous = this.lastByte;
    let count = 0;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (byte === 0x0d || (byte === 0x0a && previous !== 0x0d)) count++;
      previous = byte;
    }
    this.terminators += count;
    if (bytes.length > 0) this.lastByte = previous;
  }

  get lines(): number {
    const unterminated = this.lastByte !== -1 && this.lastByte !== 0x0a && this.lastByte !== 0x0d;
    return this.terminators + (unterminated ? 1 : 0);
  }
}
