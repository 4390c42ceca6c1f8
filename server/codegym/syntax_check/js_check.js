// Compiles JavaScript without running it: one JSON request per line on stdin
// ({"id", "source"}), one JSON answer per line on stdout ({"id", "line", "column", "type", "detail"} or
// {"id", "ok": true}). `new vm.Script` only parses and compiles; no learner code executes here.
"use strict";
const vm = require("vm");
const readline = require("readline");

function check(source) {
  try {
    new vm.Script(source, { filename: "exercise.js" });
    return { ok: true };
  } catch (error) {
    const stack = String((error && error.stack) || "");
    const where = /exercise\.js:(\d+)/.exec(stack);
    const lines = stack.split("\n");
    const caret = lines.findIndex((line) => /^\s*\^+\s*$/.test(line));
    return {
      line: where ? Number(where[1]) : 1,
      column: caret > 0 ? lines[caret].indexOf("^") : 0,
      type: (error && error.name) || "SyntaxError",
      detail: String((error && error.message) || error),
    };
  }
}

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  let request;
  try {
    request = JSON.parse(line);
  } catch (error) {
    return;
  }
  process.stdout.write(JSON.stringify({ id: request.id, ...check(String(request.source)) }) + "\n");
});
