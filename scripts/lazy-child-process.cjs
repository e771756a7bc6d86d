// Bundling shim (scripts/bundle.mjs): commander requires node:child_process when it loads, for
// executable subcommands this CLI never has; loading child_process (and net, dgram, streams) costs
// every start-up a few milliseconds, so commander gets this module, which loads it on first use.
let real;
module.exports = {
  spawn: (...args) => (real ??= require("node:child_process")).spawn(...args),
};
