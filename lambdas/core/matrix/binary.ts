/**
 * Minimal little-endian binary framing shared by the CSR and model files: an 8-byte ASCII magic, a
 * uint32 version, then fields appended in a fixed order. Typed arrays are 8-byte aligned (relative
 * to the start of the file) and copied in bulk on little-endian hosts; big-endian hosts take a slow
 * but correct DataView path, so the files are portable.
 */

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type NumericArray = Int32Array | Float32Array | Float64Array;

type ArrayKind = 'i32' | 'f32' | 'f64';

const KIND_CODE: Record<ArrayKind, number> = { i32: 1, f32: 2, f64: 3 };

function kindOf(array: NumericArray): ArrayKind {
  if (array instanceof Int32Array) return 'i32';
  if (array instanceof Float32Array) return 'f32';
  return 'f64';
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

type Part =
  | { kind: 'u32'; value: number }
  | { kind: 'f64'; value: number }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'array'; value: NumericArray };

/** Collects fields, then lays them out in one exactly-sized buffer on `finish()`. */
export class BinaryWriter {
  private readonly parts: Part[] = [];

  constructor(
    private readonly magic: string,
    private readonly version: number,
  ) {
    if (magic.length !== 8) throw new Error(`magic must be 8 ASCII characters, got "${magic}"`);
  }

  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`u32 out of range: ${value}`);
    }
    this.parts.push({ kind: 'u32', value });
    return this;
  }

  f64(value: number): this {
    this.parts.push({ kind: 'f64', value });
    return this;
  }

  /** A length-prefixed UTF-8 string (used for small JSON metadata). */
  string(value: string): this {
    this.parts.push({ kind: 'bytes', value: new TextEncoder().encode(value) });
    return this;
  }

  /** A length- and type-prefixed typed array. */
  array(value: NumericArray): this {
    this.parts.push({ kind: 'array', value });
    return this;
  }

  finish(): Uint8Array {
    let size = 12;
    for (const part of this.parts) {
      if (part.kind === 'u32') size += 4;
      else if (part.kind === 'f64') size = align8(size) + 8;
      else if (part.kind === 'bytes') size += 4 + part.value.length;
      else size = align8(size + 8) + part.value.byteLength;
    }
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) out[i] = this.magic.charCodeAt(i);
    view.setUint32(8, this.version, true);
    let at = 12;
    for (const part of this.parts) {
      if (part.kind === 'u32') {
        view.setUint32(at, part.value, true);
        at += 4;
      } else if (part.kind === 'f64') {
        at = align8(at);
        view.setFloat64(at, part.value, true);
        at += 8;
      } else if (part.kind === 'bytes') {
        view.setUint32(at, part.value.length, true);
        out.set(part.value, at + 4);
        at += 4 + part.value.length;
      } else {
        const array = part.value;
        view.setUint32(at, KIND_CODE[kindOf(array)], true);
        view.setUint32(at + 4, array.length, true);
        at = align8(at + 8);
        writeArray(view, out, at, array);
        at += array.byteLength;
      }
    }
    return out;
  }
}

function writeArray(view: DataView, out: Uint8Array, at: number, array: NumericArray): void {
  if (LITTLE_ENDIAN_HOST) {
    out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), at);
    return;
  }
  const kind = kindOf(array);
  for (let i = 0; i < array.length; i++) {
    const v = array[i]!;
    if (kind === 'i32') view.setInt32(at + 4 * i, v, true);
    else if (kind === 'f32') view.setFloat32(at + 4 * i, v, true);
    else view.setFloat64(at + 8 * i, v, true);
  }
}

/** Reads fields back in the order they were written; every read is bounds-checked. */
export class BinaryReader {
  readonly version: number;
  private readonly view: DataView;
  private at = 12;

  constructor(
    private readonly bytes: Uint8Array,
    magic: string,
    supportedVersions: readonly number[],
  ) {
    if (bytes.length < 12)
      throw new Error(`not a ${magic.trim()} file: only ${bytes.length} bytes`);
    const found = String.fromCharCode(...bytes.subarray(0, 8));
    if (found !== magic) throw new Error(`not a ${magic.trim()} file: magic is "${found}"`);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.version = this.view.getUint32(8, true);
    if (!supportedVersions.includes(this.version)) {
      throw new Error(`unsupported ${magic.trim()} version ${this.version}`);
    }
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.at, true);
    this.at += 4;
    return v;
  }

  f64(): number {
    this.at = align8(this.at);
    this.need(8);
    const v = this.view.getFloat64(this.at, true);
    this.at += 8;
    return v;
  }

  string(): string {
    const length = this.u32();
    this.need(length);
    const text = new TextDecoder().decode(this.bytes.subarray(this.at, this.at + length));
    this.at += length;
    return text;
  }

  i32Array(): Int32Array {
    return this.array('i32', (n) => new Int32Array(n)) as Int32Array;
  }

  f32Array(): Float32Array {
    return this.array('f32', (n) => new Float32Array(n)) as Float32Array;
  }

  f64Array(): Float64Array {
    return this.array('f64', (n) => new Float64Array(n)) as Float64Array;
  }

  private array(kind: ArrayKind, make: (n: number) => NumericArray): NumericArray {
    const code = this.u32();
    if (code !== KIND_CODE[kind])
      throw new Error(`corrupt file: expected ${kind} array, got type ${code}`);
    const length = this.u32();
    this.at = align8(this.at);
    const out = make(length);
    this.need(out.byteLength);
    // Copy rather than view: the input may be unaligned inside a larger buffer (e.g. an S3 body).
    if (LITTLE_ENDIAN_HOST) {
      new Uint8Array(out.buffer).set(this.bytes.subarray(this.at, this.at + out.byteLength));
    } else {
      for (let i = 0; i < length; i++) {
        if (kind === 'i32') out[i] = this.view.getInt32(this.at + 4 * i, true);
        else if (kind === 'f32') out[i] = this.view.getFloat32(this.at + 4 * i, true);
        else out[i] = this.view.getFloat64(this.at + 8 * i, true);
      }
    }
    this.at += out.byteLength;
    return out;
  }

  private need(n: number): void {
    if (this.at + n > this.bytes.length) {
      throw new Error(
        `truncated file: need ${n} bytes at offset ${this.at}, have ${this.bytes.length - this.at}`,
      );
    }
  }
}
