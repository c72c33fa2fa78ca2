/* The panel page (generated/<id>/panel.html, docs/panel.md): the team lead
 * of clause 5.2 imports every member's exported file, sees who is in and
 * who is missing (and nothing else) until every named member is in, then
 * compares the members item by item, reconciles each item (a member's
 * answers, the rubric's consensus, or answers edited in the form), exports
 * the panel file and prints the consensus sheet that every member signs.
 *
 * The combination, the log and the figures are RubricPanel's
 * (form_panel.js); saving is RubricRecords' (form_records.js), as in the
 * form.  Every text reaches the page through textContent.
 */
(function () {
  "use strict";
  // The helpers both pages share (form_dom.js).
  var say = RubricDom.say, h = RubricDom.h, setText = RubricDom.setText, ask = RubricDom.ask, clear = RubricDom.clear,
      cssString = RubricDom.cssString, printTable = RubricDom.printTable, addRow = RubricDom.addRow,
      inexactNumbers = RubricDom.inexactNumbers;

  var plan = JSON.parse(document.getElementById("rubric-plan").textContent);
  var rubric = JSON.parse(document.getElementById("rubric-data").textContent);
  var words = JSON.parse(document.getElementById("panel-words").textContent);
  var Scoring = RubricScoring, Panel = RubricPanel;
  var STATE_FORMAT = "rubricdsl-panel-state/1";
  var records = RubricRecords("rubricdsl-panel:" + plan.rubric.id + "@" + plan.rubric.version + "#" + plan.rubric.content_hash + ":",
    "rubricdsl-panel-work/1", function (state) { return state.format === STATE_FORMAT; },
    "rubricdsl-panel-tab:" + plan.rubric.content_hash);

  var state = emptyState();
  var current = { id: null, text: null, readOnly: false };
  var members = [];      // the imported members, as RubricPanel takes them, in state.members order
  var combined = null;   // RubricPanel.combine of all members, once every named member is in
  var itemInfo = Object.create(null);  // item path -> {name, section, points}
  var itemOrder = [];

  function emptyState() {
    return { format: STATE_FORMAT, lead: "", names: "", remarks: "", members: [], decisions: Object.create(null) };
  }

  function byId(id) { return document.getElementById(id); }
  function points(value) { return Scoring.numberText(value); }
  function joined(list) { return list.join(words.list_separator); }

  function names() {
    var seen = [];
    state.names.split("\n").forEach(function (line) { var name = line.trim(); if (name && seen.indexOf(name) < 0) seen.push(name); });
    return seen;
  }

  function methodName() { return words["panel_method_" + plan.panel.method.replace("-", "_")]; }

  // ---- members ---------------------------------------------------------------

  function withoutNotes(value) {
    if (Array.isArray(value)) return value.map(withoutNotes);
    if (value === null || typeof value !== "object") return value;
    var copy = Object.create(null);
    Object.keys(value).forEach(function (key) { if (key.charAt(0) !== "_" && key !== "digest") copy[key] = withoutNotes(value[key]); });
    return copy;
  }

  function isObject(value) { return value !== null && typeof value === "object" && !Array.isArray(value); }

  /* A member file's text checked against this rubric and the members
   * `others`: {member} or {refused: why}. */
  function checkMember(text, others) {
    var findings;
    try { findings = JSON.parse(text); } catch (error) { return { refused: words.panel_not_json }; }
    if (!isObject(findings) || findings.format !== plan.findings_format) return { refused: words.panel_not_findings };
    if (inexactNumbers(text).length) return { refused: words.panel_inexact };
    if (!("digest" in findings)) return { refused: words.panel_no_digest };
    if (!RubricDigest.digestMatches(findings)) return { refused: words.digest_mismatch };
    var own = plan.rubric, theirs = isObject(findings.rubric) ? findings.rubric : {};
    if (theirs.id !== own.id || theirs.version !== own.version) {
      return { refused: say(words.panel_other_rubric, { id: String(theirs.id), version: String(theirs.version), own_id: own.id, own_version: own.version }) };
    }
    if (theirs.content_hash !== own.content_hash) return { refused: say(words.panel_other_content, { hash: String(theirs.content_hash) }) };
    var clean = withoutNotes(findings);
    // A member file is a finished evaluation: every item and condition (docs/panel.md).
    var problems = Scoring.validateFindings(plan, clean, { partial: false });
    if (problems.length) {
      var first = problems[0], template = words["problem_" + first.problem] || first.problem;
      var detail = isObject(first.detail) ? first.detail : { value: first.detail };
      return { refused: say(words.panel_invalid, { count: problems.length, problem: (first.path ? first.path + words.colon : "") + say(template, detail) }) };
    }
    var evaluators = (clean.evaluators || []).map(function (name) { return String(name).trim(); }).filter(Boolean);
    if (evaluators.length !== 1) return { refused: say(words.panel_not_one_member, { count: evaluators.length }) };
    var evaluator = evaluators[0];
    if (names().indexOf(evaluator) < 0) return { refused: say(words.panel_not_named, { name: evaluator }) };
    for (var i = 0; i < others.length; i++) {
      var other = others[i];
      if (other.evaluator === evaluator) return { refused: say(words.panel_duplicate_member, { name: evaluator, file: other.file }) };
      if (other.digest === findings.digest) return { refused: say(words.panel_duplicate_content, { name: other.evaluator, file: other.file }) };
      var organization = (clean.organization || "").trim(), theirsOrg = (other.findings.organization || "").trim();
      if (organization && theirsOrg && organization !== theirsOrg) {
        return { refused: say(words.panel_other_organization, { organization: organization, other: theirsOrg, name: other.evaluator }) };
      }
    }
    return { member: { evaluator: evaluator, digest: findings.digest, findings: findings,
                       result: Scoring.scoreFindings(plan, clean, { partial: true }) } };
  }

  /* The members of the state, checked again (a stored text is the file as imported). */
  function loadMembers() {
    members = [];
    state.members.forEach(function (stored) {
      var checked = checkMember(stored.text, members);
      if (checked.member) { checked.member.file = stored.file; members.push(checked.member); }
    });
  }

  function memberOf(name) { return members.filter(function (m) { return m.evaluator === name; })[0] || null; }

  /* Every named member is in: the comparison may be shown. */
  function allIn() {
    var named = names();
    return named.length > 0 && named.every(function (name) { return memberOf(name) !== null; });
  }

  /* Members in the order of the names list, as the panel file lists them. */
  function ordered() { return names().map(memberOf); }

  /* Reads every file, then checks them in the order chosen: a duplicate
   * within one batch is the later file. */
  function importFiles(files) {
    if (!names().length) { showMessage(words.panel_names_first, true); return; }
    var texts = new Array(files.length), pending = files.length;
    files.forEach(function (file, index) {
      var reader = new FileReader();
      reader.onload = function () {
        try {
          texts[index] = new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(reader.result)).replace(/^\ufeff/, "");
        } catch (error) {
          texts[index] = { refused: words.panel_not_utf8 };
        }
        if (--pending === 0) checkFiles(files, texts);
      };
      reader.onerror = function () {
        texts[index] = { refused: words.panel_unreadable };
        if (--pending === 0) checkFiles(files, texts);
      };
      reader.readAsArrayBuffer(file);
    });
  }

  function checkFiles(files, texts) {
    var lines = files.map(function (file, index) {
      var text = texts[index];
      var checked = typeof text === "string" ? checkMember(text, members) : text;
      if (!checked.member) return [say(words.panel_refused, { file: file.name, why: checked.refused }), true];
      checked.member.file = file.name;
      members.push(checked.member);
      state.members.push({ file: file.name, text: text });
      return [say(words.panel_imported, { file: file.name, name: checked.member.evaluator }), false];
    });
    finishImport(lines);
  }

  function finishImport(lines) {
    save();
    refresh();
    var list = clear(byId("import-results"));
    lines.forEach(function (line) { list.appendChild(h("li", { className: line[1] ? "refused" : "imported", text: line[0] })); });
    var refused = lines.filter(function (line) { return line[1]; }).length;
    showMessage(say(words.panel_import_summary, { imported: lines.length - refused, refused: refused }), refused > 0);
  }

  function removeMember(name) {
    var member = memberOf(name);
    if (!member) return;
    ask(say(words.panel_remove_confirm, { name: name, file: member.file }), [
      { label: words.panel_remove, className: "danger", run: function () {
        var index = members.indexOf(member);
        members.splice(index, 1);
        state.members.splice(index, 1);
        save();
        refresh();
      } },
      { label: words.cancel }
    ]);
  }

  // ---- the roster (all the page shows until every member is in) -------------

  function showRoster() {
    var body = clear(byId("roster-list")), named = names();
    named.forEach(function (name) {
      var member = memberOf(name);
      var actions = h("td", { className: "actions" });
      if (member && !combined) actions.appendChild(h("button", { type: "button", className: "secondary", "data-remove": name, text: words.panel_remove }));
      body.appendChild(h("tr", { className: member ? "in" : "missing" },
        h("th", { scope: "row", text: name }),
        h("td", { text: member ? words.panel_in : words.panel_missing }),
        h("td", { text: member ? member.file : "—" }),
        h("td", { text: member ? (member.findings.date || "—") : "—" }),
        actions));
    });
    var missing = named.filter(function (name) { return !memberOf(name); });
    var strays = members.filter(function (m) { return named.indexOf(m.evaluator) < 0; });
    var status = byId("roster-status"), lines = [];
    if (!named.length) lines.push(words.panel_enter_names);
    else if (missing.length) lines.push(say(words.panel_blind, { count: missing.length, names: joined(missing) }));
    else lines.push(say(words.panel_all_in, { count: named.length }));
    if (strays.length) lines.push(say(words.panel_strays, { names: joined(strays.map(function (m) { return m.evaluator; })) }));
    var size = plan.panel;
    if (named.length && size.min !== null && (named.length < size.min || named.length > size.max)) {
      lines.push(say(words.panel_size_warning, { count: named.length, low: size.min, high: size.max }));
    }
    setText(status, lines.join(" "));
    status.className = missing.length || !named.length ? "roster-status blind" : "roster-status";
    byId("field-names").disabled = current.readOnly || !!combined;
  }

  // ---- the comparison ------------------------------------------------------------

  function statusMark(status) {
    return { assessed: "", not_applicable: words.panel_mark_na, absent: words.panel_mark_absent, not_assessed: words.panel_mark_not_assessed }[status];
  }

  function scoreCell(entry, position) {
    var value = entry.scores[position];
    var status = entry.statuses[position];
    return value === null ? words.panel_mark_not_assessed : points(combined.exact.number(value)) + statusMark(status);
  }

  function decisionOf(path) { return state.decisions[path] || null; }

  /* The decision control of an item: 按共识 / 采用某成员 / 手工编辑, and the reason. */
  function decisionControls(entry, index, outcome) {
    var path = entry.path, decision = decisionOf(path), take = decision ? decision.take : "consensus";
    var selectId = "decide-" + index, reasonId = "reason-" + index;
    var select = h("select", { id: selectId, "data-decide": path });
    var consensusMember = entry.consensus_member === null ? null : combined.members[entry.consensus_member].evaluator;
    select.appendChild(h("option", { value: "consensus", text: say(words.panel_take_consensus, { method: methodName(), name: consensusMember || "—" }) }));
    combined.members.forEach(function (member, position) {
      if (entry.scores[position] === null) return;
      select.appendChild(h("option", { value: "member:" + member.evaluator, text: say(words.panel_take_member, { name: member.evaluator, score: scoreCell(entry, position) }) }));
    });
    select.appendChild(h("option", { value: "edited", text: words.panel_take_edited }));
    select.value = take === "member" ? "member:" + decision.member : take;
    var needed = Panel.needsReason(entry, outcome.agreed), given = !!(decision && !Scoring.isBlank(decision.reason || ""));
    var reason = h("input", { type: "text", id: reasonId, "data-reason": path, value: decision ? decision.reason || "" : "", autocomplete: "off",
      "aria-invalid": needed && !given ? "true" : "false", "aria-describedby": reasonId + "-hint" });
    var hint = h("span", { id: reasonId + "-hint", className: !needed ? "reason-hint" : given ? "reason-hint given" : "reason-hint needed",
      text: !needed ? words.panel_reason_optional : given ? words.panel_reason_given : words.panel_reason_needed });
    var cell = h("div", { className: "decision" },
      h("label", { "for": selectId, text: words.panel_decision }), select,
      h("label", { "for": reasonId, text: words.panel_reason }), reason, hint);
    if (take === "edited") {
      var fileId = "edited-" + index;
      cell.appendChild(h("p", { className: "hint", text: words.panel_edit_how }));
      cell.appendChild(h("label", { className: "button secondary", "for": fileId, text: words.panel_edit_import }));
      cell.appendChild(h("input", { type: "file", id: fileId, className: "file-input", accept: ".json,application/json", "data-edited": path }));
      cell.appendChild(h("p", { className: "hint", text: decision.findings ? say(words.panel_edited_from, { file: decision.file || "", score: outcome.agreed === null ? "—" : points(combined.exact.number(outcome.agreed)) }) : words.panel_edited_none }));
    }
    return cell;
  }

  /* Each member's deductions and remarks on an item. */
  function memberDetails(entry, index) {
    var list = h("ul", { className: "member-details" });
    combined.members.forEach(function (member, position) {
      var scored = itemsOfResult(member.result)[index];
      var line = h("li", null, h("strong", { text: member.evaluator + words.colon }), scoreCell(entry, position));
      if (scored.reason) line.appendChild(document.createTextNode(words.open + words.panel_na_reason + words.colon + scored.reason + words.close));
      (scored.groups || []).forEach(function (group) {
        if (group.status !== "assessed") line.appendChild(document.createTextNode(" " + say(words.panel_group_status, { group: group.heading || group.key, status: statusMark(group.status) || group.status })));
      });
      if (scored.deductions.length) {
        var deductions = h("ul", null);
        scored.deductions.forEach(function (d) {
          deductions.appendChild(h("li", { text: "−" + points(d.amount) + " " + d.text + (d.remark ? words.open + words.remark + words.colon + d.remark + words.close : "") }));
        });
        line.appendChild(deductions);
      }
      if (scored.remark) line.appendChild(h("p", { className: "remark-text", text: words.item_remark + words.colon + scored.remark }));
      list.appendChild(line);
    });
    return list;
  }

  var resultsCache = new WeakMap();
  function itemsOfResult(result) {
    var found = resultsCache.get(result);
    if (!found) {
      found = [];
      result.sections.forEach(function (section) { section.items.forEach(function (item) { found.push(item); }); });
      resultsCache.set(result, found);
    }
    return found;
  }

  /* The panel file as it stands, its result and figures. */
  function currentPanel() {
    var lead = state.lead.trim();
    return Panel.panelFile(combined, decisionsForPanel(), lead, Panel.timeStamp(new Date()), state.remarks.trim());
  }

  function decisionsForPanel() {
    var decisions = Object.create(null);
    Object.keys(state.decisions).forEach(function (path) {
      var decision = state.decisions[path];
      if (decision.take === "edited" && !decision.findings) return;  // no edited answers yet: the consensus stands
      decisions[path] = decision;
    });
    return decisions;
  }

  // The items whose members' answers the lead has open, kept open across redraws.
  var openDetails = Object.create(null);

  function showComparison() {
    var root = byId("comparison");
    root.querySelectorAll("details[data-details]").forEach(function (box) { openDetails[box.getAttribute("data-details")] = box.open; });
    clear(root);
    byId("comparison-section").hidden = !combined;
    byId("log-section").hidden = !combined;
    if (!combined) return;
    var panel = currentPanel(), file = panel.file, figures = panel.figures;
    var decisions = decisionsForPanel(), missing = Panel.missingReasons(combined, decisions);
    // The agreement figures and the members' leanings.
    var summary = h("div", { className: "figures" });
    summary.appendChild(h("p", null, h("strong", { text: words.panel_alpha + words.colon }), alphaText(figures)));
    summary.appendChild(h("p", { className: "hint", text: words.panel_alpha_explained }));
    summary.appendChild(h("p", null, h("strong", { text: words.total + words.colon }),
      points(panel.result.total) + " / " + points(panel.result.full_marks) + words.list_separator + conclusionText(panel.result) +
      words.list_separator + (missing.length ? say(words.panel_reasons_missing, { count: missing.length }) : words.panel_reasons_complete)));
    if (missing.length) {
      // Where the lead still has to write: a link to each such item.
      var todo = h("ul", { className: "todo" });
      missing.forEach(function (path) { todo.appendChild(h("li", null, h("a", { href: "#row-" + path, text: itemInfo[path].name }))); });
      summary.appendChild(todo);
    }
    summary.appendChild(memberTable(figures, "screen-table"));
    root.appendChild(summary);
    if (plan.conditions.length) root.appendChild(conditionTable("screen-table"));
    var agreedItems = itemsOfResult(panel.result);
    rubric.sections.forEach(function (section) {
      var table = h("table", { className: "compare" });
      table.appendChild(h("caption", { text: section.caption || say(words.numbered, { number: section.numeral, title: section.title }) }));
      var head = h("tr", null, h("th", { scope: "col", text: words.item }));
      combined.members.forEach(function (member) { head.appendChild(h("th", { scope: "col", text: member.evaluator })); });
      [words.panel_spread, words.panel_consensus, words.panel_agreed].forEach(function (text) { head.appendChild(h("th", { scope: "col", text: text })); });
      table.appendChild(h("thead", null, head));
      var body = h("tbody");
      section.items.forEach(function (item) {
        var index = itemOrder.indexOf(item.path), entry = combined.items[index];
        var outcome = Panel.decide(combined, entry, decisionOf(entry.path) && decisions[entry.path], index);
        var flags = [];
        if (entry.over_threshold) flags.push(say(words.panel_over_threshold, { threshold: points(Scoring.resultNumber(plan.panel.disagreement)) }));
        if (entry.status_differs) flags.push(entry.groups_differing.length ? say(words.panel_groups_differ, { count: entry.groups_differing.length }) : words.panel_rulings_differ);
        var nameCell = h("th", { scope: "row" }, itemInfo[item.path].name);
        flags.forEach(function (flag) { nameCell.appendChild(h("span", { className: "flag", text: flag })); });
        var row = h("tr", { id: "row-" + item.path, className: missing.indexOf(item.path) >= 0 ? "needs-reason" : null }, nameCell);
        combined.members.forEach(function (member, position) { row.appendChild(h("td", { text: scoreCell(entry, position) })); });
        var agreed = agreedItems[index];
        row.appendChild(h("td", { text: points(combined.exact.number(entry.spread)) }));
        row.appendChild(h("td", { text: entry.assessed ? points(combined.exact.number(entry.consensus)) : "—" }));
        row.appendChild(h("td", { className: "agreed", text: agreed.status === "not_assessed" ? "—" : points(agreed.score) + statusMark(agreed.status) }));
        body.appendChild(row);
        var details = h("details", { "data-details": item.path, open: openDetails[item.path] === true }, h("summary", { text: words.panel_member_answers }), memberDetails(entry, index));
        body.appendChild(h("tr", { className: "decision-row" },
          h("td", { colspan: String(combined.members.length + 4) }, decisionControls(entry, index, outcome), details)));
      });
      table.appendChild(body);
      root.appendChild(table);
    });
    showLog(file.log);
  }

  function alphaText(figures) {
    if (figures.alpha === null) return "—" + words.open + words.panel_alpha_undefined + words.close;
    return figureText(figures.alpha, 3, false) + (figures.alpha_reason === "all_agree" ? words.open + words.panel_alpha_all_agree + words.close : "");
  }

  /* A figure as the scorer's sheets print it (figure_text): `places`
   * decimals (the figures are rounded already), + on a lenient deviation,
   * — when undefined: 0.853, 1.000, +0.25, 0.00. */
  function figureText(value, places, signed) {
    if (value === null) return "—";
    var text = points(value), dot = text.indexOf(".");
    if (dot < 0) { text += "."; dot = text.length - 1; }
    while (text.length - dot - 1 < places) text += "0";
    return signed && Number(value) > 0 ? "+" + text : text;
  }

  function memberTable(figures, className) {
    var table = h("table", { className: className });
    table.appendChild(h("caption", { text: words.panel_member_figures }));
    table.appendChild(h("thead", null, h("tr", null, h("th", { scope: "col", text: words.panel_member }),
      h("th", { scope: "col", text: words.panel_items_assessed }), h("th", { scope: "col", text: words.panel_mean_deviation }),
      h("th", { scope: "col", text: words.panel_mean_absolute }))));
    var body = h("tbody");
    figures.members.forEach(function (member) {
      body.appendChild(h("tr", null, h("th", { scope: "row", text: member.evaluator }), h("td", { text: String(member.items) }),
        h("td", { text: figureText(member.mean_deviation, 2, true) }), h("td", { text: figureText(member.mean_absolute_deviation, 2, false) })));
    });
    table.appendChild(body);
    table.appendChild(h("tfoot", null, h("tr", null, h("td", { colspan: "4", className: "hint", text: words.panel_deviation_explained }))));
    return table;
  }

  function conditionTable(className) {
    var table = h("table", { className: className });
    table.appendChild(h("caption", { text: words.conditions }));
    var head = h("tr", null, h("th", { scope: "col", text: words.panel_condition }));
    combined.members.forEach(function (member) { head.appendChild(h("th", { scope: "col", text: member.evaluator })); });
    head.appendChild(h("th", { scope: "col", text: words.panel_agreed }));
    table.appendChild(h("thead", null, head));
    var body = h("tbody");
    combined.conditions.forEach(function (condition, index) {
      var planned = plan.conditions[index];
      var row = h("tr", null, h("th", { scope: "row", text: (planned.clause ? planned.clause + " " : "") + planned.text }));
      condition.votes.forEach(function (vote) { row.appendChild(h("td", { text: vote === null ? words.panel_vote_none : vote ? words.panel_vote_yes : words.panel_vote_no })); });
      row.appendChild(h("td", { text: (condition.met ? words.panel_vote_yes : words.panel_vote_no) + (condition.tie ? words.open + words.tie + words.close : "") }));
      body.appendChild(row);
    });
    table.appendChild(body);
    return table;
  }

  function conclusionText(result) {
    var outcome = { passed: words.passed, failed: words.failed, not_eligible: words.not_eligible }[result.conclusion];
    return result.provisional ? say(words.verdict_provisional, { verdict: outcome }) : outcome;
  }

  function sourceText(line) {
    if (line.source === "member") return say(words.panel_source_member, { name: line.member });
    if (line.source === "edited") return words.panel_source_edited;
    return say(words.panel_source_consensus, { method: methodName() });
  }

  function logName(line) {
    if (isConditionLine(line)) {
      var condition = plan.conditions.filter(function (c) { return "conditions." + c.key === line.item; })[0];
      return words.conditions + words.colon + (condition.clause ? condition.clause + " " : "") + condition.text;
    }
    return itemInfo[line.item].name;
  }

  function isConditionLine(line) { return line.item.indexOf("conditions.") === 0; }

  function logScores(line) {
    if (isConditionLine(line)) {
      return joined(Object.keys(line.scores).map(function (name) {
        var vote = line.scores[name];
        return name + " " + (vote === null ? words.panel_vote_none : vote ? words.panel_vote_yes : words.panel_vote_no);
      }));
    }
    return joined(Object.keys(line.scores).map(function (name) { return name + " " + (line.scores[name] === null ? "—" : points(line.scores[name])); }));
  }

  function showLog(log) {
    var body = clear(byId("log-list"));
    log.forEach(function (line) {
      var conditionLine = isConditionLine(line);
      body.appendChild(h("tr", null,
        h("th", { scope: "row", text: logName(line) }),
        h("td", { text: logScores(line) }),
        h("td", { text: conditionLine ? "—" : points(line.consensus) }),
        h("td", { text: conditionLine ? (line.agreed ? words.panel_vote_yes : words.panel_vote_no) : line.agreed === null ? "—" : points(line.agreed) }),
        h("td", { text: conditionLine ? words.panel_majority : sourceText(line) }),
        h("td", { text: line.decided_by || "—" }),
        h("td", { text: line.reason || "" }),
        h("td", { text: line.time.replace("T", " ") })));
    });
  }

  // ---- decisions -------------------------------------------------------------------

  function decide(path, change) {
    var decision = state.decisions[path] || { take: "consensus", reason: "" };
    Object.keys(change).forEach(function (key) { decision[key] = change[key]; });
    decision.decided_by = state.lead.trim();
    decision.time = Panel.timeStamp(new Date());
    state.decisions[path] = decision;
    save();
  }

  function onComparisonChange(event) {
    var target = event.target;
    if (target.hasAttribute("data-decide")) {
      var value = target.value, path = target.getAttribute("data-decide"), old = decisionOf(path);
      if (value.indexOf("member:") === 0) decide(path, { take: "member", member: value.slice(7), findings: undefined, file: undefined });
      else decide(path, { take: value, member: undefined, findings: value === "edited" && old && old.take === "edited" ? old.findings : undefined });
      redrawKeepingFocus();
    } else if (target.hasAttribute("data-edited")) {
      importEdited(target.getAttribute("data-edited"), target.files && target.files[0], target);
    }
  }

  function onComparisonInput(event) {
    var target = event.target;
    if (!target.hasAttribute("data-reason")) return;
    decide(target.getAttribute("data-reason"), { reason: target.value });
    // Redrawn when the field is left, so that typing is not interrupted.
  }

  /* The comparison drawn again, the focus where it was (the controls keep their ids). */
  function redrawKeepingFocus() {
    var focused = document.activeElement && document.activeElement.id;
    refresh();
    var element = focused && byId(focused);
    if (element) element.focus();
  }

  /* The answers of one item, edited in the form and exported from it. */
  function importEdited(path, file, input) {
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () {
      input.value = "";
      var findings;
      try {
        findings = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(reader.result)).replace(/^\ufeff/, ""));
      } catch (error) {
        showMessage(say(words.panel_refused, { file: file.name, why: words.panel_not_json }), true);
        return;
      }
      var why = null, clean = withoutNotes(findings);
      if (!isObject(findings) || findings.format !== plan.findings_format) why = words.panel_not_findings;
      else if ("digest" in findings && !RubricDigest.digestMatches(findings)) why = words.digest_mismatch;
      else if (!isObject(findings.rubric) || findings.rubric.content_hash !== plan.rubric.content_hash) why = say(words.panel_other_content, { hash: String(isObject(findings.rubric) ? findings.rubric.content_hash : "") });
      else if (!isObject(findings.items) || !isObject(findings.items[path]) || findings.items[path].status === null || findings.items[path].status === undefined) why = say(words.panel_edited_missing, { item: itemInfo[path].name });
      else {
        // Only this item's answers are taken: only its problems count.
        var at = "items." + path, problems = Scoring.validateFindings(plan, clean, { partial: true }).filter(function (problem) {
          return problem.path === at || problem.path.indexOf(at + ".") === 0;
        });
        if (problems.length) why = say(words.panel_invalid, { count: problems.length, problem: problems[0].path + words.colon + (words["problem_" + problems[0].problem] || problems[0].problem) });
      }
      if (why) { showMessage(say(words.panel_refused, { file: file.name, why: why }), true); return; }
      decide(path, { take: "edited", findings: clean.items[path], file: file.name, member: undefined });
      refresh();
      showMessage(say(words.panel_edited_imported, { file: file.name, item: itemInfo[path].name }), false);
    };
    reader.readAsArrayBuffer(file);
  }

  // ---- export and print ---------------------------------------------------------------

  function exportPanel() {
    if (!combined) { showMessage(words.panel_not_all_in, true); return; }
    var problems = [];
    if (!state.lead.trim()) problems.push(words.panel_lead_missing);
    // More members than clause 5.2 allows make no panel file rubricdsl accepts (fewer: a trial, warned).
    if (plan.panel.max !== null && combined.members.length > plan.panel.max) {
      problems.push(say(words.panel_too_many, { count: combined.members.length, high: plan.panel.max }));
    }
    var missing = Panel.missingReasons(combined, decisionsForPanel());
    if (missing.length) {
      problems.push(say(words.panel_reasons_needed, { count: missing.length, items: joined(missing.slice(0, 5).map(function (path) { return itemInfo[path].name; })) }));
    }
    if (problems.length) { showMessage(say(words.panel_export_refused, { problems: joined(problems) }), true); return; }
    var file = currentPanel().file;
    var text = Panel.panelFileText(file, RubricDigest);
    var name = [plan.rubric.id, file.organization, file.date, words.panel_file_suffix].filter(Boolean).join("_").replace(/[\\\/:*?"<>|\u0000-\u001f]+/g, "_") + ".json";
    var url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    var link = h("a", { href: url, download: name, className: "visually-hidden" });
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    showMessage(say(words.export_done, { filename: name }), false);
  }

  /* The consensus sheet: the result, every item's agreed score with its
   * deductions, the members' scores, the reasons, the figures, a signature
   * line per member. */
  function buildPrintSheet() {
    var sheet = clear(byId("print-sheet"));
    if (!combined) { sheet.appendChild(h("p", { text: words.panel_not_all_in })); return; }
    var panel = currentPanel(), file = panel.file, result = panel.result, figures = panel.figures;
    byId("print-margins").textContent = pageMargins(file.organization);
    sheet.appendChild(h("h2", { text: words.panel_sheet_title }));
    var info = printTable("print-info", [words.panel_field, words.panel_value]);
    [[words.organization, file.organization || "—"], [words.evaluation_date, file.date || "—"],
     [words.panel_rubric, plan.rubric.title + words.open + plan.rubric.version + words.close + " · " + plan.rubric.content_hash.slice(0, 19)],
     [words.panel_method, methodName() + words.list_separator + say(words.panel_threshold_text, { threshold: points(Scoring.resultNumber(plan.panel.disagreement)) })],
     [words.panel_members, joined(file.members.map(function (m) { return m.evaluator; }))],
     [words.panel_lead, file.decided_by || "—"],
     [words.total, points(result.total) + " / " + points(result.full_marks)],
     [words.conclusion, conclusionText(result) + (result.grade ? words.list_separator + result.grade.label : "")]
    ].forEach(function (pair) { addRow(info, [h("th", { scope: "row", text: pair[0] }), pair[1]]); });
    sheet.appendChild(info);
    if (plan.conditions.length) sheet.appendChild(conditionTable("print-votes"));

    sheet.appendChild(h("h3", { text: words.panel_agreed_items }));
    var agreedItems = itemsOfResult(result), log = file.log;
    rubric.sections.forEach(function (section, sectionIndex) {
      var table = printTable("print-agreed", [words.item, words.panel_agreed, words.deductions, words.panel_decision]);
      table.prepend(h("caption", { text: (section.caption || say(words.numbered, { number: section.numeral, title: section.title })) +
        words.open + words.subtotal + " " + points(result.sections[sectionIndex].score) + " / " + points(result.sections[sectionIndex].points) + words.close }));
      section.items.forEach(function (item) {
        var index = itemOrder.indexOf(item.path), agreed = agreedItems[index], line = log[index];
        var lost = agreed.deductions.map(function (d) {
          return "−" + points(d.amount) + " " + d.text + (d.remark ? words.open + words.remark + words.colon + d.remark + words.close : "");
        });
        if (agreed.reason) lost.unshift(words.panel_na_reason + words.colon + agreed.reason);
        if (agreed.remark) lost.push(words.item_remark + words.colon + agreed.remark);
        addRow(table, [h("th", { scope: "row", text: itemInfo[item.path].name }),
          agreed.status === "not_assessed" ? "—" : points(agreed.score) + " / " + points(agreed.points) + statusMark(agreed.status),
          lost.join("\n") || "—",
          sourceText(line) + (line.reason ? "\n" + words.panel_reason + words.colon + line.reason : "")]);
      });
      sheet.appendChild(table);
    });

    sheet.appendChild(h("h3", { text: words.panel_member_scores }));
    var scores = printTable("print-scores", [words.item].concat(file.members.map(function (m) { return m.evaluator; }), [words.panel_consensus, words.panel_agreed, words.panel_spread]));
    combined.items.forEach(function (entry, index) {
      var agreed = agreedItems[index];
      addRow(scores, [h("th", { scope: "row", text: itemInfo[entry.path].short })].concat(
        combined.members.map(function (m, position) { return scoreCell(entry, position); }),
        [entry.assessed ? points(combined.exact.number(entry.consensus)) : "—", agreed.status === "not_assessed" ? "—" : points(agreed.score),
         points(combined.exact.number(entry.spread))]));
    });
    sheet.appendChild(scores);

    sheet.appendChild(h("h3", { text: words.panel_reasons }));
    var reasons = log.filter(function (line) { return line.reason; });
    var list = h("ol", { className: "print-reasons" });
    reasons.forEach(function (line) {
      list.appendChild(h("li", { text: logName(line) + words.colon + line.reason + words.open + sourceText(line) + words.list_separator +
        say(words.panel_decided_by, { name: line.decided_by, time: line.time.replace("T", " ") }) + words.close }));
    });
    sheet.appendChild(reasons.length ? list : h("p", { text: words.panel_no_reasons }));

    sheet.appendChild(h("h3", { text: words.panel_figures }));
    sheet.appendChild(h("p", null, h("strong", { text: words.panel_alpha + words.colon }), alphaText(figures)));
    sheet.appendChild(h("p", { text: words.panel_alpha_explained }));
    sheet.appendChild(memberTable(figures, "print-deviations"));

    sheet.appendChild(h("h3", { text: words.signatures }));
    var signatures = printTable("print-signatures", [words.col_number, words.col_name, words.panel_role, words.col_signature, words.date]);
    file.members.forEach(function (member, index) {
      addRow(signatures, [String(index + 1), member.evaluator, member.evaluator === file.decided_by ? words.panel_role_lead : words.panel_role_member, "", ""]);
    });
    if (file.decided_by && !file.members.some(function (m) { return m.evaluator === file.decided_by; })) {
      addRow(signatures, [String(file.members.length + 1), file.decided_by, words.panel_role_lead, "", ""]);
    }
    sheet.appendChild(signatures);
    if (result.remarks.trim()) sheet.append(h("h3", { text: words.panel_remarks }), h("p", { className: "print-text", text: result.remarks.trim() }));
  }

  function pageMargins(organization) {
    var pages = words.page_of.split(/\{(pages?)\}/).map(function (part, index) { return index % 2 ? "counter(" + part + ")" : cssString(part); });
    return "@page { @top-left { content: " + cssString(words.organization + words.colon + (organization || words.blank)) +
      "; } @top-right { content: " + cssString(rubric.standards.join(" / ") + " " + words.panel_sheet_title) + "; } @bottom-center { content: " + pages.join(" ") + "; } }";
  }

  // ---- saving ------------------------------------------------------------------

  function save() {
    if (current.readOnly) return;
    var text = records.recordText(current.id, { members: state.members.length }, state);
    var outcome = records.write(current.id, text, current.text);
    if (outcome === "changed" || outcome === "deleted") {
      becomeReadOnly(outcome === "deleted" ? words.conflict_deleted : words.conflict_changed);
      return;
    }
    if (outcome !== "saved") {
      showSaveState(say(words.save_failed, { reason: outcome === "full" ? words.storage_full : words.storage_unavailable }), true);
      return;
    }
    current.text = text;
    showSaveState(say(words.saved_at, { time: clock(new Date()) }), false);
    showSaved();
  }

  function clock(date) {
    return Panel.timeStamp(date).slice(11, 19);
  }

  function showSaveState(text, failed) {
    var element = byId("save-state");
    setText(element, text);
    element.className = failed ? "save-state failed" : "save-state";
  }

  function setReadOnly(on) {
    current.readOnly = on;
    byId("panel-root").inert = on;
  }

  function becomeReadOnly(text) {
    setReadOnly(true);
    showSaveState(words.read_only, true);
    showMessage(text, true);
    showSaved();
  }

  function onStorage(event) {
    if (event.key !== null && records.idOf(event.key) === null) return;
    if (!current.readOnly && (event.key === null || records.idOf(event.key) === current.id)) {
      var found = records.read(current.id), text = found ? found.text : null;
      if (text !== current.text) becomeReadOnly(text === null ? words.conflict_deleted : words.conflict_changed);
    }
    showSaved();
  }

  function panelName(stored) {
    var organization = "";
    stored.members.forEach(function (m) {
      try { organization = organization || (JSON.parse(m.text).organization || "").trim(); } catch (error) { /* checked on opening */ }
    });
    return organization || words.unnamed_organization;
  }

  function showSaved() {
    var saved = records.list(), list = clear(byId("saved-list"));
    byId("saved").hidden = !saved.length;
    setText(byId("saved-title"), say(words.panel_saved_title, { count: saved.length }));
    saved.forEach(function (record) {
      var here = record.id === current.id, actions = h("td", { className: "actions" });
      if (!here || current.readOnly) actions.appendChild(h("button", { type: "button", "data-open": record.id, text: words.continue }));
      actions.appendChild(h("button", { type: "button", className: "secondary", "data-delete": record.id, text: words.delete }));
      var named = record.state.names.split("\n").map(function (n) { return n.trim(); }).filter(Boolean);
      list.appendChild(h("tr", here ? { className: "here" } : null,
        h("th", { scope: "row", text: panelName(record.state) + (here ? words.current_mark : "") }),
        h("td", { text: record.state.lead || "—" }),
        h("td", { text: record.members + " / " + named.length }),
        h("td", { text: Panel.timeStamp(new Date(record.saved)).slice(0, 16).replace("T", " ") }),
        actions));
    });
  }

  function onSavedClick(event) {
    var button = event.target.closest("[data-open], [data-delete]");
    if (!button) return;
    var opening = button.hasAttribute("data-open"), id = button.getAttribute(opening ? "data-open" : "data-delete"), found = records.read(id);
    if (!found) { showSaved(); return; }
    var name = panelName(found.record.state);
    if (opening) { openPanel(id, found); showMessage(say(words.continued, { name: name }), false); return; }
    ask(say(words.panel_delete_confirm, { name: name }), [
      { label: words.delete, className: "danger", run: function () {
        if (!records.remove(id)) { showMessage(say(words.save_failed, { reason: words.storage_unavailable }), true); return; }
        if (id === current.id) openPanel(records.newId(), null); else showSaved();
        showMessage(say(words.deleted, { name: name }), false);
      } },
      { label: words.cancel }
    ]);
  }

  function openPanel(id, found) {
    current = { id: id, text: found ? found.text : null, readOnly: false };
    records.setTabId(id);
    state = found ? found.record.state : emptyState();
    setReadOnly(false);
    loadMembers();
    showFields();
    refresh();
    showSaveState(found ? say(words.saved_at, { time: clock(new Date(found.record.saved)) }) : words.not_saved_yet, false);
    showSaved();
  }

  function showMessage(text, isError) {
    var message = byId("message");
    message.className = isError ? "message error" : "message";
    message.textContent = text;
  }

  // ---- start ---------------------------------------------------------------------

  function showFields() {
    byId("field-lead").value = state.lead;
    byId("field-names").value = state.names;
    byId("field-panel-remarks").value = state.remarks;
  }

  /* Everything from the state: the roster, and the comparison once every member is in. */
  function refresh() {
    performance.mark("rubric-panel:refresh-start");
    combined = allIn() ? Panel.combine(plan, ordered()) : null;
    showRoster();
    showComparison();
    performance.mark("rubric-panel:refresh-end");
    performance.measure("rubric-panel:refresh", "rubric-panel:refresh-start", "rubric-panel:refresh-end");
  }

  function start() {
    rubric.sections.forEach(function (section) {
      var table = section.caption ? section.caption.split(" ")[0] : say(words.numbered, { number: section.numeral, title: section.title });
      section.items.forEach(function (item) {
        itemOrder.push(item.path);
        itemInfo[item.path] = { name: table + " " + say(words.numbered, { number: item.number, title: item.title }),
                                short: table + " " + item.number };
      });
    });
    var id = records.tabId(), found = id && records.read(id);
    openPanel(found ? id : id || records.newId(), found);
    if (found) showMessage(words.restored, false);
    else if (records.list().length) { byId("saved").open = true; }
    byId("field-lead").addEventListener("input", function (event) { state.lead = event.target.value; save(); });
    byId("field-names").addEventListener("input", function (event) { state.names = event.target.value; save(); });
    byId("field-names").addEventListener("change", refresh);
    byId("field-panel-remarks").addEventListener("input", function (event) { state.remarks = event.target.value; save(); });
    byId("field-lead").addEventListener("change", refresh);
    byId("member-files").addEventListener("change", function (event) {
      var files = event.target.files;
      if (files && files.length) importFiles(Array.prototype.slice.call(files));
      event.target.value = "";
    });
    byId("roster-list").addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove]");
      if (button) removeMember(button.getAttribute("data-remove"));
    });
    var comparison = byId("comparison");
    comparison.addEventListener("change", function (event) {
      // A reason is redrawn once the focus has moved on (Tab, a click), which it then keeps.
      if (event.target.hasAttribute("data-reason")) { setTimeout(redrawKeepingFocus, 0); return; }
      onComparisonChange(event);
    });
    comparison.addEventListener("input", onComparisonInput);
    byId("export-panel").addEventListener("click", exportPanel);
    byId("print-panel").addEventListener("click", function () { window.print(); });
    byId("new-panel").addEventListener("click", function () { openPanel(records.newId(), null); showMessage(words.created, false); });
    byId("saved").addEventListener("click", onSavedClick);
    window.addEventListener("storage", onStorage);
    window.addEventListener("beforeprint", buildPrintSheet);
    window.matchMedia("print").addEventListener("change", function (event) { if (event.matches) buildPrintSheet(); });
  }

  start();
})();
