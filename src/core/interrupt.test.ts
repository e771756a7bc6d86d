// The interrupt registry the CLI's signal handlers run: latest cleanup first, each once.
import { expect, test } from "vitest";
import { createInterrupts } from "./interrupt.js";

test("cleanups run most recent first, once; unregistered ones do not run", async () => {
  const interrupts = createInterrupts();
  const ran: string[] = [];
  interrupts.register(async () => (ran.push("first"), "first done"));
  const unregister = interrupts.register(async () => (ran.push("gone"), "gone"));
  interrupts.register(async () => (ran.push("last"), "last done"));
  unregister();
  expect(interrupts.interrupted).toBe(false);
  expect(await interrupts.interrupt()).toEqual(["last done", "first done"]);
  expect(interrupts.interrupted).toBe(true);
  expect(await interrupts.interrupt()).toEqual([]);
  expect(ran).toEqual(["last", "first"]);
});
