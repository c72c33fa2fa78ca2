/* The form's scoring: docs/findings.md in JavaScript.
 *
 * scoreFindings(rubric, findings) returns the same result as the generated
 * scorer.py's score(findings, partial=True); validateFindings(rubric,
 * findings, {partial}) lists what is wrong with a findings file, by the
 * scorer's validate() rules.  `rubric` is the model as
 * `rubricdsl inspect` prints it.  Pure functions, no DOM: the form inlines
 * this file and tests run it under Node.js against the Python scorer.
 *
 * Points are exact: every point value is held as a whole number of units
 * (10^-places, places being the most decimal places any point value of the
 * rubric has), so 0.5-point deductions add up as they do in Python's Decimal.
 */
var RubricScoring = (function () {
  "use strict";

  var FINDINGS_FORMAT = "rubricdsl-findings/1";
  var RESULT_FORMAT = "rubricdsl-result/1";

  function decimalPlaces(value) {
    for (var places = 0; places < 12; places++) {
      var scale = Math.pow(10, places);
      if (Math.round(value * scale) / scale === value) return places;
    }
    return 12;
  }

  /* Every point value a rubric holds, to find the units it needs. */
  function pointValues(rubric) {
    var values = [rubric.full_marks, rubric.pass_mark];
    rubric.grades.forEach(function (grade) { values.push(grade.threshold); });
    rubric.sections.forEach(function (section) {
      values.push(section.points);
      section.items.forEach(function (item) {
        values.push(item.points);
        item.groups.forEach(function (group) {
          values.push(group.points);
          group.requirements.forEach(function (r) { ruleValues(r.rule, values); });
        });
        item.requirements.forEach(function (r) { ruleValues(r.rule, values); });
        item.tiers.forEach(function (tier) { values.push(tier.points); });
        item.choices.forEach(function (choice) { values.push(choice.points); });
        if (item.otherwise) values.push(item.otherwise.points);
      });
    });
    return values;
  }

  function ruleValues(rule, values) {
    if (!rule) return;
    if (rule.amount !== undefined) values.push(rule.amount);
    (rule.levels || []).forEach(function (level) { values.push(level.amount); });
    (rule.bands || []).forEach(function (band) { values.push(band.amount); });
  }

  /* Exact arithmetic on the rubric's point values. */
  function Units(rubric) {
    var places = 0;
    pointValues(rubric).forEach(function (value) { places = Math.max(places, decimalPlaces(value)); });
    var scale = Math.pow(10, places);
    return {
      of: function (value) { return Math.round(value * scale); },
      // A whole number of units divided by a power of ten is the double
      // nearest the exact decimal, which JSON prints as that decimal.
      value: function (units) { return units / scale; }
    };
  }

  function contains(interval, value) {
    if (interval.low !== null && (value < interval.low || (value === interval.low && !interval.low_inclusive))) return false;
    if (interval.high !== null && (value > interval.high || (value === interval.high && !interval.high_inclusive))) return false;
    return true;
  }

  function find(list, key) {
    for (var i = 0; i < list.length; i++) if (list[i].key === key) return list[i];
    return null;
  }

  /* [requirement, key in the findings] for every requirement of an item. */
  function requirementsOf(item) {
    var found = item.requirements.map(function (r) { return [r, r.key]; });
    item.groups.forEach(function (group) {
      group.requirements.forEach(function (r) { found.push([r, group.key + "." + r.key]); });
    });
    return found;
  }

  /* A requirement scored by a measure (threshold or bands) has no answer of its own. */
  function measureOf(requirement) {
    var rule = requirement.rule;
    if (!rule) return null;
    if (rule.kind === "threshold") return rule.when.measure;
    if (rule.kind === "bands") return rule.measure;
    return null;
  }

  function isAward(item) { return item.kind === "tiers" || item.kind === "choices"; }

  /* The deduction one requirement makes, or null. */
  function deduction(units, requirement, answer, measures) {
    var rule = requirement.rule;
    if (!rule) return null;
    var amount = 0, detail = null, line = rule.line;
    if (rule.kind === "threshold") {
      var measured = measures[rule.when.measure];
      if (!contains(rule.when, measured)) return null;
      amount = units.of(rule.amount);
      detail = measuredDetail(rule.when.text, rule.when.measure, measured);
    } else if (rule.kind === "bands") {
      var value = measures[rule.measure];
      var band = null;
      rule.bands.forEach(function (b) { if (band === null && contains(b.when, value)) band = b; });
      if (band === null) return null;
      amount = units.of(band.amount);
      detail = measuredDetail("band " + band.key + ": " + band.when.text, rule.measure, value);
      line = band.line;
    } else if (rule.kind === "levels") {
      if (answer === true) return null;
      var level = find(rule.levels, answer);
      amount = units.of(level.amount);
      detail = "level " + level.key + ": " + level.label;
      line = level.line;
    } else if (rule.kind === "each" && requirement.parts.length) {
      var missing = requirement.parts.filter(function (part) { return answer[part.key] === false; });
      if (!missing.length) return null;
      amount = units.of(rule.amount) * missing.length;
      detail = missing.map(function (part) { return "missing " + part.key + ": " + part.label; }).join("; ");
    } else {
      if (answer === true) return null;
      amount = units.of(rule.amount);
    }
    return { units: amount, text: rule.text, detail: detail, line: line };
  }

  function measuredDetail(text, measure, value) {
    return text + " (" + measure + " = " + plainNumber(value) + ")";
  }

  /* A number as the scorer prints it: 45, 92.5, 0.0000001 (never 1e-7). */
  function plainNumber(value) {
    var text = String(value);
    var match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
    if (!match) return text;
    var digits = match[2] + (match[3] || ""), exponent = Number(match[4]);
    if (exponent < 0) return match[1] + "0." + new Array(-exponent).join("0") + digits;
    while (digits.length <= exponent) digits += "0";
    return match[1] + digits.slice(0, exponent + 1) + (digits.length > exponent + 1 ? "." + digits.slice(exponent + 1) : "");
  }

  /* Deductions of a list of requirements against a cap: [units deducted, score units, capped, deductions]. */
  function deduct(units, pairs, answers, measures, cap, itemPath) {
    var total = 0, listed = [];
    pairs.forEach(function (pair) {
      var requirement = pair[0], key = pair[1];
      var found = deduction(units, requirement, answers[key], measures);
      if (found === null) return;
      total += found.units;
      listed.push({
        path: itemPath + "." + key,
        amount: units.value(found.units),
        text: found.text,
        detail: found.detail,
        line: found.line
      });
    });
    // Clause 8.3: the cap is the most that can be lost.
    return { score: Math.max(0, cap - total), capped: total > 0 && total >= cap, deductions: listed };
  }

  function scoreAssessed(units, item, path, finding) {
    var answers = finding.requirements || {};
    var measures = finding.measures || {};
    var points = units.of(item.points);
    if (item.kind === "tiers") {
      var measure = item.tiers[0].when.measure;
      var value = measures[measure];
      var tier = null;
      item.tiers.forEach(function (t) { if (tier === null && contains(t.when, value)) tier = t; });
      if (tier !== null) {
        return { score: Math.min(points, units.of(tier.points)), capped: false, deductions: [],
                 award: { tier: tier.key, text: tier.text, value: value } };
      }
      return otherwise(units, item, points);
    }
    if (item.kind === "choices") {
      var choice = finding.choice === null || finding.choice === undefined ? null : find(item.choices, finding.choice);
      if (choice !== null) {
        return { score: Math.min(points, units.of(choice.points)), capped: false, deductions: [],
                 award: { choice: choice.key, text: choice.text } };
      }
      return otherwise(units, item, points);
    }
    if (item.kind === "groups") {
      var score = 0, capped = false, deductions = [];
      item.groups.forEach(function (group) {
        var pairs = group.requirements.map(function (r) { return [r, group.key + "." + r.key]; });
        var scored = deduct(units, pairs, answers, measures, units.of(group.points), path);
        score += scored.score;
        capped = capped || scored.capped;
        deductions = deductions.concat(scored.deductions);
      });
      return { score: score, capped: capped, deductions: deductions, award: null };
    }
    var pairs = item.requirements.map(function (r) { return [r, r.key]; });
    var result = deduct(units, pairs, answers, measures, points, path);
    result.award = null;
    return result;
  }

  /* No tier holds the value, or no choice was reached: the `otherwise`
   * points, 0 without one. */
  function otherwise(units, item, points) {
    var earned = item.otherwise ? Math.min(points, units.of(item.otherwise.points)) : 0;
    return { score: earned, capped: false, deductions: [], award: { otherwise: true } };
  }

  /* The result of docs/findings.md for a valid findings file.  Items
   * missing from the file (or with status null) count 0 and are listed in
   * not_assessed, as `--partial` scores them. */
  function scoreFindings(rubric, findings) {
    var units = Units(rubric);
    var found = findings.items || {};
    var total = 0;
    var notAssessed = [];
    var sections = rubric.sections.map(function (section) {
      var sectionScore = 0;
      var items = section.items.map(function (item) {
        var path = item.path;
        var finding = Object.prototype.hasOwnProperty.call(found, path) ? found[path] : null;
        var scored, status, reason = null;
        if (finding === null || finding.status === null) {
          status = "not_assessed";
          notAssessed.push(path);
          scored = { score: 0, capped: false, deductions: [], award: null };
        } else {
          status = finding.status;
          if (status === "not_applicable") {
            reason = finding.reason;
            scored = { score: units.of(item.points), capped: false, deductions: [], award: null };
          } else if (status === "absent") {
            scored = { score: 0, capped: false, deductions: [], award: null };
          } else {
            scored = scoreAssessed(units, item, path, finding);
          }
        }
        sectionScore += scored.score;
        return {
          path: path,
          title: item.title,
          points: item.points,
          status: status,
          score: units.value(scored.score),
          capped: scored.capped,
          reason: reason,
          deductions: scored.deductions,
          award: scored.award
        };
      });
      total += sectionScore;
      return { key: section.key, title: section.title, points: section.points, score: units.value(sectionScore), items: items };
    });
    var grade = null;
    rubric.grades.forEach(function (g) { if (units.of(g.threshold) <= total) grade = { key: g.key, label: g.label }; });
    var conditions = findings.conditions || {};
    var unmet = [], advisory = [];
    rubric.conditions.forEach(function (condition) {
      if (conditions[condition.key] === true) return;
      (condition.advisory ? advisory : unmet).push(condition.key);
    });
    return {
      format: RESULT_FORMAT,
      rubric: { id: rubric.id, version: rubric.version, title: rubric.title, source_sha256: rubric.source.sha256 },
      organization: findings.organization,
      date: findings.date,
      evaluators: findings.evaluators,
      remarks: findings.remarks,
      sections: sections,
      total: units.value(total),
      full_marks: rubric.full_marks,
      pass_mark: rubric.pass_mark,
      passed: total >= units.of(rubric.pass_mark),
      grade: grade,
      eligible: unmet.length === 0,
      unmet_conditions: unmet,
      advisory_unmet: advisory,
      not_assessed: notAssessed
    };
  }

  // ---- validation -----------------------------------------------------

  function isObject(value) { return value !== null && typeof value === "object" && !Array.isArray(value); }
  function isNumber(value) { return typeof value === "number" && isFinite(value); }
  function has(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }
  // Keys starting with "_" are the evaluator's notes: allowed anywhere, never scored.
  function isNote(key) { return key.charAt(0) === "_"; }

  function isDate(text) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!match) return false;
    var year = Number(match[1]), month = Number(match[2]), day = Number(match[3]);
    var date = new Date(Date.UTC(year, month - 1, day));
    return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  }

  /* Problems of a findings file: [{path, problem, detail}], empty when it
   * can be scored; `problem` is a code the form puts into words.  The rules
   * are the scorer's validate(): with options.partial, items and conditions
   * may be missing or null, and the organisation, date and names blank. */
  function validateFindings(rubric, findings, options) {
    var partial = !!(options && options.partial);
    var problems = [];
    function add(path, problem, detail) { problems.push({ path: path, problem: problem, detail: detail === undefined ? null : detail }); }
    function keys(path, value, allowed, required) {
      Object.keys(value).forEach(function (key) {
        if (!isNote(key) && allowed.indexOf(key) < 0) add(path ? path + "." + key : key, "unknown");
      });
      required.forEach(function (key) {
        if (!has(value, key)) add(path ? path + "." + key : key, "missing");
      });
    }
    if (!isObject(findings)) { add("", "not_object"); return problems; }
    if (has(findings, "format") && findings.format !== FINDINGS_FORMAT) { add("format", "wrong_format", FINDINGS_FORMAT); return problems; }
    if (isObject(findings.rubric) && (findings.rubric.id !== rubric.id || findings.rubric.version !== rubric.version)) {
      add("rubric", "wrong_rubric", { id: String(findings.rubric.id), version: String(findings.rubric.version) });
      return problems;
    }
    var header = ["format", "rubric", "organization", "date", "evaluators", "remarks", "conditions", "items"];
    keys("", findings, header, header);
    if (has(findings, "rubric")) {
      if (!isObject(findings.rubric)) add("rubric", "not_object");
      else keys("rubric", findings.rubric, ["id", "version"], ["id", "version"]);
    }
    ["organization", "remarks"].forEach(function (key) {
      if (has(findings, key) && typeof findings[key] !== "string") add(key, "not_string");
    });
    if (!partial && typeof findings.organization === "string" && !findings.organization.trim()) add("organization", "no_organization");
    if (has(findings, "date")) {
      var date = findings.date;
      if (typeof date !== "string" || ((date || !partial) && !isDate(date))) add("date", "not_date");
    }
    if (has(findings, "evaluators")) {
      var evaluators = findings.evaluators;
      if (!Array.isArray(evaluators)) add("evaluators", "not_names");
      else {
        if (!evaluators.length && !partial) add("evaluators", "not_names");
        evaluators.forEach(function (name, index) {
          if (typeof name !== "string" || !(partial || name.trim())) add("evaluators." + index, "not_name");
        });
      }
    }
    if (has(findings, "conditions")) {
      if (!isObject(findings.conditions)) add("conditions", "not_object");
      else {
        var conditionKeys = rubric.conditions.map(function (c) { return c.key; });
        keys("conditions", findings.conditions, conditionKeys, partial ? [] : conditionKeys);
        conditionKeys.forEach(function (key) {
          if (!has(findings.conditions, key)) return;
          var value = findings.conditions[key];
          if (typeof value !== "boolean" && !(partial && value === null)) add("conditions." + key, "not_boolean");
        });
      }
    }
    if (has(findings, "items")) {
      if (!isObject(findings.items)) add("items", "not_object");
      else validateItems(rubric, findings.items, add, keys, partial);
    }
    return problems;
  }

  function validateItems(rubric, items, add, keys, partial) {
    var all = {}, paths = [];
    rubric.sections.forEach(function (section) {
      section.items.forEach(function (item) { all[item.path] = item; paths.push(item.path); });
    });
    keys("items", items, paths, partial ? [] : paths);
    paths.forEach(function (path) {
      if (!has(items, path)) return;
      var item = all[path];
      var where = "items." + path, finding = items[path];
      if (!isObject(finding)) { add(where, "not_object"); return; }
      if (!has(finding, "status")) { add(where + ".status", "missing"); return; }
      var status = finding.status;
      if (status === null && partial) return;
      if (status === "not_applicable") {
        keys(where, finding, ["status", "reason"], ["status", "reason"]);
        if (has(finding, "reason") && (typeof finding.reason !== "string" || !finding.reason.trim())) add(where + ".reason", "no_reason");
        return;
      }
      if (status === "absent") { keys(where, finding, ["status"], ["status"]); return; }
      if (status !== "assessed") { add(where + ".status", "bad_status"); return; }
      validateAssessed(item, where, finding, add, keys);
    });
  }

  function validateAssessed(item, where, finding, add, keys) {
    var shape = ["status"];
    var answered = requirementsOf(item).filter(function (pair) { return measureOf(pair[0]) === null; });
    if (answered.length) shape.push("requirements");
    if (item.measures.length) shape.push("measures");
    if (item.kind === "choices") shape.push("choice");
    keys(where, finding, shape, shape);
    if (answered.length && has(finding, "requirements")) {
      var answers = finding.requirements;
      if (!isObject(answers)) add(where + ".requirements", "not_object");
      else {
        var answerKeys = answered.map(function (pair) { return pair[1]; });
        keys(where + ".requirements", answers, answerKeys, answerKeys);
        answered.forEach(function (pair) {
          if (has(answers, pair[1])) validateAnswer(pair[0], answers[pair[1]], where + ".requirements." + pair[1], add, keys);
        });
      }
    }
    if (item.measures.length && has(finding, "measures")) {
      var measures = finding.measures;
      if (!isObject(measures)) add(where + ".measures", "not_object");
      else {
        var measureKeys = item.measures.map(function (m) { return m.key; });
        keys(where + ".measures", measures, measureKeys, measureKeys);
        item.measures.forEach(function (measure) {
          if (!has(measures, measure.key)) return;
          var value = measures[measure.key];
          var at = where + ".measures." + measure.key;
          if (!isNumber(value)) add(at, "not_number");
          else if (value < measure.low || value > measure.high) add(at, "out_of_range", { low: measure.low, high: measure.high });
        });
      }
    }
    if (item.kind === "choices" && has(finding, "choice")) {
      var choice = finding.choice;
      if (choice !== null && (typeof choice !== "string" || !find(item.choices, choice))) add(where + ".choice", "bad_value");
    }
  }

  function validateAnswer(requirement, answer, at, add, keys) {
    if (requirement.parts.length) {
      if (!isObject(answer)) { add(at, "not_parts"); return; }
      var partKeys = requirement.parts.map(function (p) { return p.key; });
      keys(at, answer, partKeys, partKeys);
      partKeys.forEach(function (key) {
        if (has(answer, key) && typeof answer[key] !== "boolean") add(at + "." + key, "not_boolean");
      });
      return;
    }
    if (requirement.rule && requirement.rule.kind === "levels") {
      if (answer !== true && (typeof answer !== "string" || !find(requirement.rule.levels, answer))) add(at, "bad_value");
      return;
    }
    if (typeof answer !== "boolean") add(at, "not_boolean");
  }

  var unitsCache = { rubric: null, units: null };

  /* The points one requirement loses for an answer (with the item's
   * measured values), or null when it loses none: for the form to show
   * beside the requirement before its item is finished. */
  function deductionOf(rubric, requirement, answer, measures) {
    if (unitsCache.rubric !== rubric) unitsCache = { rubric: rubric, units: Units(rubric) };
    var found = deduction(unitsCache.units, requirement, answer, measures);
    return found === null ? null : unitsCache.units.value(found.units);
  }

  return {
    FINDINGS_FORMAT: FINDINGS_FORMAT,
    deductionOf: deductionOf,
    scoreFindings: scoreFindings,
    validateFindings: validateFindings,
    requirementsOf: requirementsOf,
    measureOf: measureOf,
    isAward: isAward,
    contains: contains
  };
})();

if (typeof module !== "undefined" && module.exports) module.exports = RubricScoring;
