// Streaming tar reader and checker: parses every header (ustar, GNU long names, pax), refuses
// entries that would escape the destination, and hands each checked entry to a sink, a file's
// data in the chunks it arrives in (never whole). Nothing past the end-of-archive block is read.
import { UserError } from "../core/errors.js";
import { paxRecords, TAR_BLOCK, tarChecksumMatches, tarEntryName, tarNumber, tarString } from "../core/tar-header.js";
import { checkEntryPath, checkLinkTarget, newEntryChecker, type EntryChecker } from "./entry-check.js";

const MAX_META = 1 << 20;

/** A checked entry: `path` is normalised and relative (no `..`, no leading `/`). */
export type ScannedEntry =
  | { kind: "file"; path: string; mode: number }
  | { kind: "dir"; path: string }
  | { kind: "symlink"; path: string; target: string }
  | { kind: "hardlink"; path: string; target: string };

/** Where checked entries go: a file entry is followed by its data chunks, then `end()`. */
export interface EntrySink {
  entry(entry: ScannedEntry): void;
  data(chunk: Buffer): void;
  end(): void;
}

const DISCARD: EntrySink = { entry: () => undefined, data: () => undefined, end: () => undefined };

interface Overrides {
  path?: string;
  linkpath?: string;
  size?: number;
}

export class TarScanner {
  private pending = Buffer.alloc(0);
  /** Bytes of entry data still to skip (or collect, for meta entries). */
  private remaining = 0;
  private padding = 0;
  private meta: { type: string; chunks: Buffer[] } | undefined;
  private overrides: Overrides = {};
  private ended = false;
  /** A file entry's data is being passed on. */
  private inFile = false;
  entries = 0;
  /** Symlink entries seen (when 0, the extracted tree holds no symlink to check). */
  symlinks = 0;

  constructor(private readonly archive: string, private readonly checker: EntryChecker, private readonly sink: EntrySink = DISCARD) {}

  /** Check `chunk`; returns the part tar may see (empty once the archive has ended). Throws when unsafe. */
  feed(chunk: Buffer): Buffer {
    if (this.ended) return Buffer.alloc(0);
    let offset = 0;
    while (offset < chunk.length && !this.ended) {
      if (this.remaining > 0 || this.padding > 0) {
        offset += this.consumeData(chunk, offset);
        continue;
      }
      if (this.pending.length === 0 && chunk.length - offset >= TAR_BLOCK) {
        offset += TAR_BLOCK;
        this.onHeader(chunk.subarray(offset - TAR_BLOCK, offset));
        continue;
      }
      const need = TAR_BLOCK - this.pending.length;
      const take = Math.min(need, chunk.length - offset);
      this.pending = Buffer.concat([this.pending, chunk.subarray(offset, offset + take)]);
      offset += take;
      if (this.pending.length === TAR_BLOCK) {
        const header = this.pending;
        this.pending = Buffer.alloc(0);
        this.onHeader(header);
      }
    }
    // After the first zero block tar stops reading; give it a second one so it ends without a warning.
    return this.ended ? Buffer.concat([chunk.subarray(0, offset), Buffer.alloc(TAR_BLOCK)]) : chunk;
  }

  /** Call at end of input: a truncated archive is invalid. */
  finish(): void {
    if (!this.ended && (this.remaining > 0 || this.pending.length > 0 || this.meta)) {
      throw new UserError("ARCHIVE_INVALID", `${this.archive}: the tar archive is truncated`);
    }
  }

  private consumeData(chunk: Buffer, offset: number): number {
    if (this.remaining > 0) {
      const take = Math.min(this.remaining, chunk.length - offset);
      if (this.meta) this.meta.chunks.push(Buffer.from(chunk.subarray(offset, offset + take)));
      else if (this.inFile) this.sink.data(chunk.subarray(offset, offset + take));
      this.remaining -= take;
      if (this.remaining === 0 && this.meta) this.finishMeta();
      if (this.remaining === 0 && this.inFile) this.finishFile();
      return take;
    }
    const take = Math.min(this.padding, chunk.length - offset);
    this.padding -= take;
    return take;
  }

  private onHeader(header: Buffer): void {
    if (header.every((byte) => byte === 0)) {
      this.ended = true;
      return;
    }
    // GNU tar skips headers whose checksum is wrong; we refuse them so both sides agree.
    if (!tarChecksumMatches(header, true)) throw new UserError("ARCHIVE_INVALID", `${this.archive}: not a tar archive, or a corrupt header`);
    const type = String.fromCharCode(header[156] || 0x30);
    const size = this.overridesSize(type) ?? numberField(header, 124, 12, "size", this.archive);
    this.remaining = size;
    this.padding = (TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK;
    if (type === "x" || type === "g" || type === "L" || type === "K") {
      if (size > MAX_META) throw new UserError("ARCHIVE_INVALID", `${this.archive}: oversized ${type} header`);
      this.meta = { type, chunks: [] };
      if (size === 0) this.finishMeta();
      return;
    }
    this.onEntry(type, header, size);
  }

  private overridesSize(type: string): number | undefined {
    return type === "x" || type === "g" || type === "L" || type === "K" ? undefined : this.overrides.size;
  }

  private onEntry(type: string, header: Buffer, size: number): void {
    const entryPath = this.overrides.path ?? tarEntryName(header);
    const linkPath = this.overrides.linkpath ?? tarString(header, 157, 100);
    this.overrides = {};
    this.entries++;
    if (type === "V") return;
    if ("346".includes(type)) throw unsafe(this.archive, entryPath, "device files and FIFOs are not allowed");
    if (type === "S" || type === "M" || type === "N") throw new UserError("ARCHIVE_INVALID", `${this.archive}: unsupported tar entry type ${type} (${entryPath})`);
    if ((type === "1" || type === "2" || type === "5") && size !== 0) throw new UserError("ARCHIVE_INVALID", `${this.archive}: ${entryPath} has a size but no data`);
    const normalised = checkEntryPath(this.checker, entryPath);
    if (type === "2") checkLinkTarget(this.checker, entryPath, linkPath, "symlink");
    if (type === "1") checkLinkTarget(this.checker, entryPath, linkPath, "hardlink");
    if (normalised === undefined) return;
    if (type === "5") this.sink.entry({ kind: "dir", path: normalised });
    else if (type === "2") {
      this.symlinks++;
      this.sink.entry({ kind: "symlink", path: normalised, target: linkPath });
    }
    else if (type === "1") this.sink.entry({ kind: "hardlink", path: normalised, target: checkEntryPath(newEntryChecker(this.archive), linkPath) ?? "" });
    else {
      // Regular files, and (as GNU tar does) entries of unknown types.
      this.sink.entry({ kind: "file", path: normalised, mode: numberField(header, 100, 8, "mode", this.archive) & 0o777 });
      this.inFile = true;
      if (size === 0) this.finishFile();
    }
  }

  private finishFile(): void {
    this.inFile = false;
    this.sink.end();
  }

  private finishMeta(): void {
    const meta = this.meta!;
    this.meta = undefined;
    const data = Buffer.concat(meta.chunks);
    if (meta.type === "L") this.overrides.path = tarString(data, 0, data.length);
    else if (meta.type === "K") this.overrides.linkpath = tarString(data, 0, data.length);
    else if (meta.type === "x") Object.assign(this.overrides, parsePax(data, this.archive));
  }
}

function unsafe(archive: string, entry: string, why: string): UserError {
  return new UserError("ARCHIVE_UNSAFE", `${archive}: refusing entry ${JSON.stringify(entry)}: ${why}`);
}

/** A numeric header field, or a UserError naming the archive and the field. */
function numberField(header: Buffer, start: number, length: number, field: string, archive: string): number {
  const value = tarNumber(header, start, length);
  if (value === undefined) throw new UserError("ARCHIVE_INVALID", `${archive}: corrupt tar header (${field} ${JSON.stringify(header.toString("latin1", start, start + length))})`);
  return value;
}

function parsePax(data: Buffer, archive: string): Overrides {
  const result: Overrides = {};
  for (const [key, value] of paxRecords(data)) {
    if (key === "path") result.path = value;
    else if (key === "linkpath") result.linkpath = value;
    else if (key === "size") result.size = paxSize(value, archive);
    else if (key.startsWith("GNU.sparse")) throw new UserError("ARCHIVE_INVALID", `${archive}: sparse files are not supported`);
  }
  return result;
}

/** Decimal digits only, as GNU tar requires ("Malformed extended header: invalid size"). */
function paxSize(value: string, archive: string): number {
  const size = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(size)) throw new UserError("ARCHIVE_INVALID", `${archive}: malformed pax extended header: invalid size=${JSON.stringify(value)}`);
  return size;
}
