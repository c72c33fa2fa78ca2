#!/usr/bin/env node
/* Runs the scoring JavaScript of a built form.html under Node.js.
 *
 *   node score_findings.js FORM.html FINDINGS.json [--partial] [--validate] [--rescore] [--memo]
 *
 * FINDINGS.json holds a JSON array of findings; prints a JSON array with
 * one entry per findings: scoreFindings()'s result (written by
 * resultJson(), every number with its exact digits), or with --validate the
 * list of validateFindings() problems (--partial: by the partial rules).
 * With --memo the batch is scored as the form scores it, with one memo: an
 * item's finding equal to one scored before is passed as that same object,
 * so its remembered result is used.
 * The script and the scoring plan are taken out of the form itself
 * (<script id="rubric-scoring"> and <script id="rubric-plan">), so the test
 * checks what the page runs.
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
  const data = block(html, /<script type="application\/json" id="rubric-plan">([\s\S]*?)<\/script>/, "the scoring plan");
  const sandbox = { module: { exports: {} } };
  vm.runInNewContext(scoring, sandbox, { filename: "rubric-scoring.js" });
  return { scoring: sandbox.module.exports, plan: JSON.parse(data) };
}

function main(argv) {
  const flags = argv.filter((arg) => arg.startsWith("--"));
  const [formPath, findingsPath] = argv.filter((arg) => !arg.startsWith("--"));
  if (!formPath || !findingsPath) {
    process.stderr.write("usage: node score_findings.js FORM.html FINDINGS.json [--partial] [--validate] [--rescore] [--memo]\n");
    return 2;
  }
  const { scoring, plan } = loadForm(formPath);
  const options = { partial: flags.includes("--partial"), rescore: flags.includes("--rescore") };
  const batch = JSON.parse(fs.readFileSync(findingsPath, "utf8"));
  if (flags.includes("--memo")) {
    options.memo = new WeakMap();
    const seen = new Map();
    batch.forEach((findings) => {
      const items = findings.items || {};
      Object.keys(items).forEach((path) => {
        const key = path + "\u0000" + JSON.stringify(items[path]);
        if (seen.has(key)) items[path] = seen.get(key);
        else seen.set(key, items[path]);
      });
    });
  }
  const results = batch.map((findings) =>
    flags.includes("--validate")
      ? JSON.stringify(scoring.validateFindings(plan, findings, options))
      : scoring.resultJson(scoring.scoreFindings(plan, findings, options))
  );
  process.stdout.write("[" + results.join(",\n") + "]\n");
  return 0;
}

process.exitCode = main(process.argv.slice(2));
