// CRC-32 (IEEE 802.3, the one zlib computes) in JavaScript, four bytes a step: the index cache
// checks its entries with it without loading node:zlib, whose stream modules cost a lock ~6.5 ms
// to compile under the lock's V8 flags (docs/performance.md, "Eleventh pass").

/** Four 256-entry tables: TABLES[k * 256 + b] is the CRC of byte `b` followed by `k` zero bytes. */
const TABLES = makeTables();

function makeTables(): Int32Array {
  const tables = new Int32Array(4 * 256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
    tables[byte] = crc;
  }
  for (let byte = 0; byte < 256; byte++) {
    let crc = tables[byte]!;
    for (let k = 1; k < 4; k++) {
      crc = tables[crc & 0xff]! ^ (crc >>> 8);
      tables[k * 256 + byte] = crc;
    }
  }
  return tables;
}

/** The CRC-32 of `data`, continuing from `value` (a previous result), as zlib.crc32 does. */
export function crc32(data: Uint8Array, value = 0): number {
  const t = TABLES;
  let crc = ~value;
  const length = data.length;
  const whole = length - (length & 3);
  let i = 0;
  for (; i < whole; i += 4) {
    crc ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    crc = t[768 + (crc & 0xff)]! ^ t[512 + ((crc >>> 8) & 0xff)]! ^ t[256 + ((crc >>> 16) & 0xff)]! ^ t[crc >>> 24]!;
  }
  for (; i < length; i++) crc = t[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
