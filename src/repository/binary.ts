// A compact self-describing binary encoding of plain data (objects, arrays, Maps, Sets, strings,
// numbers, booleans, null, undefined) for the index cache: object key lists ("shapes") and
// strings are written once per buffer and referenced afterwards. Anything else is refused.
import { InternalError } from "../core/errors.js";

const UNDEFINED = 0, NULL = 1, FALSE = 2, TRUE = 3, UINT = 4, NEGINT = 5, DOUBLE = 6;
const STRING = 7, STRING_REF = 8, ARRAY = 9, SHAPE = 10, SHAPE_REF = 11, MAP = 12, SET = 13;

interface ShapeNode {
  id: number;
  next: Map<string, ShapeNode>;
}

/** Reusable encoder (one per thread): `encode(value)` returns a fresh Buffer. `header` bytes are
 * written first (decode with `decodeBinary(buf, header.length)`). */
export class BinaryEncoder {
  private buf = Buffer.allocUnsafe(1 << 16);
  private pos = 0;
  private strings = new Map<string, number>();
  private shapes: ShapeNode = { id: -1, next: new Map() };
  private shapeCount = 0;

  encode(value: unknown, header: readonly number[] = []): Buffer {
    this.pos = 0;
    for (const b of header) this.byte(b);
    this.strings.clear();
    this.shapes = { id: -1, next: new Map() };
    this.shapeCount = 0;
    this.value(value);
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  private uint(n: number): void {
    this.ensure(8);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  private string(s: string): void {
    const known = this.strings.get(s);
    if (known !== undefined) {
      this.byte(STRING_REF);
      return this.uint(known);
    }
    this.strings.set(s, this.strings.size);
    const length = Buffer.byteLength(s, "utf8");
    this.byte(STRING);
    this.uint(length);
    this.ensure(length);
    this.pos += this.buf.write(s, this.pos, length, "utf8");
  }

  private number(n: number): void {
    if (Number.isSafeInteger(n) && !Object.is(n, -0)) {
      this.byte(n >= 0 ? UINT : NEGINT);
      return this.uint(Math.abs(n));
    }
    this.byte(DOUBLE);
    this.ensure(8);
    this.pos = this.buf.writeDoubleLE(n, this.pos);
  }

  private object(v: object): void {
    if (Array.isArray(v)) {
      this.byte(ARRAY);
      this.uint(v.length);
      for (const item of v) this.value(item);
      return;
    }
    if (v instanceof Map) {
      this.byte(MAP);
      this.uint(v.size);
      for (const [key, item] of v) this.value(key), this.value(item);
      return;
    }
    if (v instanceof Set) {
      this.byte(SET);
      this.uint(v.size);
      for (const item of v) this.value(item);
      return;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new InternalError(`cannot encode a ${v.constructor?.name ?? "class"} instance`);
    this.record(v as Record<string, unknown>);
  }

  private record(v: Record<string, unknown>): void {
    const keys = Object.keys(v);
    let node = this.shapes;
    for (const key of keys) {
      let next = node.next.get(key);
      if (next === undefined) node.next.set(key, (next = { id: -1, next: new Map() }));
      node = next;
    }
    if (node.id >= 0) {
      this.byte(SHAPE_REF);
      this.uint(node.id);
    } else {
      node.id = this.shapeCount++;
      this.byte(SHAPE);
      this.uint(keys.length);
      for (const key of keys) this.string(key);
    }
    for (const key of keys) this.value(v[key]);
  }

  private value(v: unknown): void {
    switch (typeof v) {
      case "undefined":
        return this.byte(UNDEFINED);
      case "boolean":
        return this.byte(v ? TRUE : FALSE);
      case "number":
        return this.number(v);
      case "string":
        return this.string(v);
      case "object":
        return v === null ? this.byte(NULL) : this.object(v);
      default:
        throw new InternalError(`cannot encode a value of type ${typeof v}`);
    }
  }
}

/** Decodes what BinaryEncoder wrote. Throws on malformed input. */
export function decodeBinary(buf: Buffer, start = 0): unknown {
  let pos = start;
  const strings: string[] = [];
  const shapes: string[][] = [];
  const uint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = buf[pos++];
      if (b === undefined) throw new Error("truncated value");
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
  };
  const record = (keys: string[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = value();
    return out;
  };
  const value = (): unknown => {
    const tag = buf[pos++];
    switch (tag) {
      case UNDEFINED:
        return undefined;
      case NULL:
        return null;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case UINT:
        return uint();
      case NEGINT:
        return -uint();
      case DOUBLE:
        pos += 8;
        return buf.readDoubleLE(pos - 8);
      case STRING: {
        const length = uint();
        if (pos + length > buf.length) throw new Error("truncated string");
        const s = buf.toString("utf8", pos, (pos += length));
        strings.push(s);
        return s;
      }
      case STRING_REF:
        return strings[uint()];
      case ARRAY: {
        const out = new Array<unknown>(uint());
        for (let i = 0; i < out.length; i++) out[i] = value();
        return out;
      }
      case SHAPE: {
        const keys = Array.from({ length: uint() }, () => value() as string);
        shapes.push(keys);
        return record(keys);
      }
      case SHAPE_REF:
        return record(shapes[uint()]!);
      case MAP: {
        const out = new Map<unknown, unknown>();
        for (let n = uint(); n > 0; n--) out.set(value(), value());
        return out;
      }
      case SET: {
        const out = new Set<unknown>();
        for (let n = uint(); n > 0; n--) out.add(value());
        return out;
      }
      default:
        throw new Error(`bad tag ${String(tag)} at byte ${pos - 1}`);
    }
  };
  const result = value();
  if (pos !== buf.length) throw new Error("trailing bytes");
  return result;
}
