// Promise forms of the node:fs calls a lock makes, over the callback API. Loading node:fs/promises
// compiles readline and the fs watchers with it: 3.6 ms under the V8 flags `lock` runs with
// (bin/opam-monorepo), a few per cent of a warm lock that needs none of them.
import fs, { type Stats } from "node:fs";

type Done<T> = (error: NodeJS.ErrnoException | null, value: T) => void;

function promised<T>(call: (done: Done<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => call((error, value) => (error ? reject(error) : resolve(value))));
}

export function readdir(dir: string): Promise<string[]> {
  return promised((done) => fs.readdir(dir, done));
}

export function stat(file: string): Promise<Stats> {
  return promised((done) => fs.stat(file, done));
}

export function lstat(file: string): Promise<Stats> {
  return promised((done) => fs.lstat(file, done));
}

export function realpath(file: string): Promise<string> {
  return promised((done) => fs.realpath(file, done));
}

export function readFile(file: string, encoding: BufferEncoding): Promise<string> {
  return promised((done) => fs.readFile(file, encoding, done));
}

export function writeFile(file: string, content: string | Uint8Array, mode?: number): Promise<void> {
  return promised((done) => fs.writeFile(file, content, mode === undefined ? {} : { mode }, done));
}

export function mkdir(dir: string): Promise<void> {
  return promised<string | undefined>((done) => fs.mkdir(dir, { recursive: true }, done)).then(() => undefined);
}

export function rename(from: string, to: string): Promise<void> {
  return promised((done) => fs.rename(from, to, done));
}

/** Removes a file or a whole tree; a missing one is fine (`rm -rf`). */
export function remove(target: string): Promise<void> {
  return promised((done) => fs.rm(target, { recursive: true, force: true }, done));
}

export function open(file: string, flags: string | number): Promise<number> {
  return promised((done) => fs.open(file, flags, done));
}

export function fstat(fd: number): Promise<Stats> {
  return promised((done) => fs.fstat(fd, done));
}

export function readFd(fd: number, encoding: BufferEncoding): Promise<string> {
  return promised((done) => fs.readFile(fd, encoding, done));
}

export function close(fd: number): Promise<void> {
  return promised((done) => fs.close(fd, done));
}

/** Writes every part at the file's position, however many calls the kernel takes. */
export async function writeAll(fd: number, parts: readonly Uint8Array[]): Promise<void> {
  const queue = parts.filter((part) => part.length > 0);
  let head = 0;
  while (head < queue.length) {
    let written = await promised<number>((done) => fs.writev(fd, queue.slice(head, head + 512), done));
    if (written === 0) throw Object.assign(new Error("write returned 0 bytes"), { code: "EIO" });
    while (head < queue.length && written >= queue[head]!.length) written -= queue[head++]!.length;
    if (written > 0) queue[head] = queue[head]!.subarray(written);
  }
}
