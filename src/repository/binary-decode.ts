// Reads the binary.ts format back: one reusable decoder per thread, objects built by generated
// per-shape constructors (object literals, so every object of a shape shares a hidden class).
import { ARRAY, ASCII, DOUBLE, FALSE, MAP, NEGINT, NULL, SET, SHAPE, SHAPE_REF, STRING, STRING_REF, TRUE, UINT, UNDEFINED } from "./binary.js";

type Make = (decoder: Decoder) => Record<string, unknown>;
const makers = new Map<string, Make>();

/**
 * A function building an object of this shape with an object literal (fast, one hidden class).
 * Keys enter the generated source only as JSON string literals, so no key can inject code.
 */
function makerOf(keys: readonly string[]): Make {
  const signature = keys.join("\0");
  let make = makers.get(signature);
  if (make === undefined) {
    const body = keys.map((key) => `${key === "__proto__" ? '["__proto__"]' : JSON.stringify(key)}: d.value()`).join(", ");
    make = new Function("d", `return { ${body} };`) as Make;
    makers.set(signature, make);
  }
  return make;
}

/** Reading state; one instance per thread, reset for each buffer. */
class Decoder {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  strings: string[] = [];
  shapes: Make[] = [];

  uint(): number {
    let result = 0;
    for (let scale = 1; ; scale *= 0x80) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error("truncated value");
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
    }
  }

  text(length: number, encoding: "latin1" | "utf8"): string {
    if (this.pos + length > this.buf.length) throw new Error("truncated string");
    const s = this.buf.toString(encoding, this.pos, (this.pos += length));
    this.strings.push(s);
    return s;
  }

  shape(): Make {
    const keys: string[] = [];
    for (let n = this.uint(); n > 0; n--) {
      const key = this.value();
      if (typeof key !== "string") throw new Error("bad shape");
      keys.push(key);
    }
    const make = makerOf(keys);
    this.shapes.push(make);
    return make;
  }

  collection(tag: number): unknown {
    if (tag === ARRAY) {
      const out = new Array<unknown>(this.uint());
      for (let i = 0; i < out.length; i++) out[i] = this.value();
      return out;
    }
    if (tag === MAP) {
      const out = new Map<unknown, unknown>();
      for (let n = this.uint(); n > 0; n--) out.set(this.value(), this.value());
      return out;
    }
    const out = new Set<unknown>();
    for (let n = this.uint(); n > 0; n--) out.add(this.value());
    return out;
  }

  value(): unknown {
    const tag = this.buf[this.pos++];
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
        return this.uint();
      case NEGINT:
        return -this.uint();
      case DOUBLE:
        this.pos += 8;
        return this.buf.readDoubleLE(this.pos - 8);
      case ASCII:
        return this.text(this.buf[this.pos++]!, "latin1");
      case STRING:
        return this.text(this.uint(), "utf8");
      case STRING_REF:
        return this.strings[this.uint()];
      case ARRAY:
      case MAP:
      case SET:
        return this.collection(tag);
      case SHAPE:
        return this.shape()(this);
      case SHAPE_REF: {
        const make = this.shapes[this.uint()];
        if (make === undefined) throw new Error("bad shape reference");
        return make(this);
      }
      default:
        throw new Error(`bad tag ${String(tag)} at byte ${this.pos - 1}`);
    }
  }
}

const decoder = new Decoder();
const EMPTY = Buffer.alloc(0);

/** Decodes what BinaryEncoder wrote, from byte `start`. Throws on malformed input. */
export function decodeBinary(buf: Buffer, start = 0): unknown {
  decoder.buf = buf;
  decoder.pos = start;
  decoder.strings = [];
  decoder.shapes = [];
  try {
    const result = decoder.value();
    if (decoder.pos !== buf.length) throw new Error("trailing bytes");
    return result;
  } finally {
    decoder.buf = EMPTY;
  }
}
