/* The panel of clause 5.2 (docs/panel.md): combining member files by the
 * rubric's method, the reconciliation log, the panel file and the agreement
 * figures, exactly as the scorer runtime (Python) computes them.
 *
 * combine(plan, members) compares; panelFile(plan, combined, decisions,
 * lead, now) writes the agreed findings, the log and the figures.  A member
 * is {evaluator, digest, findings (as exported, digest included), result
 * (RubricScoring.scoreFindings of its findings)}.  Every number is exact:
 * scores are BigInt at SCALE = 10^(places + 2) (a median halves, a mean is
 * rounded to 0.01), alpha is a BigInt fraction.  Pure functions, no DOM: the
 * panel page inlines this file and tests run it under Node.js.
 */
var RubricPanel = (function (Scoring) {
  "use strict";

  var ZERO = BigInt(0), ONE = BigInt(1), TWO = BigInt(2), TEN = BigInt(10);
  var PANEL_FILE_FORMAT = "rubricdsl-panel-file/1";

  function power(exponent) {
    var result = ONE;
    for (var i = 0; i < exponent; i++) result *= TEN;
    return result;
  }

  function has(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }

  /* Exact arithmetic on the plan's numbers: a result number <-> BigInt at `places` decimals. */
  function Exact(plan) {
    var places = plan.places + 2, scale = power(places);
    return {
      places: places,
      scale: scale,
      of: function (value) {
        var decimal = Scoring.parseDecimal(Scoring.numberText(value));
        var digits = decimal.negative ? -decimal.digits : decimal.digits, shift = decimal.exponent + places;
        return shift >= 0 ? digits * power(shift) : digits / power(-shift);
      },
      number: function (units) { return Scoring.resultNumber(Scoring.decimalText(units, places)); }
    };
  }

  /* n / d (BigInt, d > 0) rounded half away from zero to `unit` (a power of ten times d's scale). */
  function roundHalfUp(n, d) {
    var negative = n < ZERO, magnitude = negative ? -n : n;
    var quotient = magnitude / d, remainder = magnitude % d;
    if (remainder * TWO >= d) quotient += ONE;
    return negative ? -quotient : quotient;
  }

  /* The consensus of scores (BigInt at exact.scale) by a method: the median
   * (the mean of the middle two for an even count), the mean, or the mean
   * without one highest and one lowest (with fewer than 3: the mean); a
   * mean rounded half up to 0.01 point. */
  function consensusOf(values, method, exact) {
    var sorted = values.slice().sort(function (a, b) { return a < b ? -1 : a > b ? 1 : 0; });
    if (method === "median") {
      var middle = sorted.length >> 1;
      return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / TWO;
    }
    if (method === "trimmed-mean" && sorted.length >= 3) sorted = sorted.slice(1, -1);
    var sum = sorted.reduce(function (a, b) { return a + b; }, ZERO), cent = exact.scale / BigInt(100);
    return roundHalfUp(sum, BigInt(sorted.length) * cent) * cent;
  }

  function itemsOf(result) {
    var found = [];
    result.sections.forEach(function (section) { section.items.forEach(function (item) { found.push(item); }); });
    return found;
  }

  /* The members compared, item by item and condition by condition. */
  function combine(plan, members) {
    var exact = Exact(plan), threshold = exact.of(plan.panel.disagreement), method = plan.panel.method;
    var scoredItems = members.map(function (member) { return itemsOf(member.result); });
    var planItems = Scoring.itemsOf(plan);
    var items = planItems.map(function (planItem, index) {
      var entries = scoredItems.map(function (list) { return list[index]; });
      var ruled = [], scores = [], statuses = [];
      entries.forEach(function (entry, position) {
        statuses.push(entry.status);
        if (entry.status === "not_assessed") { scores.push(null); return; }
        var units = exact.of(entry.score);
        scores.push(units);
        ruled.push({ position: position, units: units });
      });
      var values = ruled.map(function (r) { return r.units; });
      var consensus = values.length ? consensusOf(values, method, exact) : ZERO;
      var spread = values.length ? values.reduce(function (a, b) { return a > b ? a : b; }) - values.reduce(function (a, b) { return a < b ? a : b; }) : ZERO;
      var statusDiffers = ruled.length > 1 && ruled.some(function (r) { return statuses[r.position] !== statuses[ruled[0].position]; });
      // A group ruled differently by members who assessed the item.
      var groupsDiffering = planItem.groups.filter(function (group, g) {
        var seen = [];
        entries.forEach(function (entry) {
          if (entry.status === "assessed" && seen.indexOf(entry.groups[g].status) < 0) seen.push(entry.groups[g].status);
        });
        return seen.length > 1;
      }).map(function (group) { return group.key; });
      // The answers taken by default: a member whose score is the
      // consensus, else the closest lower score (the conservative one).
      var chosen = null;
      ruled.forEach(function (r) { if (chosen === null && r.units === consensus) chosen = r; });
      if (chosen === null) {
        ruled.forEach(function (r) { if (r.units < consensus && (chosen === null || r.units > chosen.units)) chosen = r; });
      }
      return {
        path: planItem.path,
        scores: scores,
        statuses: statuses,
        consensus: consensus,
        spread: spread,
        over_threshold: spread > threshold,
        status_differs: statusDiffers || groupsDiffering.length > 0,
        groups_differing: groupsDiffering,
        consensus_member: chosen === null ? null : chosen.position,
        assessed: ruled.length > 0
      };
    });
    var conditions = plan.conditions.map(function (condition) {
      var votes = members.map(function (member) {
        var result = member.result;
        if (result.unrecorded_conditions.indexOf(condition.key) >= 0) return null;
        return result.unmet_conditions.indexOf(condition.key) < 0 && result.advisory_unmet.indexOf(condition.key) < 0;
      });
      var yes = votes.filter(function (vote) { return vote === true; }).length;
      var recorded = votes.filter(function (vote) { return vote !== null; });
      // More than half of ALL members: a tie is not fulfilled.
      return { key: condition.key, votes: votes, met: yes * 2 > votes.length, tie: yes * 2 === votes.length,
               differs: recorded.some(function (vote) { return vote !== recorded[0]; }) };
    });
    return { plan: plan, exact: exact, members: members, items: items, conditions: conditions };
  }

  /* Whether an item's decision needs a reason: over the threshold, or an agreed score other than the consensus. */
  function needsReason(entry, agreedUnits) {
    return entry.over_threshold || entry.status_differs || (agreedUnits !== null && agreedUnits !== entry.consensus);
  }

  /* The score (BigInt) of one item's finding edited by hand; null when it is not assessed. */
  function editedScore(combined, path, finding) {
    var items = {};
    items[path] = finding;
    var scored = itemsOf(Scoring.scoreFindings(combined.plan, { items: items }, { partial: true })).filter(function (item) { return item.path === path; })[0];
    return scored.status === "not_assessed" ? null : combined.exact.of(scored.score);
  }

  /* An item's agreed finding and score under a decision ({take, member, findings, reason}; none: the consensus). */
  function decide(combined, entry, decision, index) {
    var take = decision ? decision.take : "consensus", position = null, finding = null;
    if (take === "member") {
      position = combined.members.map(function (m) { return m.evaluator; }).indexOf(decision.member);
    } else if (take === "consensus") {
      position = entry.consensus_member;
    }
    if (take === "edited") finding = decision.findings;
    else if (position !== null && position >= 0) {
      var items = combined.members[position].findings.items || {};
      finding = has(items, entry.path) ? items[entry.path] : null;
    }
    var agreed = null;
    if (take === "edited") agreed = finding ? editedScore(combined, entry.path, finding) : null;
    else if (position !== null && position >= 0) agreed = entry.scores[position];
    return { take: take, position: position, finding: finding, agreed: agreed, index: index };
  }

  /* What is wrong with the decisions ({path: decision}), as [{item, problem}]: a reason missing where required. */
  function missingReasons(combined, decisions) {
    var missing = [];
    combined.items.forEach(function (entry, index) {
      var decision = decisions[entry.path], decided = decide(combined, entry, decision, index);
      if (needsReason(entry, decided.agreed) && !(decision && !Scoring.isBlank(decision.reason || ""))) missing.push(entry.path);
    });
    return missing;
  }

  /* The agreed findings: every member in order, conditions by majority, each item as decided. */
  function agreedFindings(combined, decisions, remarks) {
    var plan = combined.plan, members = combined.members, items = {};
    combined.items.forEach(function (entry, index) {
      var decided = decide(combined, entry, decisions[entry.path], index);
      if (decided.finding) items[entry.path] = decided.finding;
    });
    var conditions = {};
    combined.conditions.forEach(function (condition) { conditions[condition.key] = condition.met; });
    var dates = members.map(function (m) { return m.findings.date || ""; }).filter(Boolean).sort();
    var organization = "";
    members.forEach(function (m) { if (!organization && (m.findings.organization || "").trim()) organization = m.findings.organization; });
    return {
      format: plan.findings_format,
      rubric: { id: plan.rubric.id, version: plan.rubric.version, content_hash: plan.rubric.content_hash },
      organization: organization,
      date: dates.length ? dates[dates.length - 1] : "",
      evaluators: members.map(function (m) { return m.evaluator; }),
      remarks: remarks,
      conditions: conditions,
      items: items
    };
  }

  /* The reconciliation log: an entry per item, then per condition.  `now`
   * is the time written for an entry that the lead did not decide. */
  function logOf(combined, decisions, agreedResult, lead, now) {
    var exact = combined.exact, names = combined.members.map(function (m) { return m.evaluator; });
    var agreedItems = itemsOf(agreedResult);
    function byName(values, convert) {
      var out = {};
      names.forEach(function (name, i) { out[name] = values[i] === null ? null : convert(values[i]); });
      return out;
    }
    var log = combined.items.map(function (entry, index) {
      var decision = decisions[entry.path], decided = decide(combined, entry, decision, index);
      var agreedItem = agreedItems[index];
      var line = {
        item: entry.path,
        scores: byName(entry.scores, exact.number),
        consensus: exact.number(entry.consensus),
        agreed: agreedItem.status === "not_assessed" ? null : agreedItem.score,
        source: decided.take
      };
      if (decided.take === "member") line.member = decision.member;
      if (decided.take === "edited") line.findings = decision.findings;
      line.decided_by = decision && decision.decided_by ? decision.decided_by : lead;
      line.reason = decision ? (decision.reason || "").trim() : "";
      line.time = decision && decision.time ? decision.time : now;
      return line;
    });
    combined.conditions.forEach(function (condition) {
      log.push({ item: "conditions." + condition.key, scores: byName(condition.votes, function (v) { return v; }),
                 consensus: condition.met, agreed: condition.met, source: "consensus", decided_by: lead, reason: "", time: now });
    });
    return log;
  }

  // ---- agreement figures --------------------------------------------------

  /* A fraction n/d (d > 0) rounded half up (away from zero) to `places`
   * decimals, as a result number. */
  function roundedNumber(n, d, places) {
    return Scoring.resultNumber(Scoring.decimalText(roundHalfUp(n * power(places), d), places));
  }

  function gcd(a, b) {
    while (b !== ZERO) { var t = a % b; a = b; b = t; }
    return a;
  }

  /* Krippendorff's alpha, interval metric, over items (units) and members
   * (coders), the members' item scores as values, a member who did not
   * assess an item missing.  alpha = 1 - (n - 1) * O / E, with O the sum
   * over items of the squared differences of every ordered pair of its
   * values divided by (its values - 1), E that of every ordered pair of all
   * n pairable values (values of items with at least two).  Exactly, as a
   * BigInt fraction; {value: null, reason} when no item has two values;
   * 1 when every pairable value is the same (E = 0, and then O = 0). */
  function alphaOf(combined) {
    var pairable = [], observedN = ZERO, observedD = ONE;
    combined.items.forEach(function (entry) {
      var values = entry.scores.filter(function (v) { return v !== null; });
      if (values.length < 2) return;
      var squares = ZERO;
      values.forEach(function (a) { values.forEach(function (b) { squares += (a - b) * (a - b); }); });
      // observed += squares / (m - 1)
      var m = BigInt(values.length - 1);
      observedN = observedN * m + squares * observedD;
      observedD = observedD * m;
      pairable = pairable.concat(values);
    });
    if (pairable.length < 2) return { value: null, reason: "no_pairable", exact: null };
    var n = BigInt(pairable.length), sum = ZERO, sumSquares = ZERO;
    pairable.forEach(function (v) { sum += v; sumSquares += v * v; });
    // Sum over ordered pairs of (a - b)^2 = 2 n sum(v^2) - 2 (sum v)^2.
    var expected = TWO * n * sumSquares - TWO * sum * sum;
    if (expected === ZERO) return { value: 1, reason: "all_agree", exact: "1/1" };
    // alpha = 1 - (n - 1) observedN / (observedD expected), in lowest terms
    var denominator = observedD * expected, numerator = denominator - (n - ONE) * observedN;
    var divisor = gcd(numerator < ZERO ? -numerator : numerator, denominator);
    numerator /= divisor;
    denominator /= divisor;
    return { value: roundedNumber(numerator, denominator, 3), reason: null, exact: numerator + "/" + denominator };
  }

  /* Per member: over the items they assessed that the panel agreed a
   * score for, the mean of (their score - the agreed score) (positive:
   * lenient) and of its absolute value, rounded half up to 0.01. */
  function memberFigures(combined, agreedResult) {
    var exact = combined.exact, agreedItems = itemsOf(agreedResult);
    return combined.members.map(function (member, position) {
      var signed = ZERO, absolute = ZERO, count = 0;
      combined.items.forEach(function (entry, index) {
        var own = entry.scores[position], agreed = agreedItems[index];
        if (own === null || agreed.status === "not_assessed") return;
        var difference = own - exact.of(agreed.score);
        signed += difference;
        absolute += difference < ZERO ? -difference : difference;
        count += 1;
      });
      var d = BigInt(count) * exact.scale;
      return {
        evaluator: member.evaluator,
        items: count,
        mean_deviation: count ? roundedNumber(signed, d, 2) : null,
        mean_absolute_deviation: count ? roundedNumber(absolute, d, 2) : null
      };
    });
  }

  function figuresOf(combined, agreedResult) {
    var alpha = alphaOf(combined), exact = combined.exact;
    return {
      alpha: alpha.value,
      alpha_exact: alpha.exact,
      alpha_reason: alpha.reason,
      items: combined.items.map(function (entry) {
        return { item: entry.path, spread: exact.number(entry.spread), over_threshold: entry.over_threshold };
      }),
      members: memberFigures(combined, agreedResult)
    };
  }

  /* The panel file of docs/panel.md (without its own digest: see
   * panelFileText), with the agreed findings' result and the figures beside
   * it (not written in the file: `rubricdsl score` computes them again).
   * `decisions` maps item paths to the lead's decisions; `remarks` are the
   * panel's, in the agreed findings. */
  function panelFile(combined, decisions, lead, now, remarks) {
    var plan = combined.plan;
    var findings = agreedFindings(combined, decisions, remarks || "");
    var result = Scoring.scoreFindings(plan, findings, { partial: true });
    return {
      file: {
        format: PANEL_FILE_FORMAT,
        rubric: { id: plan.rubric.id, version: plan.rubric.version, content_hash: plan.rubric.content_hash },
        organization: findings.organization,
        date: findings.date,
        method: plan.panel.method,
        disagreement: Scoring.resultNumber(plan.panel.disagreement),
        members: combined.members.map(function (m) { return { evaluator: m.evaluator, digest: m.digest, findings: m.findings }; }),
        findings: findings,
        log: logOf(combined, decisions, result, lead, now),
        decided_by: lead
      },
      result: result,
      figures: figuresOf(combined, result)
    };
  }

  /* The panel file's text, ending with its own digest: taken over the
   * numbers as a reader parses them (the nearest doubles of the exact
   * digits written), as the scorer runtime takes it. */
  function panelFileText(file, Digest) {
    var text = Scoring.resultJson(file, 2);
    var digest = Digest.digestOf(JSON.parse(text));
    return text.replace(/\n\}$/, ",\n  \"digest\": " + JSON.stringify(digest) + "\n}") + "\n";
  }

  /* A time as the log writes it: local time with its offset, 2026-12-01T15:04:05+08:00. */
  function timeStamp(date) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    var offset = -date.getTimezoneOffset(), sign = offset < 0 ? "-" : "+";
    offset = Math.abs(offset);
    return date.getFullYear() + "-" + two(date.getMonth() + 1) + "-" + two(date.getDate()) + "T" + two(date.getHours()) + ":" +
      two(date.getMinutes()) + ":" + two(date.getSeconds()) + sign + two(Math.floor(offset / 60)) + ":" + two(offset % 60);
  }

  return {
    PANEL_FILE_FORMAT: PANEL_FILE_FORMAT,
    combine: combine,
    decide: decide,
    needsReason: needsReason,
    missingReasons: missingReasons,
    agreedFindings: agreedFindings,
    alphaOf: alphaOf,
    panelFile: panelFile,
    panelFileText: panelFileText,
    timeStamp: timeStamp
  };
})(typeof RubricScoring !== "undefined" ? RubricScoring : require("./form_scoring.js"));

if (typeof module !== "undefined" && module.exports) module.exports = RubricPanel;
