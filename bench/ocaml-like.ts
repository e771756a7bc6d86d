// Generated source trees for the pull benchmark: OCaml-like modules (keywords, a vocabulary of
// the package's own identifiers, comments, indentation) that compress about as well as real
// OCaml code (the compiler's stdlib sources: 4.3–4.6× with gzip, bzip2 and xz).

/** A seeded generator of numbers in [0, 1): the same trees on every run. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const SYLLABLES = "ka ro mi to ne su la pe di fo gu ba ve xo ly ze qua tri pol ser hash buf str map lst opt res ctx env".split(" ");
const WORDS = "the of a value is returned when list empty raise given this function each element and to in returns".split(" ");

/** Identifiers and constructors one package uses over and over, as real code does. */
export interface Vocabulary {
  idents: string[];
  constructors: string[];
}

export function vocabulary(next: () => number): Vocabulary {
  const word = (parts: number) => Array.from({ length: parts }, () => SYLLABLES[Math.floor(next() * SYLLABLES.length)]).join("");
  const idents = Array.from({ length: 90 }, () => word(1 + Math.floor(next() * 3)));
  const constructors = Array.from({ length: 16 }, () => {
    const name = word(2);
    return name[0]!.toUpperCase() + name.slice(1);
  });
  return { idents, constructors };
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

/** One line of OCaml-like code (with its newline). */
function line(next: () => number, v: Vocabulary): string {
  const id = () => pick(next, v.idents);
  const roll = next();
  if (roll < 0.14) return `\nlet ${id()} ${id()} ${id()} =\n`;
  if (roll < 0.26) return `  match ${id()} with\n`;
  if (roll < 0.5) return `  | ${pick(next, v.constructors)} ${id()} -> ${id()} (${id()} ${id()})\n`;
  if (roll < 0.62) return `  | _ -> ${pick(next, v.constructors)}.${id()} ${id()} "${pick(next, WORDS)}"\n`;
  if (roll < 0.74) return `  if ${id()} ${pick(next, ["<", ">", "=", "<>"])} ${id()} then ${id()} else ${id()} + ${Math.floor(next() * 64)}\n`;
  if (roll < 0.84) return `(* ${Array.from({ length: 4 + Math.floor(next() * 8) }, () => pick(next, WORDS)).join(" ")} *)\n`;
  if (roll < 0.92) return `  let ${id()} = ${id()} ${id()} in\n`;
  return `and ${id()} = function\n`;
}

/** About `bytes` bytes of source. */
export function moduleText(next: () => number, v: Vocabulary, bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const text = line(next, v);
    lines.push(text);
    size += text.length;
  }
  return lines.join("");
}
