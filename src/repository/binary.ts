// A compact self-describing binary encoding of plain data (objects, arrays, Maps, Sets, strings,
// numbers, booleans, null, undefined) for the index cache: object key lists ("shapes") and short
// strings are written once per buffer and referenced afterwards. Anything else is refused.
// The encoder; binary-decode.ts reads the format back.
import { InternalError } from "../core/errors.js";

/** Value tags (binary-decode.ts reads them). */
export const UNDEFINED = 0, NULL = 1, FALSE = 2, TRUE = 3, UINT = 4, NEGINT = 5, DOUBLE = 6;
export const STRING = 7, STRING_REF = 8, ARRAY = 9, SHAPE = 10, SHAPE_REF = 11, MAP = 12, SET = 13, ASCII = 14;

const SLAB = 1 << 20;
/** Longer strings (URLs, checksums, paths) rarely repeat: written out without hashing them. */
const MAX_INTERNED = 32;
/** Slots of the string table (a power of two); a string that finds no slot is not interned. */
const TABLE = 4096;
const PROBES = 8;

type Write = (encoder: BinaryEncoder, value: Record<string, unknown>) => void;

interface ShapeNode {
  keys: string[];
  /** Writes the values of an object of this shape, with a named property load per key. */
  write: Write | undefined;
  next: Map<string, ShapeNode>;
  /** The encode call that last defined this shape, and its number there. */
  defined: number;
  id: number;
}

/**
 * Reusable encoder (one per thread). `encode(value, header)` returns a view into a shared slab
 * (never overwritten later); `header` bytes come first (decode with `decodeBinary(buf, n)`).
 */
export class BinaryEncoder {
  private slab = Buffer.allocUnsafe(SLAB);
  private start = 0;
  private pos = 0;
  /** Open-addressing string table; a slot belongs to the call number in `slotCall`. */
  private readonly slotString: (string | undefined)[] = new Array<string | undefined>(TABLE).fill(undefined);
  private readonly slotId = new Int32Array(TABLE);
  private readonly slotCall = new Float64Array(TABLE);
  private stringCount = 0;
  private readonly shapes: ShapeNode = { keys: [], write: undefined, next: new Map(), defined: -1, id: -1 };
  private call = 0;
  private shapeCount = 0;

  encode(value: unknown, header: readonly number[] = []): Buffer {
    this.call++;
    this.shapeCount = 0;
    this.stringCount = 0;
    this.start = this.pos;
    this.ensure(header.length);
    for (const b of header) this.slab[this.pos++] = b;
    this.value(value);
    return this.slab.subarray(this.start, this.pos);
  }

  /** Room for `n` more bytes; a full slab is left to the views already handed out. */
  private ensure(n: number): void {
    if (this.pos + n <= this.slab.length) return;
    const size = Math.max(SLAB, (this.pos - this.start + n) * 2);
    const next = Buffer.allocUnsafe(size);
    this.slab.copy(next, 0, this.start, this.pos);
    this.pos -= this.start;
    this.start = 0;
    this.slab = next;
  }

  private tag(tag: number): void {
    this.ensure(1);
    this.slab[this.pos++] = tag;
  }

  private uint(n: number): void {
    this.ensure(8);
    while (n >= 0x80) {
      this.slab[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.slab[this.pos++] = n;
  }

  /** The id of `s` written earlier in this call, or -1 after recording it under the next id. */
  private intern(s: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    for (let probe = 0; probe < PROBES; probe++, h++) {
      const slot = h & (TABLE - 1);
      if (this.slotCall[slot] !== this.call) {
        this.slotCall[slot] = this.call;
        this.slotString[slot] = s;
        this.slotId[slot] = this.stringCount;
        return -1;
      }
      if (this.slotString[slot] === s) return this.slotId[slot]!;
    }
    return -1;
  }

  private string(s: string): void {
    const known = s.length > MAX_INTERNED ? -1 : this.intern(s);
    if (known >= 0) {
      this.tag(STRING_REF);
      return this.uint(known);
    }
    this.stringCount++;
    const length = s.length;
    if (length < 0x80) {
      this.ensure(length + 2);
      const at = this.pos;
      let p = at + 2;
      let i = 0;
      for (; i < length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        this.slab[p++] = c;
      }
      if (i === length) {
        this.slab[at] = ASCII;
        this.slab[at + 1] = length;
        this.pos = p;
        return;
      }
    }
    const bytes = Buffer.byteLength(s, "utf8");
    this.tag(STRING);
    this.uint(bytes);
    this.ensure(bytes);
    this.pos += this.slab.write(s, this.pos, bytes, "utf8");
  }

  private number(n: number): void {
    if (Number.isSafeInteger(n) && !Object.is(n, -0)) {
      this.tag(n >= 0 ? UINT : NEGINT);
      return this.uint(Math.abs(n));
    }
    this.tag(DOUBLE);
    this.ensure(8);
    this.pos = this.slab.writeDoubleLE(n, this.pos);
  }

  private collection(v: object): boolean {
    if (Array.isArray(v)) {
      this.tag(ARRAY);
      this.uint(v.length);
      for (let i = 0; i < v.length; i++) this.value(v[i]);
    } else if (v instanceof Map) {
      this.tag(MAP);
      this.uint(v.size);
      v.forEach((item: unknown, key: unknown) => {
        this.value(key);
        this.value(item);
      });
    } else if (v instanceof Set) {
      this.tag(SET);
      this.uint(v.size);
      v.forEach((item: unknown) => this.value(item));
    } else return false;
    return true;
  }

  private record(v: Record<string, unknown>): void {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new InternalError(`cannot encode a ${v.constructor?.name ?? "class"} instance`);
    let node = this.shapes;
    const own = Object.keys(v);
    for (let k = 0; k < own.length; k++) {
      const key = own[k]!;
      let next = node.next.get(key);
      if (next === undefined) node.next.set(key, (next = { keys: [...node.keys, key], write: undefined, next: new Map(), defined: -1, id: -1 }));
      node = next;
    }
    if (node.defined === this.call) {
      this.tag(SHAPE_REF);
      this.uint(node.id);
    } else {
      node.defined = this.call;
      node.id = this.shapeCount++;
      this.tag(SHAPE);
      this.uint(node.keys.length);
      for (const key of node.keys) this.string(key);
    }
    (node.write ??= writerOf(node.keys))(this, v);
  }

  /** @internal Used by the generated shape writers. */
  value(v: unknown): void {
    switch (typeof v) {
      case "undefined":
        return this.tag(UNDEFINED);
      case "boolean":
        return this.tag(v ? TRUE : FALSE);
      case "number":
        return this.number(v);
      case "string":
        return this.string(v);
      case "object":
        if (v === null) return this.tag(NULL);
        if (!this.collection(v)) this.record(v as Record<string, unknown>);
        return;
      default:
        throw new InternalError(`cannot encode a value of type ${typeof v}`);
    }
  }
}

/** Key lists enter generated source only as JSON string literals, so no key can inject code. */
function writerOf(keys: readonly string[]): Write {
  const body = keys.map((key) => `e.value(v[${JSON.stringify(key)}]);`).join(" ");
  return new Function("e", "v", body) as Write;
}
