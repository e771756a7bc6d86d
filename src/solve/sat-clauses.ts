// Storage for the SAT core (sat.ts), data structures only: OR clauses back to back in one
// Int32Array, per-literal watch lists as linked entries in flat arrays, at-most-one clauses with
// their undo trail. A solve allocates almost nothing once the problem is built.

/** OR clauses: literals of clause `i` are `lits[start[i] .. start[i] + length[i])`. */
export class ClausePool {
  lits = new Int32Array(4096);
  readonly start: number[] = [];
  readonly length: number[] = [];
  private used = 0;

  /** Where the next clause's literals go; room for `count` of them is guaranteed. */
  reserve(count: number): number {
    if (this.used + count > this.lits.length) {
      const grown = new Int32Array(Math.max(this.lits.length * 2, this.used + count));
      grown.set(this.lits.subarray(0, this.used));
      this.lits = grown;
    }
    return this.used;
  }

  /** Makes `lits[start, start + length)` (written after `reserve`) a clause; returns its index. */
  commit(start: number, length: number): number {
    this.start.push(start);
    this.length.push(length);
    this.used = start + length;
    return this.start.length - 1;
  }

  toArray(index: number): number[] {
    const start = this.start[index];
    return Array.from(this.lits.subarray(start, start + this.length[index]));
  }
}

/**
 * For each literal, the clauses to notify when it becomes true, in insertion order. Entries
 * (clause reference, next entry) are relinked, never reallocated, when a watch moves.
 */
export class WatchLists {
  private readonly head: number[] = [];
  private readonly tail: number[] = [];
  private readonly clause: number[] = [];
  private readonly nextEntry: number[] = [];

  /** Room for the two literals of a new variable. */
  addVariable(): void {
    this.head.push(-1, -1);
    this.tail.push(-1, -1);
  }

  add(lit: number, ref: number): void {
    this.clause.push(ref);
    this.nextEntry.push(-1);
    this.append(lit, this.clause.length - 1);
  }

  /** Appends `entry` to the end of `lit`'s list. */
  append(lit: number, entry: number): void {
    this.nextEntry[entry] = -1;
    const tail = this.tail[lit];
    if (tail < 0) this.head[lit] = entry;
    else this.nextEntry[tail] = entry;
    this.tail[lit] = entry;
  }

  /** Empties `lit`'s list and returns its first entry (-1 if none); follow it with `next`. */
  take(lit: number): number {
    const first = this.head[lit];
    this.head[lit] = -1;
    this.tail[lit] = -1;
    return first;
  }

  next(entry: number): number {
    return this.nextEntry[entry];
  }

  clauseOf(entry: number): number {
    return this.clause[entry];
  }
}

/** At-most-one clauses and, for each, its true literal ("current") with undo by trail position. */
export class AtMostOneClauses {
  readonly lits: number[][] = [];
  readonly current: number[] = [];
  private readonly undoClause: number[] = [];
  private readonly undoPosition: number[] = [];

  add(lits: number[]): number {
    this.lits.push(lits);
    this.current.push(-1);
    return this.lits.length - 1;
  }

  /** Records that the trail entry at `position` made `lit` the current literal of clause `index`. */
  setCurrent(index: number, lit: number, position: number): void {
    this.current[index] = lit;
    this.undoClause.push(index);
    this.undoPosition.push(position);
  }

  /** Forgets the current literals set by trail entries at `position` or later. */
  undoFrom(position: number): void {
    const positions = this.undoPosition;
    while (positions.length > 0 && positions[positions.length - 1] >= position) {
      this.current[this.undoClause.pop() as number] = -1;
      positions.pop();
    }
  }
}
