// Hand-made tar blocks for tests that need entries GNU tar will not write (hard links to
// directories or to later entries, negative pax sizes, lying sizes): ustar headers with a valid
// checksum, padded data, pax extended headers and the end-of-archive marker.

export function tarHeader(name: string, type: string, size: number, linkname = "", mode = 0o644): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, "utf8");
  block.write(`${mode.toString(8).padStart(7, "0")}\0`, 100, "latin1");
  block.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "latin1");
  block.write(type, 156, "latin1");
  block.write(linkname, 157, "utf8");
  block.write("ustar\x0000", 257, "latin1");
  block.write("        ", 148, "latin1");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return block;
}

/** `content` padded to whole blocks. */
export function tarData(content: string | Buffer): Buffer {
  const bytes = typeof content === "string" ? Buffer.from(content) : content;
  return Buffer.concat([bytes, Buffer.alloc((512 - (bytes.length % 512)) % 512)]);
}

/** A regular file entry with its data. */
export function tarFile(name: string, content: string): Buffer {
  return Buffer.concat([tarHeader(name, "0", Buffer.byteLength(content)), tarData(content)]);
}

/** A pax extended header (type x) holding `records`. */
export function paxHeader(records: Record<string, string>): Buffer {
  const body = Object.entries(records)
    .map(([key, value]) => {
      const rest = ` ${key}=${value}\n`;
      let length = rest.length + 2;
      if (String(length).length + rest.length !== length) length = String(length + 1).length + rest.length;
      return `${length}${rest}`;
    })
    .join("");
  return Buffer.concat([tarHeader("PaxHeader", "x", body.length), tarData(body)]);
}

export const TAR_END = Buffer.alloc(1024);
