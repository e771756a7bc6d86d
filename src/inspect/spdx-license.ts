// PURE: opam `license:` strings judged as SPDX licence expressions. An expression whose
// identifiers are all on the SPDX licence list (or LicenseRef-…) is kept, with identifiers in their
// canonical case; anything else (`BSD`, `LGPL with OCaml linking exception`) is a licence name.
import { SPDX_IDS } from "./spdx-ids.js";

const CANONICAL = new Map(SPDX_IDS.map((id) => [id.toLowerCase(), id]));
const LISTED: ReadonlySet<string> = new Set(SPDX_IDS);

/** On the SPDX list exactly as written (what CycloneDX accepts as `license.id`). */
export function isListedId(id: string): boolean {
  return LISTED.has(id);
}

export type LicenseClass =
  /** One identifier (`MIT`, `LicenseRef-foo`): CycloneDX `license.id`. */
  | { kind: "id"; id: string }
  /** A compound expression (`LGPL-2.1-only WITH OCaml-LGPL-linking-exception`). */
  | { kind: "expression"; expression: string }
  /** Not an SPDX expression: kept as a licence name / text. */
  | { kind: "name"; name: string };

const TOKEN = /\s*(\(|\)|[A-Za-z0-9.+:-]+)\s*/y;

function tokens(text: string): string[] | undefined {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const match = TOKEN.exec(text);
    if (match === null) return undefined;
    out.push(match[1]!);
  }
  return out;
}

/** A licence identifier in canonical case (`+` suffix kept), or undefined when not on the list. */
function identifier(token: string): string | undefined {
  if (/^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/.test(token)) return token;
  const plus = token.endsWith("+");
  const id = CANONICAL.get((plus ? token.slice(0, -1) : token).toLowerCase());
  return id === undefined ? undefined : `${id}${plus ? "+" : ""}`;
}

/** Recursive descent over `expr := term (("AND"|"OR") term)*; term := atom ("WITH" id)?; atom := id | "(" expr ")"`. */
function canonicalExpression(list: string[]): string | undefined {
  let index = 0;
  const operator = (names: string[]) => {
    const word = list[index]?.toUpperCase();
    return word !== undefined && names.includes(word) ? word : undefined;
  };
  const atom = (): string | undefined => {
    if (list[index] === "(") {
      index++;
      const inner = expr();
      if (inner === undefined || list[index] !== ")") return undefined;
      index++;
      return `(${inner})`;
    }
    const token = list[index++];
    return token === undefined || ["AND", "OR", "WITH", ")"].includes(token.toUpperCase()) ? undefined : identifier(token);
  };
  const term = (): string | undefined => {
    const left = atom();
    if (left === undefined || operator(["WITH"]) === undefined) return left;
    index++;
    const exception = atom();
    return exception === undefined ? undefined : `${left} WITH ${exception}`;
  };
  const expr = (): string | undefined => {
    let text = term();
    for (let op = operator(["AND", "OR"]); text !== undefined && op !== undefined; op = operator(["AND", "OR"])) {
      index++;
      const right = term();
      text = right === undefined ? undefined : `${text} ${op} ${right}`;
    }
    return text;
  };
  const result = expr();
  return result !== undefined && index === list.length ? result : undefined;
}

export function classifyLicense(text: string): LicenseClass {
  const trimmed = text.trim();
  const list = tokens(trimmed);
  const expression = list === undefined || list.length === 0 ? undefined : canonicalExpression(list);
  if (expression === undefined) return { kind: "name", name: trimmed };
  return list!.length === 1 ? { kind: "id", id: expression } : { kind: "expression", expression };
}

/** `LicenseRef-` + the name reduced to the characters SPDX allows. */
export function licenseRef(name: string): string {
  const id = name.replace(/[^A-Za-z0-9.-]+/g, "-").replace(/^-+|-+$/g, "");
  return `LicenseRef-${id === "" ? "unnamed" : id}`;
}
