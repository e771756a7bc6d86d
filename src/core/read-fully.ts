// Reading a file descriptor until a buffer is full or the file ends: one readSync may return
// fewer bytes than asked (pipes, large reads, signals). Only node:fs (the reader worker loads it).
import { readSync } from "node:fs";

/**
 * Fills `target[offset, offset + length)` from `fd`, at `position` (or the descriptor's own
 * offset when null); returns how many bytes were read, fewer only at the end of the file.
 */
export function readFully(fd: number, target: Buffer, offset: number, length: number, position: number | null = null): number {
  let filled = 0;
  while (filled < length) {
    const count = readSync(fd, target, offset + filled, length - filled, position === null ? null : position + filled);
    if (count === 0) break;
    filled += count;
  }
  return filled;
}
