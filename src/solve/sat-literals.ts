// The SAT core's number encodings: literals (shared with the problem builder and the decider),
// variable values, and clause references. Plain numbers, so the hot loops allocate nothing.

/** A literal: `2 * variable` (positive) or `2 * variable + 1` (negative). */
export type Lit = number;
export const posLit = (variable: number): Lit => variable << 1;
export const negLit = (variable: number): Lit => (variable << 1) | 1;
export const negate = (lit: Lit): Lit => lit ^ 1;
export const varOf = (lit: Lit): number => lit >> 1;

/** Variable values; a literal's value is its variable's, negated for a negative literal. */
export const TRUE = 1;
export const FALSE = -1;
export const UNDECIDED = 0;

/** The value of `lit` given the variable values. */
export const valueOfLit = (values: readonly number[], lit: Lit): number => {
  const value = values[lit >> 1];
  return lit & 1 ? -value : value;
};

/** The reason of a decision or of an input fact: no clause. */
export const EXTERNAL = -1;
/** Clause references: `2 * index` for an OR clause, `2 * index + 1` for an at-most-one clause. */
export const isAtMostOne = (ref: number): boolean => (ref & 1) === 1;
