// Builds the 0install SAT encoding of a SolverInput from the roots, lazily: a role per package name,
// a virtual role per `any` group, at-most-one per role, dependencies as implications, conflicts and
// conflict classes. Without dummies only what a dependency accepts is expanded. Pure.
import { describeNeed, type Candidate, type Implementation, type Need, type SolverInput } from "./model.js";
import { negLit, posLit, varOf, type Lit } from "./sat-literals.js";
import { hopeless, type NeedView } from "./sat-prune.js";
import { SatProblem } from "./sat.js";

/** An edge from an implementation to a role: essential (`depends`) or a restriction (`conflicts`). */
export interface Dep {
  /** Target role index; -1 for a conflict on a package that is never reached. */
  role: number;
  name: string;
  essential: boolean;
  /** Essential: the accepted versions (undefined = all). Conflict: the forbidden versions. */
  test: ((version: string) => boolean) | undefined;
  constraint: string;
}

export interface RoleInfo {
  kind: "root" | "real" | "virtual";
  /** Package name; for a virtual role its alternatives, e.g. "a >= 1 | b". */
  name: string;
  /** The package whose formula created the role (ROOT-level roles: ""). */
  owner: string;
  ownerVersion: string;
  /** Variables in preference order (a dummy, when present, is last). */
  vars: number[];
  /** At-most-one clause index, -1 when the role has no variables. */
  amo: number;
  candidates: readonly Candidate[];
}

export interface VarInfo {
  role: number;
  /** The implementation for a real role; undefined for root, `|` alternatives and dummies. */
  impl: Implementation | undefined;
  dummy: boolean;
  /** For `|` alternatives: the alternative's need. */
  alternative: Need | undefined;
  deps: Dep[];
}

export interface Problem {
  sat: SatProblem;
  roles: RoleInfo[];
  vars: VarInfo[];
  roleByName: Map<string, number>;
  rootRole: number;
  literals: number;
}

/** Builds the problem; with `dummy`, every role gets a last-resort candidate (closest match). */
export function buildProblem(input: SolverInput, options: { dummy: boolean }): Problem {
  const builder = new Builder(input, options.dummy);
  return builder.build();
}

class Builder {
  private readonly sat = new SatProblem();
  private readonly roles: RoleInfo[] = [];
  private readonly vars: VarInfo[] = [];
  private readonly roleByName = new Map<string, number>();
  private readonly pending: number[] = [];
  private readonly conflictsLater: { user: number; dep: Dep }[] = [];
  private readonly classes = new Map<string, number[]>();
  /** Passing candidates per role and constraint text (equal texts accept the same versions). */
  private readonly passCache: (Map<string, Lit[]> | undefined)[] = [];
  private literals = 0;
  private readonly asked = new Map<string, readonly Candidate[]>();
  /** Without dummies: the variables accepted so far, in the order they are expanded. */
  private readonly accepted = new Set<number>();
  private readonly expanding: number[] = [];
  private readonly needView: NeedView = {
    passing: (need) => {
      const role = this.roleByName.get(need.name);
      return role === undefined ? undefined : this.passing({ role, name: need.name, essential: true, test: need.accepts, constraint: need.constraint }).length;
    },
    candidates: (name) => this.candidatesOf(name),
  };

  constructor(
    private readonly input: SolverInput,
    private readonly dummy: boolean,
  ) {}

  build(): Problem {
    const rootRole = this.newRole({ kind: "root", name: "", owner: "", ownerVersion: "", candidates: [] });
    const rootVar = this.newVar(rootRole, undefined, undefined);
    this.finishRole(rootRole);
    this.sat.atLeastOne([posLit(rootVar)]);
    if (this.dummy) for (let next = 0; next < this.pending.length; next++) this.processRole(this.pending[next]);
    else this.expandAccepted(rootVar);
    for (const { user, dep } of this.conflictsLater) this.addConflict(user, dep);
    for (const members of this.classes.values()) {
      if (members.length > 1) this.sat.atMostOne(members.map(posLit));
    }
    const { sat, roles, vars, roleByName, literals } = this;
    return { sat, roles, vars, roleByName, rootRole, literals };
  }

  /** The input's candidates of `name`, asked for once (a hopeless check may ask before the role exists). */
  private candidatesOf(name: string): readonly Candidate[] {
    let candidates = this.asked.get(name);
    if (candidates === undefined) this.asked.set(name, (candidates = this.input.candidates(name)));
    return candidates;
  }

  private newRole(info: Omit<RoleInfo, "vars" | "amo">): number {
    const { kind, name, owner, ownerVersion, candidates } = info;
    this.roles.push({ kind, name, owner, ownerVersion, vars: [], amo: -1, candidates });
    this.pending.push(this.roles.length - 1);
    return this.roles.length - 1;
  }

  private newVar(role: number, impl: Implementation | undefined, alternative: Need | undefined): number {
    const variable = this.sat.addVariable();
    this.vars.push({ role, impl, dummy: false, alternative, deps: [] });
    this.roles[role].vars.push(variable);
    return variable;
  }

  private finishRole(role: number): void {
    const info = this.roles[role];
    if (this.dummy && info.kind !== "root") {
      const variable = this.newVar(role, undefined, undefined);
      this.vars[variable].dummy = true;
    }
    if (info.vars.length > 0) info.amo = this.sat.atMostOne(info.vars.map(posLit));
  }

  private realRole(name: string): number {
    const known = this.roleByName.get(name);
    if (known !== undefined) return known;
    const candidates = this.candidatesOf(name);
    const role = this.newRole({ kind: "real", name, owner: "", ownerVersion: "", candidates });
    this.roleByName.set(name, role);
    for (let i = 0; i < candidates.length; i++) {
      const candidate = candidates[i];
      if (candidate.ok) this.newVar(role, candidate.impl, undefined);
    }
    this.finishRole(role);
    return role;
  }

  private virtualRole(need: Need & { kind: "any" }, owner: string, ownerVersion: string): number {
    const name = need.needs.map(describeNeed).join(" | ");
    const role = this.newRole({ kind: "virtual", name, owner, ownerVersion, candidates: [] });
    for (let i = 0; i < need.needs.length; i++) this.newVar(role, undefined, need.needs[i]);
    this.finishRole(role);
    return role;
  }

  /**
   * With dummies (explaining a failure), every variable of every role is expanded, as 0install's
   * `add_impls_to_cache` does. Indexed loops here and below: this code runs once per solve, mostly
   * before the JIT optimises it, and `for...of` then allocates an iterator result per step.
   */
  private processRole(role: number): void {
    const vars = this.roles[role].vars;
    for (let v = 0; v < vars.length; v++) if (!this.vars[vars[v]].dummy) this.expand(vars[v]);
  }

  /**
   * Without dummies: expands the root, then each variable as an essential dependency accepts it
   * (`addEssential`); one that none accepts, or that is hopeless, only gets `¬v` (sat-prune.ts).
   */
  private expandAccepted(rootVar: number): void {
    this.accept(rootVar);
    for (let next = 0; next < this.expanding.length; next++) this.expand(this.expanding[next]);
    for (let variable = 0; variable < this.vars.length; variable++) if (!this.accepted.has(variable)) this.forbid(variable);
  }

  private accept(variable: number): void {
    if (this.accepted.has(variable)) return;
    this.accepted.add(variable);
    this.expanding.push(variable);
  }

  private forbid(variable: number): void {
    this.literals += 1;
    this.sat.atLeastOne([negLit(variable)]);
  }

  /** Adds a variable's clauses, reaching the roles it depends on; a hopeless one is forbidden. */
  private expand(variable: number): void {
    const info = this.roles[this.vars[variable].role];
    const impl = this.vars[variable].impl;
    if (!this.dummy && impl !== undefined && hopeless(impl.needs, this.needView)) return this.forbid(variable);
    const deps = this.depsOf(info, variable);
    this.vars[variable].deps = deps;
    for (let d = 0; d < deps.length; d++) {
      if (deps[d].essential) this.addEssential(variable, deps[d]);
      else this.conflictsLater.push({ user: variable, dep: deps[d] });
    }
  }

  private depsOf(info: RoleInfo, variable: number): Dep[] {
    const { impl, alternative } = this.vars[variable];
    const deps: Dep[] = [];
    if (info.kind === "root") {
      for (let i = 0; i < this.input.roots.length; i++) {
        const { name, accepts, constraint } = this.input.roots[i];
        deps.push({ role: this.realRole(name), name, essential: true, test: accepts, constraint: constraint ?? "" });
      }
    } else if (impl !== undefined) {
      this.collectDeps(impl.needs, impl.name, impl.version, deps);
      for (let i = 0; i < impl.conflicts.length; i++) {
        const { name, rejects, constraint } = impl.conflicts[i];
        deps.push({ role: -1, name, essential: false, test: rejects, constraint });
      }
      for (let i = 0; i < impl.conflictClasses.length; i++) this.addToClass(impl.conflictClasses[i], variable);
    } else if (alternative !== undefined) {
      this.collectDeps(alternative, info.owner, info.ownerVersion, deps);
    }
    return deps;
  }

  private collectDeps(need: Need, owner: string, ownerVersion: string, out: Dep[]): void {
    switch (need.kind) {
      case "package":
        out.push({ role: this.realRole(need.name), name: need.name, essential: true, test: need.accepts, constraint: need.constraint });
        return;
      case "all":
        for (let i = 0; i < need.needs.length; i++) this.collectDeps(need.needs[i], owner, ownerVersion, out);
        return;
      case "any": {
        const role = this.virtualRole(need, owner, ownerVersion);
        out.push({ role, name: this.roles[role].name, essential: true, test: undefined, constraint: "" });
        return;
      }
    }
  }

  private addToClass(conflictClass: string, variable: number): void {
    const members = this.classes.get(conflictClass);
    if (members === undefined) this.classes.set(conflictClass, [variable]);
    else members.push(variable);
  }

  /** `user ⇒ OR(candidates of the role that pass)`. */
  private addEssential(user: number, dep: Dep): void {
    const pass = this.passing(dep);
    this.literals += pass.length + 1;
    this.sat.implies(posLit(user), pass);
    if (!this.dummy) for (let i = 0; i < pass.length; i++) this.accept(varOf(pass[i]));
  }

  private passing(dep: Dep): Lit[] {
    // "" never names a real constraint when there is a test: such needs are not cached.
    const key = dep.test === undefined ? "" : dep.constraint === "" ? undefined : dep.constraint;
    const cache = (this.passCache[dep.role] ??= new Map());
    const cached = key === undefined ? undefined : cache.get(key);
    if (cached !== undefined) return cached;
    const pass: Lit[] = [];
    const vars = this.roles[dep.role].vars;
    for (let i = 0; i < vars.length; i++) {
      if (passes(this.vars[vars[i]], dep.test)) pass.push(posLit(vars[i]));
    }
    if (key !== undefined) cache.set(key, pass);
    return pass;
  }

  /** Selecting `user` forbids the failing candidates; a never-reached package needs no clause. */
  private addConflict(user: number, dep: Dep): void {
    const role = this.roleByName.get(dep.name);
    if (role === undefined) return;
    dep.role = role;
    const fail: Lit[] = [];
    const vars = this.roles[role].vars;
    for (let i = 0; i < vars.length; i++) {
      const impl = this.vars[vars[i]].impl;
      if (impl !== undefined && dep.test !== undefined && dep.test(impl.version)) fail.push(posLit(vars[i]));
    }
    if (fail.length === 0) return;
    this.literals += fail.length + 1;
    if (fail.includes(posLit(user))) this.sat.atLeastOne([negLit(user)]);
    else this.sat.atMostOne([posLit(user), ...fail]);
  }
}

/** Whether a variable satisfies an essential restriction (dummies and alternatives always do). */
export function passes(info: VarInfo, test: ((version: string) => boolean) | undefined): boolean {
  return test === undefined || info.impl === undefined || test(info.impl.version);
}
