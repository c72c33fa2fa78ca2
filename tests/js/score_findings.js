#!/usr/bin/env node
/* Runs the scoring JavaScript of a built form.html under Node.js.
 *
 *   node score_findings.js FORM.html FINDINGS.json [--partial] [--validate]
 *
 * FINDINGS.json holds a JSON array of findings; prints a JSON array with
 * one entry per findings: scoreFindings()'s result, or with --validate the
 * list of validateFindings() problems (--partial: by the partial rules).  The script and the rubric are taken
 * out of the form itself (<script id="rubric-scoring"> and
 * <script id="rubric-data">), so the test checks what the page runs.
 */
"use strict";

const fs = require("fs");
const vm = require("vm");

function block(html, pattern, what) {
  const found = html.match(pattern);
  if (!found) throw new Error(what + " not found in the form");
  return found[1];
}

function loadForm(path) {
  const html = fs.readFileSync(path, "utf8");
  const scoring = block(html, /<script id="rubric-scoring">([\s\S]*?)<\/script>/, "the scoring script");
  const data = block(html, /<script type="application\/json" id="rubric-data">([\s\S]*?)<\/script>/, "the rubric data");
  const sandbox = { module: { exports: {} } };
  vm.runInNewContext(scoring, sandbox, { filename: "rubric-scoring.js" });
  return { scoring: sandbox.module.exports, rubric: JSON.parse(data) };
}

function main(argv) {
  const flags = argv.filter((arg) => arg.startsWith("--"));
  const [formPath, findingsPath] = argv.filter((arg) => !arg.startsWith("--"));
  if (!formPath || !findingsPath) {
    process.stderr.write("usage: node score_findings.js FORM.html FINDINGS.json [--partial] [--validate]\n");
    return 2;
  }
  const { scoring, rubric } = loadForm(formPath);
  const options = { partial: flags.includes("--partial") };
  const batch = JSON.parse(fs.readFileSync(findingsPath, "utf8"));
  const results = batch.map((findings) =>
    flags.includes("--validate")
      ? scoring.validateFindings(rubric, findings, options)
      : scoring.scoreFindings(rubric, findings)
  );
  process.stdout.write(JSON.stringify(results) + "\n");
  return 0;
}

process.exitCode = main(process.argv.slice(2));
