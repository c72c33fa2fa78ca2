#!/usr/bin/env node
/* Runs the panel's JavaScript of a built page under Node.js.
 *
 *   node run_panel.js PAGE.html digest TEXTS.json
 *       TEXTS.json: a JSON array of JSON texts; prints each one's digest
 *       (RubricDigest.digestOf of the parsed text), as the page computes it.
 *   node run_panel.js PAGE.html panel PANELS.json
 *       PANELS.json: a JSON array of {members: [member file, ...],
 *       decisions: {item path: decision}, lead, time, remarks, method,
 *       disagreement}; prints for each the
 *       panel file (RubricPanel.panelFile, with its own digest, as the page
 *       exports it), the reasons missing and the figures.
 *
 * The scripts and the plan are taken out of the page itself (<script
 * id="rubric-scoring">, "rubric-digest", "rubric-panel", and the plan), so
 * the tests check what the page runs.
 */
"use strict";

const fs = require("fs");
const vm = require("vm");

function block(html, id) {
  const found = html.match(new RegExp('<script(?: type="application/json")? id="' + id + '">([\\s\\S]*?)</script>'));
  if (!found) throw new Error(id + " not found in the page");
  return found[1];
}

function load(path, withPanel) {
  const html = fs.readFileSync(path, "utf8");
  const sandbox = { module: undefined, TextEncoder: TextEncoder };
  vm.createContext(sandbox);
  vm.runInContext(block(html, "rubric-scoring"), sandbox, { filename: "rubric-scoring.js" });
  vm.runInContext(block(html, "rubric-digest"), sandbox, { filename: "rubric-digest.js" });
  if (withPanel) vm.runInContext(block(html, "rubric-panel"), sandbox, { filename: "rubric-panel.js" });
  vm.runInContext("this.RubricScoring = RubricScoring; this.RubricDigest = RubricDigest;" +
    (withPanel ? "this.RubricPanel = RubricPanel;" : ""), sandbox);
  return { sandbox: sandbox, plan: JSON.parse(block(html, "rubric-plan")) };
}

function withoutNotes(value) {
  if (Array.isArray(value)) return value.map(withoutNotes);
  if (value === null || typeof value !== "object") return value;
  const copy = {};
  Object.keys(value).forEach((key) => { if (key.charAt(0) !== "_" && key !== "digest") copy[key] = withoutNotes(value[key]); });
  return copy;
}

function main(argv) {
  const [page, command, input] = argv;
  const batch = JSON.parse(fs.readFileSync(input, "utf8"));
  if (command === "digest") {
    const { sandbox } = load(page, false);
    process.stdout.write(JSON.stringify(batch.map((text) => sandbox.RubricDigest.digestOf(JSON.parse(text)))) + "\n");
    return 0;
  }
  const { sandbox, plan } = load(page, true);
  const Scoring = sandbox.RubricScoring, Panel = sandbox.RubricPanel;
  const out = batch.map((entry) => {
    // A method and threshold other than the rubric's, as `rubricdsl panel --combine/--disagreement` give them.
    const used = Object.assign({}, plan, { panel: Object.assign({}, plan.panel, entry.method ? { method: entry.method, disagreement: entry.disagreement } : {}) });
    const members = entry.members.map((findings) => ({
      evaluator: findings.evaluators[0], digest: findings.digest, findings: findings,
      result: Scoring.scoreFindings(used, withoutNotes(findings), { partial: true })
    }));
    const combined = Panel.combine(used, members);
    const made = Panel.panelFile(combined, entry.decisions, entry.lead, entry.time, entry.remarks || "");
    return "{\"file\":" + Panel.panelFileText(made.file, sandbox.RubricDigest) + ",\"missing\":" +
      JSON.stringify(Panel.missingReasons(combined, entry.decisions)) + ",\"figures\":" + Scoring.resultJson(made.figures) + "}";
  });
  process.stdout.write("[" + out.join(",\n") + "]\n");
  return 0;
}

process.exitCode = main(process.argv.slice(2));
