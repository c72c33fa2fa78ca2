/* The form's scoring: an evaluator of the scoring plan (rubricdsl/plan.py,
 * `plan_json`), which the page embeds as #rubric-plan.
 *
 * Python decides once: the unit of points, every amount and cap in units,
 * awards already capped, the answer keys and kinds, the detail texts, the
 * clause 8.2 policies.  This file only applies those decisions to findings,
 * by docs/findings.md, and re-derives none of them.
 *
 * scoreFindings(plan, findings, {rescore}) returns what the generated
 * scorer.py's score(findings, partial=True) returns; validateFindings(plan,
 * findings, {partial, rescore}) lists what is wrong with a findings file by
 * the scorer's validate() rules.  Pure functions, no DOM: the form inlines
 * this file and tests run it under Node.js against the Python scorer.
 *
 * Exactness: units are BigInt (the plan writes them as decimal strings), and
 * a measured value is compared with a bound as an exact decimal (its
 * shortest digits, String(x)), never as a float.  A result number is a JS
 * number when that number's shortest digits are exactly the value; else
 * (more than ~15 significant digits) an Exact, which holds the digits as
 * text.  resultJson() writes both with their exact digits, as the Python
 * scorer's dumps() does; numberText() gives them for the page.
 */
var RubricScoring = (function () {
  "use strict";

  var ZERO = BigInt(0), ONE = BigInt(1), TEN = BigInt(10);

  /* What a reason holds when it says nothing: spaces of every kind and the
   * characters one does not see (a zero-width space, a byte-order mark);
   * the Python scorer's _BLANK, character for character. */
  var BLANK = /^[\t\n\v\f\r \x1c-\x1f\x85\xa0\xad\u061c\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff]*$/;

  function isBlank(text) {
    return BLANK.test(text);
  }

  // ---- exact decimals ---------------------------------------------------

  /* A number, or the text of one ("45", "-0.5", "1e-7"), as
   * {negative, digits: BigInt, exponent}: (-1)^negative * digits * 10^exponent;
   * null when it is not a finite decimal. */
  function parseDecimal(value) {
    if (typeof value === "number" && !isFinite(value)) return null;
    var text = typeof value === "number" ? String(value) : String(value).trim();
    var match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/.exec(text);
    if (!match || (match[2] + (match[3] || "")) === "") return null;
    var fraction = match[3] || "";
    var digits = BigInt(match[2] + fraction);
    return { negative: match[1] === "-" && digits !== ZERO, digits: digits, exponent: Number(match[4] || 0) - fraction.length };
  }

  function power(exponent) {
    var result = ONE;
    for (var i = 0; i < exponent; i++) result *= TEN;
    return result;
  }

  /* -1, 0 or 1 as a < b, a == b, a > b, exactly. */
  function compareDecimal(a, b) {
    if (a.digits === ZERO && b.digits === ZERO) return 0;
    if (a.negative !== b.negative || a.digits === ZERO || b.digits === ZERO) {
      var signA = a.digits === ZERO ? 0 : a.negative ? -1 : 1;
      var signB = b.digits === ZERO ? 0 : b.negative ? -1 : 1;
      return signA < signB ? -1 : 1;
    }
    var sign = a.negative ? -1 : 1;
    // Compare magnitudes first, so that 1e-900000 never builds 10^900000.
    var magnitudeA = a.digits.toString().length + a.exponent, magnitudeB = b.digits.toString().length + b.exponent;
    if (magnitudeA !== magnitudeB) return magnitudeA < magnitudeB ? -sign : sign;
    var low = Math.min(a.exponent, b.exponent);
    var left = a.digits * power(a.exponent - low), right = b.digits * power(b.exponent - low);
    return left === right ? 0 : (left < right ? -sign : sign);
  }

  /* A measured value or a bound (decimal string of the plan) within a plan interval. */
  function contains(bound, value) {
    var measured = parseDecimal(value);
    if (bound.low !== null) {
      var low = compareDecimal(measured, parseDecimal(bound.low));
      if (low < 0 || (low === 0 && !bound.low_inclusive)) return false;
    }
    if (bound.high !== null) {
      var high = compareDecimal(measured, parseDecimal(bound.high));
      if (high > 0 || (high === 0 && !bound.high_inclusive)) return false;
    }
    return true;
  }

  /* BigInt / 10^places as the plan's decimal_text prints it: 5, 0.5, 0.0000001. */
  function decimalText(value, places) {
    var negative = value < ZERO;
    var digits = (negative ? -value : value).toString();
    if (places > 0) {
      while (digits.length <= places) digits = "0" + digits;
      var whole = digits.slice(0, digits.length - places), fraction = digits.slice(digits.length - places).replace(/0+$/, "");
      digits = fraction ? whole + "." + fraction : whole;
    }
    return (negative && digits !== "0" ? "-" : "") + digits;
  }

  /* A decimal in plain digits: 45, 92.5, 0.0000001 (never 1e-7). */
  function plainText(decimal) {
    var digits = decimal.digits.toString(), exponent = decimal.exponent;
    var text;
    if (exponent >= 0) text = decimal.digits === ZERO ? "0" : digits + new Array(exponent + 1).join("0");
    else text = decimalText(decimal.digits, -exponent);
    return (decimal.negative ? "-" : "") + text;
  }

  /* A result number holding digits a double cannot: its exact text. */
  function Exact(text) { this.text = text; }
  Exact.prototype.toString = function () { return this.text; };
  Exact.prototype.valueOf = function () { return Number(this.text); };
  // JSON.stringify writes the digits as a string rather than round them silently.
  Exact.prototype.toJSON = function () { return this.text; };

  /* Exact decimal text -> the result number: a JS number when its shortest
   * digits are the value exactly, else an Exact. */
  function resultNumber(text) {
    var number = Number(text);
    return compareDecimal(parseDecimal(number), parseDecimal(text)) === 0 ? number : new Exact(text);
  }

  /* A result number (or a measured value) as the page and resultJson write it. */
  function numberText(value) {
    if (value instanceof Exact) return value.text;
    return plainText(parseDecimal(value));
  }

  /* A result as JSON text, every number with its exact digits (the Python
   * scorer's dumps()); `indent` as JSON.stringify's. */
  function resultJson(value, indent) {
    var step = typeof indent === "number" ? new Array(indent + 1).join(" ") : "";
    function write(inner, depth) {
      if (inner instanceof Exact) return inner.text;
      if (typeof inner === "number") return numberText(inner);
      if (inner === null || typeof inner !== "object") return JSON.stringify(inner);
      var open = step ? "\n" + new Array(depth + 2).join(step) : "";
      var close = step ? "\n" + new Array(depth + 1).join(step) : "";
      var parts;
      if (Array.isArray(inner)) {
        if (!inner.length) return "[]";
        parts = inner.map(function (member) { return open + write(member, depth + 1); });
        return "[" + parts.join(",") + close + "]";
      }
      var keys = Object.keys(inner).filter(function (key) { return inner[key] !== undefined; });
      if (!keys.length) return "{}";
      parts = keys.map(function (key) { return open + JSON.stringify(key) + (step ? ": " : ":") + write(inner[key], depth + 1); });
      return "{" + parts.join(",") + close + "}";
    }
    return write(value, 0);
  }

  // ---- the plan ---------------------------------------------------------------

  /* Units of one plan: BigInt in, result numbers out. */
  function Units(plan) {
    var places = plan.places;
    return {
      of: function (text) { return BigInt(text); },
      points: function (units) { return resultNumber(decimalText(units, places)); }
    };
  }

  function find(list, key) {
    for (var i = 0; i < list.length; i++) if (list[i].key === key) return list[i];
    return null;
  }

  /* Keys of the rubric index objects by their own properties only: a key
   * may be "constructor" or "toString", which every plain object inherits. */
  function has(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }

  /* An object's own property, or undefined. */
  function own(object, key) { return has(object, key) ? object[key] : undefined; }

  /* A map keyed by rubric keys: no inherited members, and "__proto__" is a key like any other. */
  function map() { return Object.create(null); }

  /* Every item of the plan, in rubric order. */
  function itemsOf(plan) {
    var all = [];
    plan.sections.forEach(function (section) { section.items.forEach(function (item) { all.push(item); }); });
    return all;
  }

  /* Every rule of an item (its groups' included), by its key under "requirements". */
  function rulesOf(item) {
    var rules = item.rules.slice();
    item.groups.forEach(function (group) { rules = rules.concat(group.rules); });
    return rules;
  }

  function ruleOf(item, key) { return find(rulesOf(item), key); }

  /* The measure that decides a rule (threshold or bands), or null. */
  function measureOf(rule) {
    return rule && (rule.kind === "threshold" || rule.kind === "bands") ? rule.measure : null;
  }

  // ---- scoring ----------------------------------------------------------------

  function measuredDetail(text, measure, value) {
    return text + " (" + measure + " = " + numberText(value) + ")";
  }

  /* What one rule deducts for an answer and the item's measured values:
   * {units, detail, line}, or null when it deducts nothing (met). */
  function deduction(rule, answer, measures) {
    var units = BigInt(rule.amount);
    if (rule.kind === "threshold") {
      var measured = own(measures, rule.measure);
      if (!contains(rule.when, measured)) return null;
      return { units: units, detail: measuredDetail(rule.when.text, rule.measure, measured), line: rule.line };
    }
    if (rule.kind === "bands") {
      var value = own(measures, rule.measure);
      for (var i = 0; i < rule.choices.length; i++) {
        var band = rule.choices[i];
        if (contains(band.when, value)) {
          return { units: BigInt(band.amount), detail: measuredDetail(band.detail, rule.measure, value), line: band.line };
        }
      }
      return null;
    }
    if (rule.kind === "levels") {
      if (answer === true) return null;
      var level = find(rule.choices, answer);
      return { units: BigInt(level.amount), detail: level.detail, line: level.line };
    }
    if (rule.kind === "parts") {
      var missing = rule.choices.filter(function (part) { return own(answer, part.key) === false; });
      if (!missing.length) return null;
      return {
        units: units * BigInt(missing.length),
        detail: missing.map(function (part) { return part.detail; }).join("; "),
        line: rule.line
      };
    }
    if (answer === true) return null;
    return { units: units, detail: null, line: rule.line };
  }

  /* Whether a rule is unmet for the nothing-met policy: it deducts, and
   * for parts, every part is missing. */
  function unmet(rule, answer, found) {
    if (found === null) return false;
    if (rule.kind === "parts") return rule.choices.every(function (part) { return own(answer, part.key) === false; });
    return true;
  }

  /* Rules against a cap (units): {score, capped, deductions, zero_rule}. */
  function deduct(plan, units, rules, cap, itemPath, answers, measures) {
    var lost = ZERO, listed = [], nothingMet = rules.length > 0;
    rules.forEach(function (rule) {
      var answer = own(answers, rule.key);
      var found = deduction(rule, answer, measures);
      if (!unmet(rule, answer, found)) nothingMet = false;
      if (found === null) return;
      lost += found.units;
      listed.push({ path: itemPath + "." + rule.key, amount: units.points(found.units), text: rule.text,
                    detail: found.detail, line: found.line });
    });
    var policy = plan.policies.nothing_met;
    var zero = nothingMet && policy.value === "zero";
    // Clause 8.3: the cap is the most that can be lost.
    var score = lost < cap ? cap - lost : ZERO;
    return { score: zero ? ZERO : score, capped: lost > ZERO && lost >= cap, deductions: listed,
             zero_rule: zero ? { clause: policy.clause } : null };
  }

  /* The score and applicable points of something ruled not applicable (8.2). */
  function notApplicable(plan, points) {
    var full = plan.policies.not_applicable.value === "full";
    return { score: full ? points : ZERO, applicable: full ? points : ZERO };
  }

  function scoreGroups(plan, units, item, finding, answers, measures) {
    var rulings = finding.groups || {};
    var total = ZERO, applicable = ZERO, capped = false, zeroRule = null, deductions = [];
    var groups = item.groups.map(function (group) {
      var ruling = has(rulings, group.key) ? rulings[group.key] : { status: "assessed" };
      var points = BigInt(group.points);
      var scored = { score: ZERO, capped: false, deductions: [], zero_rule: null }, groupApplicable = points, reason = null;
      if (ruling.status === "not_applicable") {
        var ruled = notApplicable(plan, points);
        scored.score = ruled.score;
        groupApplicable = ruled.applicable;
        reason = ruling.reason;
      } else if (ruling.status === "assessed") {
        scored = deduct(plan, units, group.rules, points, item.path, answers, measures);
      }
      total += scored.score;
      applicable += groupApplicable;
      capped = capped || scored.capped;
      if (scored.zero_rule) zeroRule = zeroRule || scored.zero_rule;
      deductions = deductions.concat(scored.deductions);
      return {
        key: group.key, path: group.path, heading: group.heading, points: units.points(points),
        status: ruling.status, score: units.points(scored.score), capped: scored.capped, reason: reason,
        zero_rule: scored.zero_rule, applicable_points: units.points(groupApplicable), deductions: scored.deductions
      };
    });
    return { score: total, applicable: applicable, capped: capped, zero_rule: zeroRule, deductions: deductions,
             groups: groups, award: null };
  }

  function award(units, item, found) {
    var points = found ? BigInt(found.points) : BigInt(item.otherwise.points);
    return { score: points, applicable: BigInt(item.points), capped: false, zero_rule: null, deductions: [], groups: [] };
  }

  function scoreAssessed(plan, units, item, finding) {
    var answers = finding.requirements || {};
    var measures = finding.measures || {};
    var scored;
    if (item.kind === "tiers") {
      var tier = null;
      item.awards.forEach(function (t) { if (tier === null && contains(t.when, own(measures, t.when.measure))) tier = t; });
      scored = award(units, item, tier);
      scored.award = tier ? { tier: tier.key, text: tier.text, value: resultNumber(numberText(own(measures, tier.when.measure))) }
                          : { otherwise: true };
      return scored;
    }
    if (item.kind === "choices") {
      var choice = finding.choice === null ? null : find(item.awards, finding.choice);
      scored = award(units, item, choice);
      scored.award = choice ? { choice: choice.key, text: choice.text } : { otherwise: true };
      return scored;
    }
    if (item.kind === "groups") return scoreGroups(plan, units, item, finding, answers, measures);
    var points = BigInt(item.points);
    scored = deduct(plan, units, item.rules, points, item.path, answers, measures);
    scored.applicable = points;
    scored.groups = [];
    scored.award = null;
    return scored;
  }

  /* One item's result entry, with its score and applicable points in units. */
  function scoreItem(plan, units, item, finding, status) {
    var points = BigInt(item.points), reason = null;
    var scored = { score: ZERO, applicable: points, capped: false, zero_rule: null, deductions: [], groups: [], award: null };
    if (status === "not_applicable") {
      var ruled = notApplicable(plan, points);
      scored.score = ruled.score;
      scored.applicable = ruled.applicable;
      reason = finding.reason;
    } else if (status === "assessed") {
      scored = scoreAssessed(plan, units, item, finding);
    }
    var remarks = remarksOf(finding);
    // A group's deductions are the item's same objects: one remark each.
    scored.deductions.forEach(function (d) { d.remark = textOr(own(remarks.byRequirement, d.path.slice(item.path.length + 1))); });
    return {
      score: scored.score, applicable: scored.applicable,
      result: {
        path: item.path, title: item.title, points: units.points(points), status: status,
        score: units.points(scored.score), capped: scored.capped, reason: reason,
        zero_rule: scored.zero_rule, applicable_points: units.points(scored.applicable),
        groups: scored.groups, deductions: scored.deductions, award: scored.award,
        remark: remarks.remark, requirement_remarks: remarks.listed
      }
    };
  }

  /* Round half up n / d (BigInt, both >= 0). */
  function divideRounded(n, d) {
    var quotient = n / d, remainder = n % d;
    return remainder * BigInt(2) >= d ? quotient + ONE : quotient;
  }

  function textOr(value) { return typeof value === "string" ? value : ""; }

  /* An item's remarks (docs/findings.md): never scored, carried into the result. */
  function remarksOf(finding) {
    var byRequirement = finding && isObject(finding.requirement_remarks) ? finding.requirement_remarks : map();
    var listed = {};
    Object.keys(byRequirement).forEach(function (key) { if (!isNote(key) && textOr(byRequirement[key])) listed[key] = byRequirement[key]; });
    return { remark: textOr(finding && finding.remark), byRequirement: byRequirement, listed: listed };
  }

  /* The result of docs/findings.md for a valid findings file, scored as
   * `score(findings, partial=True)`: items missing (or with status null)
   * count 0 and are listed in not_assessed.  `options.memo`, a WeakMap kept
   * by the caller for one plan, remembers each item's finding object scored:
   * an item whose finding is the same object as last time is not scored
   * again (the form rescores only the item just answered).  A finding in it
   * must never be changed afterwards. */
  function scoreFindings(plan, findings, options) {
    var units = Units(plan);
    var memo = options && options.memo;
    var found = findings.items || {};
    var raw = ZERO, applicable = ZERO;
    var notAssessed = [];
    var sections = plan.sections.map(function (section) {
      var sectionScore = ZERO, sectionApplicable = ZERO;
      var items = section.items.map(function (item) {
        var path = item.path;
        var finding = has(found, path) ? found[path] : null;
        var status = finding === null || finding.status === null ? "not_assessed" : finding.status;
        if (status === "not_assessed") notAssessed.push(path);
        // An item without a finding is remembered by its plan entry.
        var remembered = memo ? memo.get(finding === null ? item : finding) : undefined;
        if (!remembered) {
          remembered = scoreItem(plan, units, item, finding, status);
          if (memo) memo.set(finding === null ? item : finding, remembered);
        }
        sectionScore += remembered.score;
        sectionApplicable += remembered.applicable;
        applicable += remembered.applicable;
        return remembered.result;
      });
      raw += sectionScore;
      return { key: section.key, title: section.title, points: units.points(BigInt(section.points)),
               score: units.points(sectionScore), applicable_points: units.points(sectionApplicable), items: items };
    });

    // The total and what compares with it, as the fraction total / denominator of units.
    var fullMarks = BigInt(plan.full_marks);
    var total = raw, denominator = ONE, totalNumber = units.points(raw);
    if (plan.policies.not_applicable.value === "excluded") {
      if (applicable === ZERO) {
        total = fullMarks;
        totalNumber = units.points(fullMarks);
      } else {
        // 实得分/应得分×满分, rounded half up to 0.01 point.
        var scale = BigInt(plan.scale);
        var hundredths = divideRounded(raw * fullMarks * BigInt(100), applicable * scale);
        total = hundredths * scale;
        denominator = BigInt(100);
        totalNumber = resultNumber(decimalText(hundredths, 2));
      }
    }
    function reaches(thresholdUnits) { return total >= BigInt(thresholdUnits) * denominator; }
    var grade = null;
    plan.grades.forEach(function (g) { if (reaches(g.threshold)) grade = { key: g.key, label: g.label }; });

    var conditions = findings.conditions || {};
    var unmetConditions = [], advisory = [], unrecorded = [];
    plan.conditions.forEach(function (condition) {
      var value = has(conditions, condition.key) ? conditions[condition.key] : null;
      if (value === null) unrecorded.push(condition.key);
      if (value === true) return;
      (condition.advisory ? advisory : unmetConditions).push(condition.key);
    });
    return {
      format: plan.result_format,
      rubric: { id: plan.rubric.id, version: plan.rubric.version, title: plan.rubric.title,
                source_sha256: plan.rubric.source_sha256, content_hash: plan.rubric.content_hash },
      policies: {
        not_applicable: { value: plan.policies.not_applicable.value, clause: plan.policies.not_applicable.clause },
        nothing_met: { value: plan.policies.nothing_met.value, clause: plan.policies.nothing_met.clause }
      },
      organization: findings.organization,
      date: findings.date,
      evaluators: findings.evaluators,
      remarks: findings.remarks,
      sections: sections,
      total: totalNumber,
      raw_total: units.points(raw),
      applicable_points: units.points(applicable),
      full_marks: units.points(fullMarks),
      pass_mark: units.points(BigInt(plan.pass_mark)),
      passed: reaches(plan.pass_mark),
      grade: grade,
      eligible: unmetConditions.length === 0,
      // An organisation that may not be evaluated neither passes nor fails.
      conclusion: unmetConditions.length ? "not_eligible" : reaches(plan.pass_mark) ? "passed" : "failed",
      unmet_conditions: unmetConditions,
      advisory_unmet: advisory,
      not_assessed: notAssessed,
      unrecorded_conditions: unrecorded,
      provisional: notAssessed.length > 0 || unrecorded.length > 0,
      warnings: hashWarnings(plan, findings, options)
    };
  }

  /* The warnings docs/findings.md asks for: no content hash, or rescored
   * under another revision. */
  function hashWarnings(plan, findings, options) {
    var given = findings.rubric && findings.rubric.content_hash;
    if (given === undefined || given === null) {
      return [{ code: "no_content_hash", message: "the findings name no content hash of the rubric: they are scored under " +
        plan.rubric.content_hash + " without knowing which revision they were made under" }];
    }
    if (given !== plan.rubric.content_hash && options && options.rescore) {
      return [{ code: "rescored", message: "the findings were made under " + given +
        " and are rescored under this revision, " + plan.rubric.content_hash }];
    }
    return [];
  }

  /* Units of the plan (a decimal string) as the page prints them. */
  function pointsText(plan, units) { return decimalText(BigInt(units), plan.places); }

  /* The points one rule loses for an answer (with the item's measured
   * values), as a result number, or null when it loses none: for the form to
   * show beside a requirement before its item is finished. */
  function deductionOf(plan, rule, answer, measures) {
    var found = deduction(rule, answer, measures);
    return found === null ? null : resultNumber(decimalText(found.units, plan.places));
  }

  // ---- validation -----------------------------------------------------

  var STATUSES = ["assessed", "not_applicable", "absent"];

  function isObject(value) { return value !== null && typeof value === "object" && !Array.isArray(value); }
  function isNumber(value) { return typeof value === "number" && isFinite(value); }
  // Keys starting with "_" are the evaluator's notes: allowed anywhere, never scored.
  function isNote(key) { return key.charAt(0) === "_"; }

  function isDate(text) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!match) return false;
    var year = Number(match[1]), month = Number(match[2]), day = Number(match[3]);
    var date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);  // Date.UTC would read year 50 as 1950
    return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  }

  /* Problems of a findings file: [{path, problem, detail}], empty when it
   * can be scored; `problem` is a code the form puts into words.  The rules
   * are the scorer's validate(): with options.partial, items and conditions
   * may be missing or null, and the organisation, date and names blank;
   * options.rescore accepts findings made under another content hash. */
  function validateFindings(plan, findings, options) {
    var partial = !!(options && options.partial);
    var problems = [];
    function add(path, problem, detail) { problems.push({ path: path, problem: problem, detail: detail === undefined ? null : detail }); }
    function keys(path, value, allowed, required) {
      Object.keys(value).forEach(function (key) {
        if (!isNote(key) && allowed.indexOf(key) < 0) {
          var near = closest(key, allowed);
          add(path ? path + "." + key : key, "unknown", near === null ? null : { key: key, suggestion: near });
        }
      });
      required.forEach(function (key) {
        if (!has(value, key)) add(path ? path + "." + key : key, "missing");
      });
    }
    if (!isObject(findings)) { add("", "not_object"); return problems; }
    if (has(findings, "format") && findings.format !== plan.findings_format) {
      add("format", "wrong_format", plan.findings_format);
      return problems;
    }
    var rubric = findings.rubric;
    if (isObject(rubric) && (rubric.id !== plan.rubric.id || rubric.version !== plan.rubric.version)) {
      add("rubric", "wrong_rubric", { id: String(rubric.id), version: String(rubric.version) });
      return problems;
    }
    if (isObject(rubric) && has(rubric, "content_hash") && rubric.content_hash !== plan.rubric.content_hash &&
        !(options && options.rescore && typeof rubric.content_hash === "string")) {
      add("rubric.content_hash", "other_content", { hash: String(rubric.content_hash), own_hash: plan.rubric.content_hash });
      return problems;
    }
    var header = ["format", "rubric", "organization", "date", "evaluators", "remarks", "conditions", "items"];
    keys("", findings, header, header);
    if (has(findings, "rubric")) {
      if (!isObject(rubric)) add("rubric", "not_object");
      else keys("rubric", rubric, ["id", "version", "content_hash"], ["id", "version"]);
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
        var conditionKeys = plan.conditions.map(function (c) { return c.key; });
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
      else validateItems(plan, findings.items, add, keys, partial);
    }
    return problems;
  }

  /* A status object of an item or a group: whether it is to be validated further. */
  function validateStatus(where, finding, add, keys, partial) {
    if (!isObject(finding)) { add(where, "not_object"); return false; }
    if (!has(finding, "status")) { add(where + ".status", "missing"); return false; }
    var status = finding.status;
    if (status === null && partial) return false;
    if (STATUSES.indexOf(status) < 0) { add(where + ".status", "bad_status"); return false; }
    if (status === "not_applicable") {
      keys(where, finding, ["status", "reason"], ["status", "reason"]);
      if (has(finding, "reason") && (typeof finding.reason !== "string" || isBlank(finding.reason))) add(where + ".reason", "no_reason");
      return false;
    }
    if (status === "absent") { keys(where, finding, ["status"], ["status"]); return false; }
    return true;
  }

  function validateItems(plan, items, add, keys, partial) {
    var all = map();
    itemsOf(plan).forEach(function (item) { all[item.path] = item; });
    var paths = Object.keys(all);
    keys("items", items, paths, partial ? [] : paths);
    paths.forEach(function (path) {
      if (!has(items, path)) return;
      var where = "items." + path;
      var finding = withoutRemarks(all[path], where, items[path], add, keys);
      if (validateStatus(where, finding, add, keys, partial)) validateAssessed(all[path], where, finding, add, keys);
    });
  }

  /* An item's finding without its remarks (docs/findings.md), which are
   * checked here and never scored: `remark` a text, `requirement_remarks`
   * texts by requirement key, on an item of any status. */
  function withoutRemarks(item, where, finding, add, keys) {
    if (!isObject(finding) || !(has(finding, "remark") || has(finding, "requirement_remarks"))) return finding;
    var rest = map();
    Object.keys(finding).forEach(function (key) { if (key !== "remark" && key !== "requirement_remarks") rest[key] = finding[key]; });
    if (has(finding, "remark") && typeof finding.remark !== "string") add(where + ".remark", "not_string");
    var remarks = finding.requirement_remarks;
    if (has(finding, "requirement_remarks")) {
      if (!isObject(remarks)) add(where + ".requirement_remarks", "not_object");
      else {
        var known = rulesOf(item).map(function (rule) { return rule.key; });
        item.answers.forEach(function (answer) { if (known.indexOf(answer.key) < 0) known.push(answer.key); });
        keys(where + ".requirement_remarks", remarks, known, []);
        known.forEach(function (key) {
          if (has(remarks, key) && typeof remarks[key] !== "string") add(where + ".requirement_remarks." + key, "not_string");
        });
      }
    }
    return rest;
  }

  /* The candidate closest to a mistyped key, or null: difflib's
   * get_close_matches(word, candidates, n=1, cutoff=0.6), as the scorer
   * suggests it. */
  function closest(word, candidates) {
    var best = null, bestScore = 0.6;
    candidates.forEach(function (candidate) {
      var score = 2 * matching(candidate, word) / (candidate.length + word.length);
      if (score > bestScore || (score === bestScore && (best === null || candidate > best))) { best = candidate; bestScore = score; }
    });
    return best;
  }

  /* How many characters a and b share in difflib's matching blocks: the
   * longest common run (earliest in a, then in b), then the same on each side. */
  function matching(a, b) {
    var longest = 0, atA = 0, atB = 0, run = [];
    for (var i = 0; i < a.length; i++) {
      var next = [];
      for (var j = 0; j < b.length; j++) {
        if (a.charAt(i) !== b.charAt(j)) continue;
        next[j] = (run[j - 1] || 0) + 1;
        if (next[j] > longest) { longest = next[j]; atA = i - longest + 1; atB = j - longest + 1; }
      }
      run = next;
    }
    if (!longest) return 0;
    return longest + matching(a.slice(0, atA), b.slice(0, atB)) + matching(a.slice(atA + longest), b.slice(atB + longest));
  }

  /* The groups ruled not applicable or absent, by key; their requirements are not answered. */
  function validateGroups(item, where, rulings, add, keys) {
    var ruledOut = map();
    if (!isObject(rulings)) { add(where + ".groups", "not_object"); return ruledOut; }
    var groupKeys = item.groups.map(function (group) { return group.key; });
    keys(where + ".groups", rulings, groupKeys, []);
    groupKeys.forEach(function (key) {
      if (!has(rulings, key)) return;
      var at = where + ".groups." + key;
      // A group's status is never null: a group not listed is assessed.
      if (validateStatus(at, rulings[key], add, keys, false)) keys(at, rulings[key], ["status"], ["status"]);
      else if (isObject(rulings[key]) && (rulings[key].status === "not_applicable" || rulings[key].status === "absent")) ruledOut[key] = true;
    });
    return ruledOut;
  }

  function validateAssessed(item, where, finding, add, keys) {
    var shape = ["status"].concat(item.keys);
    var allowed = item.groups.length ? shape.concat(["groups"]) : shape;
    keys(where, finding, allowed, shape);
    var ruledOut = item.groups.length && has(finding, "groups") ? validateGroups(item, where, finding.groups, add, keys) : map();
    var answered = item.answers.filter(function (answer) {
      var dot = answer.key.indexOf(".");
      return dot < 0 || !ruledOut[answer.key.slice(0, dot)];
    });
    if (item.keys.indexOf("requirements") >= 0 && has(finding, "requirements")) {
      var answers = finding.requirements;
      if (!isObject(answers)) add(where + ".requirements", "not_object");
      else {
        var answerKeys = answered.map(function (answer) { return answer.key; });
        Object.keys(answers).forEach(function (key) {
          var dot = key.indexOf(".");
          if (dot >= 0 && ruledOut[key.slice(0, dot)] && find(item.answers, key)) add(where + ".requirements." + key, "ruled_out");
        });
        keys(where + ".requirements", answers, answerKeys.concat(item.answers.map(function (a) { return a.key; })), answerKeys);
        answered.forEach(function (answer) {
          if (has(answers, answer.key)) validateAnswer(answer, answers[answer.key], where + ".requirements." + answer.key, add, keys);
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
          else if (!inRange(measure, value)) add(at, "out_of_range", { low: measure.low, high: measure.high });
        });
      }
    }
    if (item.kind === "choices" && has(finding, "choice")) {
      var choice = finding.choice;
      if (choice !== null && (typeof choice !== "string" || !find(item.awards, choice))) add(where + ".choice", "bad_value");
    }
  }

  /* Whether a measured value (a number, or an input's text) lies in its measure's range, exactly. */
  function inRange(measure, value) {
    var measured = parseDecimal(value);
    return measured !== null && compareDecimal(measured, parseDecimal(measure.low)) >= 0 &&
      compareDecimal(measured, parseDecimal(measure.high)) <= 0;
  }

  function validateAnswer(answer, value, at, add, keys) {
    if (answer.kind === "parts") {
      if (!isObject(value)) { add(at, "not_parts"); return; }
      keys(at, value, answer.keys, answer.keys);
      answer.keys.forEach(function (key) {
        if (has(value, key) && typeof value[key] !== "boolean") add(at + "." + key, "not_boolean");
      });
      return;
    }
    if (answer.kind === "levels") {
      if (value !== true && (typeof value !== "string" || answer.keys.indexOf(value) < 0)) add(at, "bad_value");
      return;
    }
    if (typeof value !== "boolean") add(at, "not_boolean");
  }

  return {
    Exact: Exact,
    parseDecimal: parseDecimal,
    compareDecimal: compareDecimal,
    numberText: numberText,
    resultNumber: resultNumber,
    decimalText: decimalText,
    pointsText: pointsText,
    resultJson: resultJson,
    inRange: inRange,
    itemsOf: itemsOf,
    ruleOf: ruleOf,
    measureOf: measureOf,
    deductionOf: deductionOf,
    scoreFindings: scoreFindings,
    validateFindings: validateFindings,
    isBlank: isBlank
  };
})();

if (typeof module !== "undefined" && module.exports) module.exports = RubricScoring;
