// restoreDeferredCaCerts: the variable bin/ moved aside goes back to NODE_EXTRA_CA_CERTS (for the
// programs we run) and is remembered for the https agents; nothing changes when none was deferred.
import { expect, test } from "vitest";
import { deferredCaFile, restoreDeferredCaCerts } from "./extra-ca.js";

test("a deferred file is put back for child processes and remembered", () => {
  const plain: NodeJS.ProcessEnv = { PATH: "/bin" };
  restoreDeferredCaCerts(plain);
  expect(plain).toEqual({ PATH: "/bin" });
  expect(deferredCaFile()).toBeUndefined();
  const env: NodeJS.ProcessEnv = { PATH: "/bin", OPAM_MONOREPO_DEFERRED_CA_CERTS: "/etc/corp-ca.pem" };
  restoreDeferredCaCerts(env);
  expect(env).toEqual({ PATH: "/bin", NODE_EXTRA_CA_CERTS: "/etc/corp-ca.pem" });
  expect(deferredCaFile()).toBe("/etc/corp-ca.pem");
});
