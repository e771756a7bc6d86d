// The table part of an index-cache file: a small JSON header (identity, stamp, code fingerprint),
// the package names, and fixed-size binary records per name and per version, so a warm start
// splits one string of names and decodes a name's versions only when that name is asked for.

/**
 * One version as stored: [version, per-file stamp, body offset, body length, body crc32, head
 * offset, head length, head crc32]. The bytes are the head then the body. A name's heads are
 * written side by side, before its bodies, so that they are read in one go and checked alone (a
 * facts entry's head is its facts, its body the opam text); a head length of 0 means none.
 */
export type StoredEntry = [string, string, number, number, number, number, number, number];

export interface TableHeader {
  identity: string;
  stamp: string;
  codec: string;
}

export interface DecodedTable {
  header: TableHeader;
  names: string[];
  /** The stored versions of `names[index]`. */
  entries(index: number): StoredEntry[];
}

interface Layout extends TableHeader {
  nameCount: number;
  entryCount: number;
  namesBytes: number;
  textBytes: number;
}

const NAME_RECORD = 8;
const ENTRY_RECORD = 32;

export function encodeTable(header: TableHeader, names: readonly (readonly [string, readonly StoredEntry[]])[]): Buffer {
  const namesText = Buffer.from(names.map(([name]) => name).join("\n"), "utf8");
  const texts: string[] = [];
  const entryCount = names.reduce((sum, [, entries]) => sum + entries.length, 0);
  const nameRecords = Buffer.alloc(names.length * NAME_RECORD);
  const entryRecords = Buffer.alloc(entryCount * ENTRY_RECORD);
  let entry = 0;
  let textOffset = 0;
  names.forEach(([, entries], i) => {
    nameRecords.writeUInt32LE(entry, i * NAME_RECORD);
    nameRecords.writeUInt32LE(entries.length, i * NAME_RECORD + 4);
    for (let k = 0; k < entries.length; k++) {
      // Indexed, not destructured: a first lock writes thousands before this is optimised.
      const record = entries[k]!;
      const text = `${record[0]}\t${record[1]}`;
      const bytes = Buffer.byteLength(text, "utf8");
      texts.push(text);
      const at = entry++ * ENTRY_RECORD;
      entryRecords.writeUInt32LE(record[2], at);
      entryRecords.writeUInt32LE(record[3], at + 4);
      entryRecords.writeUInt32LE(record[4], at + 8);
      entryRecords.writeUInt32LE(textOffset, at + 12);
      entryRecords.writeUInt32LE(bytes, at + 16);
      entryRecords.writeUInt32LE(record[5], at + 20);
      entryRecords.writeUInt32LE(record[6], at + 24);
      entryRecords.writeUInt32LE(record[7], at + 28);
      textOffset += bytes;
    }
  });
  const text = Buffer.from(texts.join(""), "utf8");
  const layout: Layout = { ...header, nameCount: names.length, entryCount, namesBytes: namesText.length, textBytes: text.length };
  const json = Buffer.from(JSON.stringify(layout), "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([length, json, namesText, text, nameRecords, entryRecords]);
}

/** Decodes a table; throws on inconsistent sizes (the caller has already checked a checksum). */
export function decodeTable(bytes: Buffer): DecodedTable {
  const jsonLength = bytes.readUInt32LE(0);
  const layout = JSON.parse(bytes.toString("utf8", 4, 4 + jsonLength)) as Layout;
  const namesStart = 4 + jsonLength;
  const textStart = namesStart + layout.namesBytes;
  const nameRecords = textStart + layout.textBytes;
  const entryRecords = nameRecords + layout.nameCount * NAME_RECORD;
  if (entryRecords + layout.entryCount * ENTRY_RECORD !== bytes.length) throw new Error("index table sizes do not add up");
  const names = layout.nameCount === 0 ? [] : bytes.toString("utf8", namesStart, textStart).split("\n");
  if (names.length !== layout.nameCount) throw new Error("index table name count mismatch");
  const entries = (index: number): StoredEntry[] => {
    const first = bytes.readUInt32LE(nameRecords + index * NAME_RECORD);
    const count = bytes.readUInt32LE(nameRecords + index * NAME_RECORD + 4);
    const out: StoredEntry[] = [];
    for (let e = first; e < first + count; e++) {
      const at = entryRecords + e * ENTRY_RECORD;
      const textAt = textStart + bytes.readUInt32LE(at + 12);
      const text = bytes.toString("utf8", textAt, textAt + bytes.readUInt32LE(at + 16));
      const tab = text.indexOf("\t");
      const version = text.slice(0, tab);
      const stamp = text.slice(tab + 1);
      out.push([version, stamp, bytes.readUInt32LE(at), bytes.readUInt32LE(at + 4), bytes.readUInt32LE(at + 8), bytes.readUInt32LE(at + 20), bytes.readUInt32LE(at + 24), bytes.readUInt32LE(at + 28)]);
    }
    return out;
  };
  return { header: { identity: layout.identity, stamp: layout.stamp, codec: layout.codec }, names, entries };
}
