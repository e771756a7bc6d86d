// What a system package name may look like before it reaches a package manager's command line:
// letters, digits and `._+:@/()~-`, never a leading `-` (it would be read as an option). Pure.
import { UserError } from "../core/errors.js";

/** Covers apt, rpm (`perl(Foo::Bar)`), brew (`openssl@3`, `tap/formula`), pkg origins, npm scopes. */
const PACKAGE_NAME = /^[A-Za-z0-9_@][A-Za-z0-9._+:@/()~-]*$/u;

export function isSystemPackageName(name: string): boolean {
  return name.length <= 255 && PACKAGE_NAME.test(name);
}

/** Throws DEPEXT_NAME_INVALID naming the first name that is not a package name. */
export function checkSystemPackageNames(names: readonly string[], lockfile: string): void {
  const bad = names.find((name) => !isSystemPackageName(name));
  if (bad === undefined) return;
  throw new UserError("DEPEXT_NAME_INVALID", `the depexts of ${lockfile} name ${JSON.stringify(bad)}, which is not a system package name`, {
    hint: "a system package name is letters, digits and ._+:@/()~- and never starts with '-'; fix the depexts of the package that declares it",
  });
}
