// Vitest setup file: after each test file, the temporary directories its tests made with
// `testdir` are removed (a full run left ~170 of them in the temp directory).
import { afterAll } from "vitest";
import { removeCreatedTestdirs } from "./testdir.js";

afterAll(removeCreatedTestdirs);
