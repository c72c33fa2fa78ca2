/* The evaluator's form: builds the page from the rubric JSON, keeps the
 * evaluator's answers, scores them live with RubricScoring by the scoring
 * plan (#rubric-plan), saves each evaluation in localStorage, and exports and imports
 * findings files (docs/findings.md).  The model (#rubric-data) gives only
 * texts to show; every point value, answer key and rule is the plan's.
 *
 * Every rubric text reaches the page through textContent or an attribute
 * value, never through innerHTML.
 */
(function () {
  "use strict";
  // The helpers both pages share (form_dom.js).
  var say = RubricDom.say, h = RubricDom.h, setText = RubricDom.setText, ask = RubricDom.ask,
      cssString = RubricDom.cssString, printTable = RubricDom.printTable, addRow = RubricDom.addRow,
      inexactNumbers = RubricDom.inexactNumbers;

  var rubric = JSON.parse(document.getElementById("rubric-data").textContent);
  var plan = JSON.parse(document.getElementById("rubric-plan").textContent);
  var words = JSON.parse(document.getElementById("form-words").textContent);
  var Scoring = RubricScoring;
  var STATE_FORMAT = "rubricdsl-form-state/1";
  // Before saved evaluations the form kept one state per rubric version here.
  var OLD_SLOT = "rubricdsl-form:" + rubric.id + "@" + rubric.version;
  // One record per evaluation (form_records.js), under this prefix and its id.
  var RECORD_PREFIX = OLD_SLOT + "#" + plan.rubric.content_hash + ":";
  var records = RubricRecords(RECORD_PREFIX, "rubricdsl-form-evaluation/1",
    function (stored) { return isMap(stored) && stored.format === STATE_FORMAT; }, "rubricdsl-form-tab:" + RECORD_PREFIX);

  // Every object keyed by rubric keys is a map(): a key may be
  // "constructor" or "toString", which a plain object inherits, and what
  // comes from JSON.parse (an imported file, the saved state) is made one.
  var items = map();      // item path -> {item, plan (the item's plan), section, view}
  var itemOrder = [];  // item paths in rubric order
  var sectionViews = map();
  var state = emptyState();

  function map() { return Object.create(null); }

  /* JSON data with every object made a map(), so that no key reads an inherited member. */
  function mapped(value) {
    if (Array.isArray(value)) return value.map(mapped);
    if (value === null || typeof value !== "object") return value;
    var copy = map();
    Object.keys(value).forEach(function (key) { copy[key] = mapped(value[key]); });
    return copy;
  }

  /* JSON data without its notes: every key starting with "_", at any level,
   * as the scorer ignores them (docs/findings.md). */
  function withoutNotes(value) {
    if (Array.isArray(value)) return value.map(withoutNotes);
    if (value === null || typeof value !== "object") return value;
    var copy = map();
    Object.keys(value).forEach(function (key) { if (key.charAt(0) !== "_") copy[key] = withoutNotes(value[key]); });
    return copy;
  }

  var nextId = 0;
  function newId(prefix) { nextId += 1; return prefix + "-" + nextId; }

  /* A result number as the page prints it: 0.0000001, never 1e-7. */
  function formatPoints(value) { return Scoring.numberText(value); }

  /* Units of the plan as the page prints them. */
  function planPoints(units) { return Scoring.pointsText(plan, units); }

  /* A table's short name, "表A.2" (the caption's first word), which tells
   * apart items of the same title in different tables. */
  function tableName(section) {
    return section.caption ? section.caption.split(" ")[0] : say(words.numbered, { number: section.numeral, title: section.title });
  }

  /* An item as the evaluator finds it: "表A.2 1、体系结构". */
  function itemName(path) {
    var entry = items[path];
    return tableName(entry.section) + " " + say(words.numbered, { number: entry.item.number, title: entry.item.title });
  }

  function find(list, key) {
    return list.filter(function (entry) { return entry.key === key; })[0];
  }

  // ---- state -----------------------------------------------------------
  // The state is what the evaluator entered, including half-answered items;
  // findings are derived from it and hold only finished items.

  function emptyState() {
    return { format: STATE_FORMAT, organization: "", date: "", evaluators: "", remarks: "", conditions: map(), items: map() };
  }

  function itemState(path) {
    if (!state.items[path]) state.items[path] = { mode: "assessed", reason: "", requirements: map(), measures: map() };
    return state.items[path];
  }

  /* The ruling on a group ({mode, reason}); a group not ruled is assessed. */
  function groupState(stored, key) {
    if (!stored.groups) stored.groups = map();
    if (!stored.groups[key]) stored.groups[key] = { mode: "assessed", reason: "" };
    return stored.groups[key];
  }

  function groupMode(stored, key) {
    return stored && stored.groups && stored.groups[key] ? stored.groups[key].mode : "assessed";
  }

  /* The plan's answers of an item ({key, kind, keys}) that the evaluator
   * gives, without those of groups ruled not applicable or absent. */
  function answerable(path, stored) {
    return items[path].plan.answers.filter(function (answer) {
      var dot = answer.key.indexOf(".");
      return dot < 0 || groupMode(stored, answer.key.slice(0, dot)) === "assessed";
    });
  }

  /* The answer of a requirement for the findings file, or undefined. */
  function answerOf(answer, stored) {
    if (stored === undefined || stored === null) return undefined;
    if (answer.kind === "parts") {
      var any = answer.keys.some(function (part) { return stored.parts && stored.parts[part] === true; });
      if (!any && !stored.none) return undefined;
      var parts = map();
      answer.keys.forEach(function (part) { parts[part] = !!(stored.parts && stored.parts[part]); });
      return parts;
    }
    return stored;
  }

  /* A measured value typed in, checked exactly against the plan's range:
   * undefined when blank, null when invalid.  A value whose digits a JS
   * number cannot hold (more than 15 significant digits) is invalid, so the
   * exported number is always the value typed. */
  function measureValue(measure, text) {
    if (text === undefined || text === null || String(text).trim() === "") return undefined;
    var typed = Scoring.parseDecimal(text);
    if (typed === null || !Scoring.inRange(measure, text)) return null;
    var value = Number(text);
    return Scoring.compareDecimal(Scoring.parseDecimal(value), typed) === 0 ? value : null;
  }

  /* The finding of one item, or null while it is not finished. */
  function findingOf(path, stored) {
    var drafted = draftOf(path, stored);
    return drafted && drafted.complete ? drafted.finding : null;
  }

  /* What the evaluator gave for one item, {finding, complete}, or null when
   * nothing; an unfinished finding still holds every answer given. */
  function draftOf(path, stored) {
    var item = items[path].plan;
    if (!stored) return null;
    if (stored.mode === "not_applicable") {
      return Scoring.isBlank(stored.reason) ? null : { finding: { status: "not_applicable", reason: stored.reason.trim() }, complete: true };
    }
    if (stored.mode === "absent") return { finding: { status: "absent" }, complete: true };
    var finding = { status: "assessed" };
    var complete = stored.mode === "assessed", given = false;
    // Rulings on groups are written only when some group is not assessed:
    // a group not listed is assessed (docs/findings.md).
    var rulings = map(), ruled = false;
    item.groups.forEach(function (group) {
      var mode = groupMode(stored, group.key);
      if (mode === "assessed") return;
      ruled = true;
      var reason = stored.groups[group.key].reason.trim();
      if (mode === "not_applicable" && Scoring.isBlank(reason)) complete = false;
      rulings[group.key] = mode === "not_applicable" ? { status: mode, reason: reason } : { status: mode };
    });
    if (ruled) {
      item.groups.forEach(function (group) { if (!rulings[group.key]) rulings[group.key] = { status: "assessed" }; });
      finding.groups = rulings;
    }
    if (item.keys.indexOf("requirements") >= 0) {
      finding.requirements = map();
      answerable(path, stored).forEach(function (answer) {
        var answered = answerOf(answer, stored.requirements[answer.key]);
        if (answered === undefined) complete = false;
        else { finding.requirements[answer.key] = answered; given = true; }
      });
    }
    if (item.measures.length) {
      finding.measures = map();
      item.measures.forEach(function (measure) {
        var value = measureValue(measure, stored.measures[measure.key]);
        if (value === undefined || value === null) complete = false;
        else { finding.measures[measure.key] = value; given = true; }
      });
    }
    if (item.kind === "choices") {
      if (stored.choice === undefined) complete = false;
      else { finding.choice = stored.choice; given = true; }
    }
    if (!complete) {
      if (!given && !ruled) return null;
      finding.status = null;
      if (finding.requirements && !Object.keys(finding.requirements).length) delete finding.requirements;
      if (finding.measures && !Object.keys(finding.measures).length) delete finding.measures;
    }
    return { finding: finding, complete: complete };
  }

  /* Adds the non-empty remarks of an item's state to its finding
   * (docs/findings.md); whether there were any. */
  function withRemarks(finding, stored) {
    if (!stored) return false;
    var remark = (stored.remark || "").trim(), given = map(), any = false;
    var remarks = stored.requirement_remarks || map();
    Object.keys(remarks).forEach(function (key) {
      if (remarks[key].trim()) { given[key] = remarks[key].trim(); any = true; }
    });
    if (remark) finding.remark = remark;
    if (any) finding.requirement_remarks = given;
    return !!remark || any;
  }

  function evaluatorList() {
    var names = state.evaluators.split("\n").map(function (line) { return line.trim(); }).filter(Boolean);
    return names.length ? names : [""];
  }

  // Each item's finding as last derived, until refresh() is told the item
  // changed; scoring remembers each such object (scoreMemo), so one answer
  // rescores one item.  A cached finding is never changed.
  var findingCache = map();
  var scoreMemo = new WeakMap();

  function cachedFinding(path) {
    if (!(path in findingCache)) findingCache[path] = findingOf(path, state.items[path]);
    return findingCache[path];
  }

  function currentFindings() {
    var conditions = map();
    plan.conditions.forEach(function (condition) { conditions[condition.key] = state.conditions[condition.key] === true; });
    var found = map();
    itemOrder.forEach(function (path) {
      var finding = cachedFinding(path);
      if (finding) found[path] = finding;
    });
    return {
      format: plan.findings_format,
      rubric: { id: plan.rubric.id, version: plan.rubric.version, content_hash: plan.rubric.content_hash },
      organization: state.organization.trim(),
      date: state.date,
      evaluators: evaluatorList(),
      remarks: state.remarks,
      conditions: conditions,
      items: found
    };
  }

  /* The state of findings already validated (partial) and without notes.
   * An item whose status is null is not assessed: the answers it holds
   * (an unfinished item exported by this form) are restored, each only
   * when it is of the right kind, and null is no answer. */
  function stateFromFindings(findings) {
    var restored = emptyState();
    restored.organization = findings.organization || "";
    restored.date = findings.date || "";
    restored.evaluators = (findings.evaluators || []).join("\n");
    restored.remarks = findings.remarks || "";
    var conditions = findings.conditions || map();
    Object.keys(conditions).forEach(function (key) {
      if (conditions[key] === true || conditions[key] === false) restored.conditions[key] = conditions[key];
    });
    var found = findings.items || map();
    Object.keys(found).forEach(function (path) {
      if (!items[path]) return;
      var finding = found[path];
      if (!finding || typeof finding !== "object" || Array.isArray(finding)) return;
      var mode = finding.status === undefined ? null : finding.status;
      if (["assessed", "not_applicable", "absent", null].indexOf(mode) < 0) return;
      var stored = { mode: mode, reason: typeof finding.reason === "string" ? finding.reason : "", requirements: map(), measures: map() };
      var rulings = isMap(finding.groups) ? finding.groups : map();
      Object.keys(rulings).forEach(function (key) {
        var ruling = rulings[key];
        if (!isMap(ruling) || ["assessed", "not_applicable", "absent"].indexOf(ruling.status) < 0) return;
        stored.groups = stored.groups || map();
        stored.groups[key] = { mode: ruling.status, reason: typeof ruling.reason === "string" ? ruling.reason : "" };
      });
      var answers = isMap(finding.requirements) ? finding.requirements : map();
      answerable(path, stored).forEach(function (answer) {
        var given = answers[answer.key];
        if (answer.kind === "parts") {
          if (!isMap(given)) return;
          var parts = map(), any = false;
          answer.keys.forEach(function (part) {
            if (typeof given[part] === "boolean") { parts[part] = given[part]; any = true; }
          });
          if (!any) return;
          var none = answer.keys.every(function (part) { return parts[part] === false; });
          stored.requirements[answer.key] = { parts: parts, none: none };
        } else if (typeof given === "boolean" || (answer.kind === "levels" && typeof given === "string" && answer.keys.indexOf(given) >= 0)) {
          stored.requirements[answer.key] = given;
        }
      });
      var measures = isMap(finding.measures) ? finding.measures : map();
      items[path].plan.measures.forEach(function (measure) {
        var value = measures[measure.key];
        if (typeof value === "number" || typeof value === "string") stored.measures[measure.key] = String(value);
      });
      // With status null, a null choice is a blank to fill (rubricdsl template), not "none reached".
      if (items[path].plan.kind === "choices" && "choice" in finding && !(mode === null && finding.choice === null)) {
        var choice = finding.choice;
        if (choice === null || items[path].plan.awards.some(function (award) { return award.key === choice; })) stored.choice = choice;
      }
      if (typeof finding.remark === "string") stored.remark = finding.remark;
      var remarks = isMap(finding.requirement_remarks) ? finding.requirement_remarks : map();
      Object.keys(remarks).forEach(function (key) {
        if (typeof remarks[key] !== "string") return;
        stored.requirement_remarks = stored.requirement_remarks || map();
        stored.requirement_remarks[key] = remarks[key];
      });
      restored.items[path] = stored;
    });
    return restored;
  }

  function isMap(value) { return value !== null && typeof value === "object" && !Array.isArray(value); }

  // ---- saving: one record per evaluation ------------------------------------
  // A tab writes its evaluation's record only while the record still holds
  // what this tab last read or wrote there: a change made in another tab
  // makes this one read-only, never overwritten (docs/sheets.md).

  var current = { id: null, text: null, readOnly: false };

  function assessedCount(stored) {
    return itemOrder.filter(function (path) { return findingOf(path, stored.items[path]); }).length;
  }

  function recordText(id, stored) { return records.recordText(id, { assessed: assessedCount(stored) }, stored); }

  function save() {
    if (current.readOnly) return;
    var text = recordText(current.id, state), outcome = records.write(current.id, text, current.text);
    if (outcome === "changed" || outcome === "deleted") {
      becomeReadOnly(outcome === "deleted" ? words.conflict_deleted : words.conflict_changed);
      return;
    }
    if (outcome !== "saved") {
      showSaveState(say(words.save_failed, { reason: outcome === "full" ? words.storage_full : words.storage_unavailable }), true);
      return;
    }
    current.text = text;
    showSaveState(say(words.saved_at, { time: timeText(new Date(), true) }), false);
    showSaved();
  }

  /* The old single slot becomes one saved evaluation; it is removed only
   * once its record is written.  Returns the new evaluation's id or null. */
  function migrateOldSlot() {
    try {
      var text = window.localStorage.getItem(OLD_SLOT);
      var saved = text && mapped(JSON.parse(text));
      if (!saved || saved.format !== STATE_FORMAT) return null;
      var id = records.newId();
      if (records.write(id, recordText(id, saved), null) !== "saved") return null;
      window.localStorage.removeItem(OLD_SLOT);
      return id;
    } catch (error) {
      return null;
    }
  }

  /* Shows an evaluation (a saved record, or a new blank one) in this tab. */
  function openEvaluation(id, found) {
    current = { id: id, text: found ? found.text : null, readOnly: false };
    records.setTabId(id);
    state = found ? found.record.state : emptyState();
    setReadOnly(false);
    showState();
    refresh();
    showSaveState(found ? say(words.saved_at, { time: timeText(new Date(found.record.saved), true) }) : words.not_saved_yet, false);
    showSaved();
  }

  function setReadOnly(on) {
    current.readOnly = on;
    document.getElementById("form-root").inert = on;
    ["import-file", "reset-button"].forEach(function (id) { document.getElementById(id).disabled = on; });
  }

  function becomeReadOnly(text) {
    setReadOnly(true);
    showSaveState(words.read_only, true);
    showMessage(text, true);
    showSaved();
  }

  /* Another tab wrote or deleted a record of this rubric. */
  function onStorage(event) {
    if (event.key !== null && records.idOf(event.key) === null) return;
    if (!current.readOnly && (event.key === null || records.idOf(event.key) === current.id)) {
      var found = records.read(current.id), text = found ? found.text : null;
      if (text !== current.text) becomeReadOnly(text === null ? words.conflict_deleted : words.conflict_changed);
    }
    showSaved();
  }

  function showSaveState(text, failed) {
    var element = document.getElementById("save-state");
    setText(element, text);
    element.className = failed ? "save-state failed" : "save-state";
  }

  function timeText(date, short) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    var clock = two(date.getHours()) + ":" + two(date.getMinutes());
    return short ? clock + ":" + two(date.getSeconds())
      : date.getFullYear() + "-" + two(date.getMonth() + 1) + "-" + two(date.getDate()) + " " + clock;
  }

  /* An evaluation as a person names it: its organisation and date. */
  function evaluationName(stored) {
    var name = stored.organization.trim() || words.unnamed_organization;
    return stored.date ? name + " " + stored.date : name;
  }

  /* Whether the state holds anything the evaluator entered. */
  function hasWork(stored) {
    return ["organization", "date", "evaluators", "remarks"].some(function (key) { return (stored[key] || "").trim(); }) ||
      Object.keys(stored.conditions).some(function (key) { return stored.conditions[key] === true; }) ||
      itemOrder.some(function (path) { return draftOf(path, stored.items[path]) || withRemarks({}, stored.items[path]); });
  }

  /* The list of saved evaluations, with 继续 and 删除. */
  function showSaved() {
    var saved = records.list();
    var panel = document.getElementById("saved"), list = document.getElementById("saved-list");
    panel.hidden = !saved.length;
    setText(document.getElementById("saved-title"), say(words.saved_title, { count: saved.length }));
    while (list.firstChild) list.removeChild(list.firstChild);
    saved.forEach(function (record) {
      var stored = record.state, here = record.id === current.id;
      var actions = h("td", { className: "actions" });
      if (!here || current.readOnly) actions.appendChild(h("button", { type: "button", "data-open": record.id, text: words.continue }));
      actions.appendChild(h("button", { type: "button", className: "secondary", "data-delete": record.id, text: words.delete }));
      list.appendChild(h("tr", here ? { className: "here" } : null,
        h("th", { scope: "row", text: (stored.organization.trim() || words.unnamed_organization) + (here ? words.current_mark : "") }),
        h("td", { text: stored.date || "—" }),
        h("td", { text: stored.evaluators.split("\n").map(function (n) { return n.trim(); }).filter(Boolean).join(words.list_separator) || "—" }),
        h("td", { text: timeText(new Date(record.saved), false) }),
        h("td", { text: record.assessed + " / " + itemOrder.length }),
        actions));
    });
  }

  function onSavedClick(event) {
    var button = event.target.closest("[data-open], [data-delete]");
    if (!button) return;
    var opening = button.hasAttribute("data-open");
    var id = button.getAttribute(opening ? "data-open" : "data-delete"), found = records.read(id);
    if (!found) { showSaved(); return; }
    var name = evaluationName(found.record.state);
    if (opening) {
      openEvaluation(id, found);
      showMessage(say(words.continued, { name: name }), false);
      return;
    }
    ask(say(words.delete_confirm, { name: name, assessed: found.record.assessed, total: itemOrder.length }), [
      { label: words.delete, className: "danger", run: function () { deleteEvaluation(id, name); } },
      { label: words.cancel }
    ]);
  }

  function deleteEvaluation(id, name) {
    if (!records.remove(id)) {
      showMessage(say(words.save_failed, { reason: words.storage_unavailable }), true);
      return;
    }
    if (id === current.id) openEvaluation(records.newId(), null);
    else showSaved();
    showMessage(say(words.deleted, { name: name }), false);
  }

  /* An in-page question (never window.confirm): a button per choice, the
   * first that is not "danger" focused; Escape is the last choice. */

  function showMessage(text, isError) {
    var message = document.getElementById("message");
    message.className = isError ? "message error" : "message";
    message.textContent = text;
  }

  // ---- building the page ---------------------------------------------------

  function buildInfo(root) {
    var section = h("section", { className: "panel info", "aria-labelledby": "info-title" },
      h("h2", { id: "info-title", text: words.information }));
    var grid = h("div", { className: "fields" });
    [["organization", "input", words.organization],
     ["date", "date", words.evaluation_date],
     ["evaluators", "textarea", words.evaluators],
     ["remarks", "textarea", words.remarks]].forEach(function (field) {
      var id = "field-" + field[0];
      var control;
      if (field[1] === "textarea") control = h("textarea", { id: id, rows: "3", "data-field": field[0] });
      else control = h("input", { id: id, type: field[1] === "date" ? "date" : "text", "data-field": field[0], autocomplete: "off" });
      grid.appendChild(h("div", { className: "field field-" + field[0] }, h("label", { "for": id, text: field[2] }), control));
    });
    section.appendChild(grid);
    root.appendChild(section);
  }

  function buildConditions(root) {
    if (!rubric.conditions.length) return;
    var section = h("section", { className: "panel conditions", "aria-labelledby": "conditions-title" },
      h("h2", { id: "conditions-title", text: words.conditions }),
      h("p", { className: "hint", text: words.conditions_hint }));
    var list = h("ul", { className: "condition-list" });
    rubric.conditions.forEach(function (condition) {
      var id = newId("condition");
      var text = (condition.clause ? condition.clause + " " : "") + condition.text;
      var label = h("label", { "for": id }, text);
      if (condition.advisory) label.appendChild(h("span", { className: "tag", text: words.advisory }));
      var entry = h("div", null, label);
      condition.notes.forEach(function (note) { entry.appendChild(h("p", { className: "note", text: words.note + words.colon + note })); });
      list.appendChild(h("li", null, h("input", { type: "checkbox", id: id, "data-condition": condition.key }), entry));
    });
    section.appendChild(list);
    root.appendChild(section);
  }

  /* A labelled radio button or checkbox; `data` becomes its data-* attributes. */
  function option(type, name, value, labelText, data) {
    var id = newId(type);
    var input = h("input", { type: type, id: id, name: name, value: value });
    Object.keys(data).forEach(function (key) { input.setAttribute("data-" + key, data[key]); });
    return h("label", { className: "option", "for": id }, input, h("span", { text: labelText }));
  }

  function radio(name, value, labelText, data) { return option("radio", name, value, labelText, data); }
  function checkbox(labelText, data) { return option("checkbox", null, null, labelText, data); }

  /* A requirement's controls: its texts from the model, its rule from the plan. */
  function buildRequirement(view, path, requirement, key, showRule, groupHeading) {
    var rule = Scoring.ruleOf(items[path].plan, key);
    var result = h("span", { className: "result", text: words.result_pending });
    var data = { item: path, requirement: key };
    var ruleText = showRule && rule ? h("p", { className: "rule", text: rule.text }) : null;
    // The notes and the remark are the 说明 column of the wide layout.
    var notes = h("div", { className: "requirement-notes" });
    requirement.notes.forEach(function (note) { notes.appendChild(h("p", { className: "note", text: words.note + words.colon + note })); });
    notes.appendChild(remarkBox(view, path, key, requirement.text));
    var block;
    if (Scoring.measureOf(rule) !== null) {
      block = h("div", { className: "requirement by-measure" },
        h("p", { className: "requirement-text", text: requirement.text }), ruleText,
        h("p", { className: "hint", text: words.decided_by_measure }), result);
    } else {
      var answers = h("div", { className: "answers" });
      var name = "requirement:" + path + ":" + key;
      if (requirement.parts.length) {
        requirement.parts.forEach(function (part) {
          var partData = { item: path, requirement: key, part: part.key };
          answers.appendChild(checkbox(part.label, partData));
        });
        answers.appendChild(checkbox(words.none_present, { item: path, requirement: key, none: "1" }));
      } else {
        answers.appendChild(radio(name, "true", words.met, data));
        if (rule && rule.kind === "levels") {
          rule.choices.forEach(function (level) {
            answers.appendChild(radio(name, level.key, say(words.level_option, { label: level.label, amount: planPoints(level.amount) }), data));
          });
        } else {
          answers.appendChild(radio(name, "false", words.unmet, data));
        }
      }
      block = h("fieldset", { className: "requirement" + (requirement.parts.length ? " with-parts" : "") },
        h("legend", { className: "requirement-text", text: requirement.text }), ruleText, answers, result);
    }
    block.appendChild(notes);
    // A deduction line names the requirement (one printed 扣分标准 may stand
    // for several), without the full stop that its colon would follow.
    var text = requirement.text.replace(/[。．.；;，,：:]+$/, "");
    var name = groupHeading ? say(words.group_requirement, { group: groupHeading, requirement: text }) : text;
    view.requirements[key] = { rule: rule, result: result, name: name };
    return block;
  }

  /* A closed 扣分说明 disclosure of an item (key "") or a requirement; its
   * field is made when first opened or filled, which keeps the page light. */
  function remarkBox(view, path, key, what) {
    var box = h("details", { className: "remark", "data-remark-item": path, "data-remark-key": key },
      h("summary", { text: key ? words.remark : words.item_remark }));
    view.remarks[key] = { box: box, what: what };
    return box;
  }

  function remarkInput(path, key) {
    var remark = items[path].view.remarks[key], input = remark.box.querySelector("textarea");
    if (!input) {
      input = h("textarea", { rows: "2", "data-item": path, "data-remark": key, "aria-label": say(words.remark_of, { what: remark.what }) });
      remark.box.appendChild(input);
    }
    return input;
  }

  function buildMeasure(view, path, measure) {
    var id = newId("measure");
    var errorId = id + "-error";
    var input = h("input", {
      type: "number", id: id, min: measure.low, max: measure.high, step: "any",
      inputmode: "decimal", "data-item": path, "data-measure": measure.key, "aria-describedby": errorId
    });
    var error = h("span", { id: errorId, className: "error", hidden: true,
      text: say(words.out_of_range, { low: measure.low, high: measure.high }) });
    view.measures[measure.key] = { input: input, error: error, measure: measure };
    return h("div", { className: "measure" },
      h("label", { "for": id, text: measure.label + (measure.unit ? words.open + measure.unit + words.close : "") }),
      input, error);
  }

  function buildAward(view, path, item) {
    var block;
    if (item.kind === "tiers") {
      var list = h("ol", { className: "tiers" });
      view.tiers = map();
      item.tiers.forEach(function (tier) {
        var entry = h("li", { text: tier.text });
        view.tiers[tier.key] = entry;
        list.appendChild(entry);
      });
      if (item.otherwise) {
        view.otherwiseEntry = h("li", { text: say(words.otherwise_option, { label: item.otherwise.label || words.choice_none, points: planPoints(items[path].plan.otherwise.points) }) });
        list.appendChild(view.otherwiseEntry);
      }
      block = h("div", { className: "award" }, list);
    } else {
      var legend = h("legend", { className: "requirement-text", text: words.choose_one });
      var answers = h("div", { className: "answers vertical" });
      var name = "choice:" + path;
      item.choices.forEach(function (choice) {
        answers.appendChild(radio(name, choice.key, choice.text, { item: path, choice: choice.key }));
      });
      var noneLabel = item.otherwise
        ? say(words.otherwise_option, { label: item.otherwise.label || words.choice_none, points: planPoints(items[path].plan.otherwise.points) })
        : words.choice_none;
      answers.appendChild(radio(name, "", noneLabel, { item: path, choice: "" }));
      block = h("fieldset", { className: "requirement award" }, legend, answers);
    }
    view.awardResult = h("span", { className: "result", text: words.result_pending });
    block.appendChild(view.awardResult);
    return block;
  }

  /* Status radios (评价/不适用/缺项) and a reason field, for an item or a group. */
  function buildStatus(legendText, data, view) {
    var status = h("fieldset", { className: "item-status" }, h("legend", { className: "status-legend", text: legendText }));
    var statusName = "status:" + data.item + (data.group ? ":" + data.group : "");
    view.statusInputs = map();
    [["assessed", words.assess], ["not_applicable", words.not_applicable], ["absent", words.absent]].forEach(function (mode) {
      var attributes = { item: data.item, status: mode[0] };
      if (data.group) attributes.group = data.group;
      var option = radio(statusName, mode[0], mode[1], attributes);
      view.statusInputs[mode[0]] = option.querySelector("input");
      status.appendChild(option);
    });
    var reasonId = newId("reason");
    view.reasonInput = h("input", { type: "text", id: reasonId, "data-item": data.item, "data-group": data.group || null, "data-reason": "1",
      "aria-describedby": reasonId + "-error", autocomplete: "off" });
    view.reasonError = h("span", { id: reasonId + "-error", className: "error", text: words.reason_required });
    view.reason = h("div", { className: "reason", hidden: true },
      h("label", { "for": reasonId, text: words.reason }), view.reasonInput, view.reasonError);
    return [status, view.reason];
  }

  function buildGroup(view, path, group, planGroup) {
    var legend = say(words.group_legend, { heading: group.heading || words.group_unnamed, points: planPoints(planGroup.points) });
    var groupView = { requirements: [] };
    groupView.score = h("span", { className: "item-score group-score", text: words.result_pending });
    var block = h("fieldset", { className: "group", id: "group-" + planGroup.path }, h("legend", { text: legend }), groupView.score);
    buildStatus(say(words.status_of, { item: group.heading || words.group_unnamed }), { item: path, group: group.key }, groupView)
      .forEach(function (element) { block.appendChild(element); });
    groupView.body = h("div", { className: "group-body" });
    if (group.each) groupView.body.appendChild(h("p", { className: "rule", text: group.each.text }));
    group.requirements.forEach(function (requirement) {
      var key = group.key + "." + requirement.key;
      groupView.requirements.push(key);
      groupView.body.appendChild(buildRequirement(view, path, requirement, key, !(requirement.rule && requirement.rule.kind === "each" && requirement.rule.inherited),
        group.heading || words.group_unnamed));
    });
    block.appendChild(groupView.body);
    view.groups[group.key] = groupView;
    return block;
  }

  function buildItem(section, item, planItem) {
    var path = item.path;
    items[path] = { item: item, plan: planItem, section: section, view: null, index: itemOrder.length };
    var titleId = newId("item-title");
    var view = { requirements: map(), measures: map(), statusInputs: map(), groups: map(), remarks: map() };
    var article = h("article", { className: "item", id: "item-" + path, "aria-labelledby": titleId });
    view.score = h("span", { className: "item-score", text: words.result_pending });
    article.appendChild(h("div", { className: "item-head" },
      h("h3", { id: titleId }, h("span", { className: "item-table", text: tableName(section) + " " }),
        h("span", { className: "number", text: say(words.numbered, { number: item.number, title: "" }) }), item.title),
      h("span", { className: "item-points", text: say(words.points_of, { points: planPoints(planItem.points) }) }),
      view.score));
    item.notes.forEach(function (note) { article.appendChild(h("p", { className: "note", text: words.note + words.colon + note })); });

    buildStatus(say(words.status_of, { item: itemName(path) }), { item: path }, view)
      .forEach(function (element) { article.appendChild(element); });

    view.body = h("div", { className: "item-body" });
    if (item.each) view.body.appendChild(h("p", { className: "rule item-rule", text: words.col_deduction + words.colon + item.each.text }));
    if (item.requirements.length || item.groups.length) {
      // The paper table's columns, shown above the rows of the wide layout only.
      view.body.appendChild(h("div", { className: "requirement-columns", "aria-hidden": "true" },
        h("span", { text: words.col_requirement }), h("span", { text: words.col_deduction }),
        h("span", { text: words.col_answer }), h("span", { text: words.deductions }), h("span", { text: words.notes })));
    }
    planItem.measures.forEach(function (measure) { view.body.appendChild(buildMeasure(view, path, measure)); });
    item.requirements.forEach(function (requirement) {
      view.body.appendChild(buildRequirement(view, path, requirement, requirement.key, !requirement.rule || !(requirement.rule.kind === "each" && requirement.rule.inherited)));
    });
    item.groups.forEach(function (group, index) { view.body.appendChild(buildGroup(view, path, group, planItem.groups[index])); });
    if (planItem.awards.length || planItem.otherwise) view.body.appendChild(buildAward(view, path, item));
    if (planItem.answers.length) {
      view.body.appendChild(h("button", { type: "button", className: "secondary all-met", "data-item": path, "data-all-met": "1",
        "aria-describedby": titleId, text: words.all_met }));
    }
    article.appendChild(view.body);

    view.deductions = h("ul", { className: "deductions", "aria-label": words.deductions });
    view.deductionsKey = "";
    article.appendChild(view.deductions);
    article.appendChild(remarkBox(view, path, "", say(words.numbered, { number: item.number, title: item.title })));
    view.article = article;
    items[path].view = view;
    itemOrder.push(path);
    return article;
  }

  function buildSection(root, section, planSection) {
    var titleId = newId("section-title");
    var numbered = say(words.numbered, { number: section.numeral, title: section.title });
    var heading = section.caption || numbered;
    var subtotal = h("span", { className: "subtotal-score", text: "0" });
    // The heading and subtotal stay on screen (sticky) while the table's items scroll by.
    var element = h("section", { className: "table", id: "section-" + section.key, "aria-labelledby": titleId },
      h("div", { className: "table-head" }, h("h2", { id: titleId, text: heading }),
        h("p", { className: "section-meta" },
          numbered + " · " + say(words.points_of, { points: planPoints(planSection.points) }) + " · " + words.subtotal + " ",
          subtotal, " / " + planPoints(planSection.points))));
    section.notes.forEach(function (note) { element.appendChild(h("p", { className: "note", text: words.note + words.colon + note })); });
    section.items.forEach(function (item, index) { element.appendChild(buildItem(section, item, planSection.items[index])); });
    sectionViews[section.key] = { subtotal: subtotal };
    root.appendChild(element);

    var row = h("tr", null, h("th", { scope: "row" }, h("a", { href: "#section-" + section.key, text: heading })),
      h("td", { text: planPoints(planSection.points) }));
    var cell = h("td", { text: "0" });
    row.appendChild(cell);
    sectionViews[section.key].summary = cell;
    document.getElementById("section-totals").appendChild(row);
  }

  function buildNotes(root) {
    if (!rubric.notes.length) return;
    var list = h("ul", { className: "notes" });
    rubric.notes.forEach(function (note) { list.appendChild(h("li", { text: note })); });
    root.appendChild(h("section", { className: "panel", "aria-labelledby": "notes-title" },
      h("h2", { id: "notes-title", text: words.notes }), list));
  }

  function build() {
    var root = document.getElementById("form-root");
    buildInfo(root);
    buildNotes(root);
    buildErrata(root);
    buildConditions(root);
    rubric.sections.forEach(function (section, index) { buildSection(root, section, plan.sections[index]); });
  }

  // ---- state -> controls -------------------------------------------------

  /* The state into the controls: of the items `only` lists, else of all. */
  function showState(only) {
    document.querySelectorAll("[data-field]").forEach(function (control) {
      control.value = state[control.getAttribute("data-field")] || "";
    });
    document.querySelectorAll("[data-condition]").forEach(function (control) {
      control.checked = state.conditions[control.getAttribute("data-condition")] === true;
    });
    (only || itemOrder).forEach(function (path) {
      var view = items[path].view, item = items[path].item;
      var stored = state.items[path] || { mode: "assessed", reason: "", requirements: map(), measures: map() };
      Object.keys(view.statusInputs).forEach(function (mode) { view.statusInputs[mode].checked = stored.mode === mode; });
      view.reasonInput.value = stored.reason || "";
      Object.keys(view.groups).forEach(function (key) {
        var groupView = view.groups[key], ruling = (stored.groups || map())[key] || { mode: "assessed", reason: "" };
        Object.keys(groupView.statusInputs).forEach(function (mode) { groupView.statusInputs[mode].checked = ruling.mode === mode; });
        groupView.reasonInput.value = ruling.reason || "";
      });
      Object.keys(view.measures).forEach(function (key) {
        var value = stored.measures[key];
        view.measures[key].input.value = value === undefined ? "" : value;
      });
      view.article.querySelectorAll("input[data-requirement]").forEach(function (input) {
        var answer = stored.requirements[input.getAttribute("data-requirement")];
        if (input.hasAttribute("data-part")) {
          input.checked = !!(answer && answer.parts && answer.parts[input.getAttribute("data-part")]);
        } else if (input.hasAttribute("data-none")) {
          input.checked = !!(answer && answer.none);
        } else {
          input.checked = answer !== undefined && String(answer) === input.value;
        }
      });
      if (item.kind === "choices") {
        view.article.querySelectorAll("input[data-choice]").forEach(function (input) {
          var choice = stored.choice;
          input.checked = choice !== undefined && (choice === null ? "" : choice) === input.getAttribute("data-choice");
        });
      }
      Object.keys(view.remarks).forEach(function (key) {
        var text = (key ? (stored.requirement_remarks || map())[key] : stored.remark) || "";
        var box = view.remarks[key].box, input = text ? remarkInput(path, key) : box.querySelector("textarea");
        var had = input ? input.value : "";
        if (input) input.value = text;
        // A remark shows open; one that another evaluation had is closed.
        if (text.trim()) box.open = true; else if (had.trim()) box.open = false;
      });
    });
  }

  // ---- controls -> state ---------------------------------------------------

  function onInput(event) {
    var target = event.target, changed = [];
    if (target.hasAttribute("data-field")) {
      state[target.getAttribute("data-field")] = target.value;
    } else if (target.hasAttribute("data-condition")) {
      state.conditions[target.getAttribute("data-condition")] = target.checked;
    } else if (target.hasAttribute("data-remark")) {
      // A remark is never an answer: the item's status stays as it is.
      // Its finding carries the remark, so the item's cached finding goes.
      changed = [target.getAttribute("data-item")];
      var noted = itemState(changed[0]), key = target.getAttribute("data-remark");
      if (key) (noted.requirement_remarks = noted.requirement_remarks || map())[key] = target.value;
      else noted.remark = target.value;
    } else if (target.hasAttribute("data-item")) {
      changed = [target.getAttribute("data-item")];
      var stored = itemState(changed[0]);
      // An item imported unfinished (status null) is assessed once answered here.
      if (stored.mode === null && !(target.hasAttribute("data-status") && !target.hasAttribute("data-group"))) stored.mode = "assessed";
      if (target.hasAttribute("data-group")) {
        var ruling = groupState(stored, target.getAttribute("data-group"));
        if (target.hasAttribute("data-status")) ruling.mode = target.getAttribute("data-status");
        else ruling.reason = target.value;
      } else if (target.hasAttribute("data-status")) {
        stored.mode = target.getAttribute("data-status");
      } else if (target.hasAttribute("data-reason")) {
        stored.reason = target.value;
      } else if (target.hasAttribute("data-measure")) {
        stored.measures[target.getAttribute("data-measure")] = target.value;
      } else if (target.hasAttribute("data-choice")) {
        stored.choice = target.getAttribute("data-choice") || null;
      } else if (target.hasAttribute("data-requirement")) {
        answerRequirement(stored, target);
      } else {
        return;
      }
    } else {
      return;
    }
    save();
    refresh(changed);
    if (changed.length) lastVisited = changed[0];
    announceLater();
  }

  function answerRequirement(stored, target) {
    var key = target.getAttribute("data-requirement");
    if (target.hasAttribute("data-part") || target.hasAttribute("data-none")) {
      var answer = stored.requirements[key] || { parts: map(), none: false };
      if (target.hasAttribute("data-none")) {
        answer.none = target.checked;
        if (target.checked) answer.parts = map();
      } else {
        answer.parts[target.getAttribute("data-part")] = target.checked;
        if (target.checked) answer.none = false;
      }
      stored.requirements[key] = answer;
      showState([target.getAttribute("data-item")]);
      return;
    }
    var value = target.value;
    stored.requirements[key] = value === "true" ? true : value === "false" ? false : value;
  }

  function allMet(path) {
    var stored = itemState(path);
    stored.mode = "assessed";
    // Only what is still unanswered: an answer given is never changed.
    answerable(path, stored).forEach(function (answer) {
      if (answerOf(answer, stored.requirements[answer.key]) !== undefined) return;
      if (answer.kind === "parts") {
        var parts = map();
        answer.keys.forEach(function (part) { parts[part] = true; });
        stored.requirements[answer.key] = { parts: parts, none: false };
      } else {
        stored.requirements[answer.key] = true;
      }
    });
    save();
    showState([path]);
    refresh([path]);
    announceLater();
  }

  // ---- status bar: announcements and the next item not assessed ---------------

  var announceTimer = null, announced = "";

  /* Says the new total politely once the evaluator pauses, not on every
   * keystroke: the bar itself is not a live region. */
  function announceLater() {
    if (announceTimer) clearTimeout(announceTimer);
    announceTimer = setTimeout(function () {
      announceTimer = null;
      var result = lastResult;
      var text = say(words.announce, { total: formatPoints(result.total), full: formatPoints(result.full_marks),
        verdict: verdictOf(result, started())[0], done: itemOrder.length - result.not_assessed.length, count: itemOrder.length });
      if (text !== announced) setText(document.getElementById("score-announcer"), announced = text);
    }, 1000);
  }

  var lastVisited = null;

  /* The item the evaluator is at: the one holding the focus, else the last
   * one answered or visited if still on screen, else -1 before the first
   * item on screen. */
  function currentIndex() {
    var focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("article.item");
    if (focused) return items[focused.id.slice("item-".length)].index;
    // Below the status bar and the sticky table heading.
    var top = document.getElementById("status-bar").getBoundingClientRect().bottom + 80;
    if (lastVisited) {
      var box = items[lastVisited].view.article.getBoundingClientRect();
      if (box.bottom > top && box.top < window.innerHeight) return items[lastVisited].index;
    }
    for (var i = 0; i < itemOrder.length; i++) {
      if (items[itemOrder[i]].view.article.getBoundingClientRect().bottom > top) return i - 1;
    }
    return itemOrder.length - 1;
  }

  /* Scrolls to the next item not assessed after the current one (wrapping
   * round) and focuses its first unanswered control. */
  function goToNextUnassessed() {
    var note = document.getElementById("bar-note");
    var pending = lastResult.not_assessed;
    if (!pending.length) { setText(note, words.all_assessed); return; }
    setText(note, "");
    var from = currentIndex();
    var path = pending.filter(function (p) { return items[p].index > from; })[0] || pending[0];
    var article = items[path].view.article;
    article.scrollIntoView({ block: "start" });
    var fieldsets = article.querySelectorAll(".requirement, .measure");
    var target = null;
    for (var i = 0; i < fieldsets.length && !target; i++) {
      var controls = fieldsets[i].querySelectorAll("input:not(:disabled)");
      var answered = Array.prototype.some.call(controls, function (c) { return c.type === "number" ? c.value !== "" : c.checked; });
      if (controls.length && !answered) target = controls[0];
    }
    target = target || article.querySelector(".item-status input:checked") || article.querySelector("input");
    if (target) target.focus({ preventScroll: true });
    lastVisited = path;
  }

  // ---- live results --------------------------------------------------------

  function deductionText(amount) { return say(words.result_deducted, { amount: formatPoints(amount) }); }

  /* The reason field and the disabled controls of an item's or a group's ruling. */
  function refreshRuling(view, body, mode, reason) {
    view.reason.hidden = mode !== "not_applicable";
    view.reasonError.hidden = mode !== "not_applicable" || !Scoring.isBlank(reason);
    view.reasonInput.required = mode === "not_applicable";
    view.reasonInput.setAttribute("aria-invalid", mode === "not_applicable" && Scoring.isBlank(reason) ? "true" : "false");
    var inactive = mode !== "assessed" && mode !== null;
    if (body.hasAttribute("data-inactive") !== inactive) {
      body.querySelectorAll("input, button").forEach(function (control) {
        // A group's own ruling stays usable while its item is assessed.
        if (control.closest("[data-inactive]") && control.closest("[data-inactive]") !== body) return;
        control.disabled = inactive;
      });
      if (inactive) body.setAttribute("data-inactive", ""); else body.removeAttribute("data-inactive");
    }
    return inactive;
  }

  /* An item's or a group's score line; an item with groups leaves the zero
   * rule to the group it zeroed (its own score is the groups' sum). */
  function scoreText(scored, mode, showZeroRule) {
    var values = { score: formatPoints(scored.score), points: formatPoints(scored.points) };
    if (scored.status === "not_assessed") return mode === "not_applicable" ? words.reason_required : words.item_unassessed;
    if (scored.status === "not_applicable") {
      return say(plan.policies.not_applicable.value === "full" ? words.item_na : words.item_na_excluded, values);
    }
    if (scored.status === "absent") return say(words.item_absent, values);
    return say(words.item_score, values) + (scored.capped ? words.open + words.capped + words.close : "") +
      (scored.zero_rule && showZeroRule ? words.open + words.result_zero_rule + (scored.zero_rule.clause ? " (" + scored.zero_rule.clause + ")" : "") + words.close : "");
  }

  function refreshItem(path, scored) {
    var entry = items[path], view = entry.view, item = entry.item;
    var stored = state.items[path] || { mode: "assessed", reason: "", requirements: map(), measures: map() };
    var mode = stored.mode;
    view.article.setAttribute("data-status", scored.status === "not_assessed" ? "pending" : scored.status);
    var inactive = refreshRuling(view, view.body, mode, stored.reason);
    setText(view.score, scoreText(scored, mode, !entry.plan.groups.length));
    var inactiveGroups = map();
    entry.plan.groups.forEach(function (group, index) {
      var groupView = view.groups[group.key], ruling = (stored.groups || map())[group.key] || { mode: "assessed", reason: "" };
      Object.keys(groupView.statusInputs).forEach(function (key) { groupView.statusInputs[key].disabled = inactive; });
      groupView.reasonInput.disabled = inactive;
      inactiveGroups[group.key] = refreshRuling(groupView, groupView.body, ruling.mode, ruling.reason) || inactive;
      var groupScored = scored.groups[index];
      var text = words.result_pending;
      if (groupScored) text = scoreText(groupScored, ruling.mode, true);
      else if (!inactive && ruling.mode === "not_applicable" && Scoring.isBlank(ruling.reason)) text = words.reason_required;
      setText(groupView.score, text);
    });

    var measures = map();
    Object.keys(view.measures).forEach(function (key) {
      var m = view.measures[key];
      var value = measureValue(m.measure, stored.measures[key]);
      var invalid = value === null;
      m.error.hidden = !invalid;
      m.input.setAttribute("aria-invalid", invalid ? "true" : "false");
      if (value !== null && value !== undefined) measures[key] = value;
    });

    var answers = map();
    entry.plan.answers.forEach(function (answer) { answers[answer.key] = answer; });
    Object.keys(view.requirements).forEach(function (key) {
      var r = view.requirements[key];
      var text = words.result_pending, className = "result";
      var dot = key.indexOf(".");
      if (!inactive && !(dot >= 0 && inactiveGroups[key.slice(0, dot)]) && r.rule) {
        var measure = Scoring.measureOf(r.rule);
        var answer = measure === null ? answerOf(answers[key], stored.requirements[key]) : undefined;
        if (measure === null ? answer !== undefined : measures[measure] !== undefined) {
          var amount = Scoring.deductionOf(plan, r.rule, answer, measures);
          if (amount === null) { text = words.result_met; className = "result met"; }
          else { text = deductionText(amount); className = "result unmet"; }
        }
      }
      setText(r.result, text);
      if (r.result.className !== className) r.result.className = className;
    });

    if (view.awardResult) refreshAward(view, item, scored, inactive);

    var listed = scored.deductions.map(function (d) { return d.path + "=" + d.amount; }).join("|");
    if (listed !== view.deductionsKey) {
      view.deductionsKey = listed;
      while (view.deductions.firstChild) view.deductions.removeChild(view.deductions.firstChild);
      scored.deductions.forEach(function (d) {
        var requirement = view.requirements[d.path.slice(path.length + 1)];
        var line = requirement ? say(words.deduction_line, { requirement: requirement.name, rule: d.text }) : d.text;
        view.deductions.appendChild(h("li", null, h("span", { className: "amount", text: "−" + formatPoints(d.amount) }),
          " " + line + detailText(item, d, stored)));
      });
    }
  }

  /* What a deduction's rule chose, in the evaluator's words. */
  function detailText(item, deduction, stored) {
    var planItem = items[item.path].plan;
    var key = deduction.path.slice(item.path.length + 1);
    var rule = Scoring.ruleOf(planItem, key);
    if (!rule) return "";
    var answer = stored.requirements[key];
    if (rule.kind === "levels") {
      var level = find(rule.choices, answer);
      return level ? words.open + level.label + words.close : "";
    }
    if (rule.kind === "parts") {
      var missing = rule.choices.filter(function (part) { return !(answer && answer.parts && answer.parts[part.key]); });
      return words.open + words.missing + words.colon + missing.map(function (part) { return part.label; }).join(words.list_separator) + words.close;
    }
    var measure = Scoring.measureOf(rule);
    if (measure !== null) {
      var m = find(planItem.measures, measure);
      return words.open + m.label + " " + stored.measures[measure] + (m.unit || "") + words.close;
    }
    return "";
  }

  function refreshAward(view, item, scored, inactive) {
    var text = words.result_pending, className = "result";
    if (!inactive && scored.status === "assessed") {
      text = say(words.award_result, { score: formatPoints(scored.score) });
      if (item.kind === "choices") {
        // On paper the radios are hidden: the result names the choice.
        var chosen = scored.award.choice !== undefined
          ? scored.award.text
          : (item.otherwise && item.otherwise.label) || words.choice_none;
        text = chosen + words.colon + text;
      }
      className = "result met";
    }
    if (view.tiers) {
      var award = scored.status === "assessed" ? scored.award : null;
      var entries = Object.keys(view.tiers).map(function (key) { return [view.tiers[key], !!award && award.tier === key]; });
      if (view.otherwiseEntry) entries.push([view.otherwiseEntry, !!award && award.otherwise === true]);
      entries.forEach(function (pair) {
        var entry = pair[0], on = pair[1];
        if (entry.classList.contains("reached") !== on) entry.classList.toggle("reached", on);
        if (on) entry.setAttribute("aria-current", "true"); else entry.removeAttribute("aria-current");
      });
    }
    setText(view.awardResult, text);
    if (view.awardResult.className !== className) view.awardResult.className = className;
  }

  var lastResult = null;

  /* Scores the findings and updates the page.  `changed` lists the items
   * whose answers changed: only those are redrawn (an item's lines depend
   * on its own answers alone); without it, every item is. */
  function refresh(changed) {
    performance.mark("rubric-form:refresh-start");
    if (changed) changed.forEach(function (path) { delete findingCache[path]; });
    else findingCache = map();
    var findings = currentFindings();
    var result = Scoring.scoreFindings(plan, findings, { rescore: !!state.rescored_from, memo: scoreMemo });
    var redraw = changed ? map() : null;
    (changed || []).forEach(function (path) { redraw[path] = true; });
    result.sections.forEach(function (section) {
      setText(sectionViews[section.key].subtotal, formatPoints(section.score));
      setText(sectionViews[section.key].summary, formatPoints(section.score));
      section.items.forEach(function (scored) { if (!redraw || redraw[scored.path]) refreshItem(scored.path, scored); });
    });
    refreshSummary(result);
    lastResult = result;
    performance.mark("rubric-form:refresh-end");
    performance.measure("rubric-form:refresh", "rubric-form:refresh-start", "rubric-form:refresh-end");
    return result;
  }

  /* Whether any work is entered: an item answered or ruled, or a condition ticked. */
  function started() {
    return itemOrder.some(function (path) { return draftOf(path, state.items[path]) !== null; }) ||
      plan.conditions.some(function (condition) { return state.conditions[condition.key] === true; });
  }

  /* The scorer's conclusion in words: 合格, 不合格 or 不具备评价条件. */
  function conclusionText(result) {
    return { passed: words.passed, failed: words.failed, not_eligible: words.not_eligible }[result.conclusion];
  }

  /* The verdict as the summary and the status bar show it, [text, class]:
   * neutral before any work; 不具备评价条件 rather than 合格 when a
   * condition is unmet; provisional while anything is not assessed (clause 9:
   * never a final verdict then, docs/findings.md). */
  function verdictOf(result, begun) {
    if (!begun) return [words.not_started, "verdict neutral"];
    var outcome = conclusionText(result);
    if (result.provisional) return [say(words.verdict_provisional, { verdict: outcome }), "verdict provisional"];
    return [outcome, result.conclusion === "passed" ? "verdict passed" : "verdict failed"];
  }

  function refreshSummary(result) {
    var begun = started();
    var total = formatPoints(result.total);
    setText(document.getElementById("total-score"), total);
    setText(document.getElementById("bar-total"), total);
    var shown = verdictOf(result, begun);
    ["verdict", "bar-verdict"].forEach(function (id) {
      var verdict = document.getElementById(id);
      setText(verdict, shown[0]);
      if (verdict.className !== shown[1]) verdict.className = shown[1];
    });
    var done = itemOrder.length - result.not_assessed.length;
    setText(document.getElementById("bar-progress"), say(words.progress, { done: done, count: itemOrder.length }));
    var grade = document.getElementById("grade");
    if (grade) {
      setText(grade, !begun ? words.result_pending : result.grade ? result.grade.label : words.no_grade);
    }
    var eligibility = document.getElementById("eligibility");
    setText(eligibility, !begun ? words.result_pending : result.eligible ? words.eligible : words.not_eligible);
    eligibility.className = !begun ? "verdict neutral" : result.eligible ? "verdict passed" : "verdict failed";
    var problems = document.getElementById("eligibility-problems");
    var conditionText = map();
    plan.conditions.forEach(function (c) { conditionText[c.key] = (c.clause ? c.clause + " " : "") + c.text; });
    // Before any work, no condition is "not fulfilled" yet: a blank form opens without warnings.
    var lines = !begun ? [] : result.unmet_conditions.map(function (key) { return [words.not_fulfilled, conditionText[key]]; })
      .concat(result.advisory_unmet.map(function (key) { return [words.advisory_warning, conditionText[key]]; }));
    var linesKey = lines.map(function (l) { return l.join(":"); }).join("|");
    if (problems.getAttribute("data-key") !== linesKey) {
      problems.setAttribute("data-key", linesKey);
      while (problems.firstChild) problems.removeChild(problems.firstChild);
      lines.forEach(function (line) {
        problems.appendChild(h("li", null, h("strong", { text: line[0] + words.colon }), line[1]));
      });
    }
    setText(document.getElementById("unassessed-count"), String(result.not_assessed.length));
    var list = document.getElementById("unassessed-list");
    var listKey = result.not_assessed.join("|");
    if (list.getAttribute("data-key") !== listKey) {
      list.setAttribute("data-key", listKey);
      while (list.firstChild) list.removeChild(list.firstChild);
      if (result.not_assessed.length) {
        var links = h("ul", null);
        result.not_assessed.forEach(function (path) {
          links.appendChild(h("li", null, h("a", { href: "#item-" + path, text: itemName(path) })));
        });
        list.appendChild(h("details", null, h("summary", { text: words.unassessed_list }), links));
      }
    }
  }

  // ---- the printed sheet -------------------------------------------------------
  // On paper the page is #print-sheet, built from the state and the result
  // when printing: the result and the signatures first, then a table per
  // section, one row per requirement, every text whole, no controls.

  var BLANK = "＿＿＿";

  /* A form date (YYYY-MM-DD) as written on paper: 2026年12月1日. */
  function dateWritten(text) {
    var parts = /^(\d{4})-(\d\d)-(\d\d)$/.exec(text);
    if (!parts) return text;
    var month = Number(parts[2]);
    return say(words.date_written, { year: parts[1], month: month, day: Number(parts[3]), month_name: words.month_names.split(" ")[month - 1] });
  }

  function heading(section) { return section.caption || say(words.numbered, { number: section.numeral, title: section.title }); }

  /* The errata: where, what was printed, what is used, and why. */
  function errataList() {
    var list = h("ul", { className: "notes" });
    rubric.errata.forEach(function (erratum) {
      var keys = erratum.path.split("."), section = find(rubric.sections, keys[0]), item = section && find(section.items, keys[1]);
      var place = section ? heading(section) + (item ? " " + say(words.numbered, { number: item.number, title: item.title }) : "") : words.whole_rubric;
      list.appendChild(h("li", null, h("strong", { text: place + words.colon }),
        say(words.erratum_entry, { field: words["field_" + erratum.field] || erratum.field, printed: erratum.printed, used: erratum.used }) + words.list_separator + erratum.reason));
    });
    return list;
  }

  function buildErrata(root) {
    if (rubric.errata.length) root.appendChild(h("section", { className: "panel", "aria-labelledby": "errata-title" }, h("h2", { id: "errata-title", text: words.errata }), errataList()));
  }

  /* The margins of every page: the organisation, the standard, 第 X 页 共 Y 页. */
  function pageMargins() {
    var pages = words.page_of.split(/\{(pages?)\}/).map(function (part, index) { return index % 2 ? "counter(" + part + ")" : cssString(part); });
    return "@page { @top-left { content: " + cssString(words.organization + words.colon + (state.organization.trim() || words.blank)) +
      "; } @top-right { content: " + cssString(rubric.standards.join(" / ")) + "; } @bottom-center { content: " + pages.join(" ") + "; } }";
  }

  function wide(text) { return h("td", { colspan: "2", text: text }); }

  /* Boxes to tick by hand, where no answer is given yet. */
  function boxes(labels) { return labels.map(function (label) { return "☐ " + label; }).join("　"); }

  /* The remark written on an item (key null) or on one of its requirements
   * (its key, group.requirement in a group), from the evaluation's state. */
  function remarksOf(path, key) {
    var stored = state.items[path];
    var text = !stored ? "" : key === null ? stored.remark : (stored.requirement_remarks || map())[key];
    return (text || "").trim();
  }

  function measured(measure, stored) { return (stored.measures[measure.key] || BLANK) + (measure.unit || ""); }

  function printRequirement(table, path, key, requirement, stored, scored, active) {
    var planItem = items[path].plan, rule = Scoring.ruleOf(planItem, key), answer = stored.requirements[key];
    var measure = Scoring.measureOf(rule), given;
    var lost = scored.deductions.filter(function (d) { return d.path === path + "." + key; })[0];
    if (!active) given = "—";
    else if (measure !== null) {
      var m = find(planItem.measures, measure);
      given = m.label + " " + measured(m, stored) + (scored.status === "assessed" ? "\n" + (lost ? words.unmet : words.met) : "");
    } else if (rule.kind === "parts") {
      // All parts present is 符合; else which are there and which not.
      var present = rule.choices.map(function (part) { return !!(answer && answer.parts && answer.parts[part.key]); });
      given = present.indexOf(false) < 0 ? words.met : rule.choices.map(function (part, i) { return (present[i] ? "☑ " : "☐ ") + part.label; }).join("\n");
    } else if (answer === undefined) {
      given = boxes([words.met].concat(rule.kind === "levels" ? rule.choices.map(function (level) { return level.label; }) : [words.unmet]));
    } else {
      given = answer === true ? words.met : answer === false ? words.unmet : find(rule.choices, answer).label;
    }
    var text = [requirement.text].concat(requirement.notes.map(function (note) { return words.note + words.colon + note; })).join("\n");
    // A rule said once for the group or item (每缺一项扣3分) leaves the text both columns.
    var inherited = requirement.rule && requirement.rule.kind === "each" && requirement.rule.inherited;
    addRow(table, (inherited ? [wide(text)] : [text, rule.text]).concat([given, lost ? "−" + formatPoints(lost.amount) : "", remarksOf(path, key)]));
  }

  /* An item's or a group's row across the table: title, score, its lines. */
  function printHeading(table, className, title, score, lines) {
    var cell = h("th", { colspan: "5", scope: "rowgroup" }, h("span", { className: "print-score", text: score }), title);
    lines.filter(Boolean).forEach(function (line) { cell.appendChild(h("div", { className: "print-line", text: line })); });
    addRow(table, [cell], className);
  }

  function scoreLine(scored, mode, points, zeroRule) {
    return scored && scored.status !== "not_assessed" ? scoreText(scored, mode, zeroRule) : say(words.item_score, { score: BLANK, points: planPoints(points) });
  }

  function rulingLines(each, ruling) {
    return [each && words.col_deduction + words.colon + each.text, ruling.mode === "not_applicable" && words.reason + words.colon + (ruling.reason.trim() || BLANK)];
  }

  function printItem(table, path, scored) {
    var item = items[path].item, planItem = items[path].plan;
    var stored = state.items[path] || { mode: "assessed", reason: "", requirements: map(), measures: map() };
    var active = stored.mode === "assessed" || stored.mode === null;
    printHeading(table, "print-item", say(words.numbered, { number: item.number, title: item.title }) + words.open + say(words.points_of, { points: planPoints(planItem.points) }) + words.close,
      scoreLine(scored, stored.mode, planItem.points, !planItem.groups.length),
      item.notes.map(function (note) { return words.note + words.colon + note; }).concat(rulingLines(item.each, stored), [remarksOf(path, null)]));
    item.requirements.forEach(function (requirement) { printRequirement(table, path, requirement.key, requirement, stored, scored, active); });
    item.groups.forEach(function (group, index) {
      var ruling = (stored.groups || map())[group.key] || { mode: "assessed", reason: "" }, points = planItem.groups[index].points;
      printHeading(table, "print-group", say(words.group_legend, { heading: group.heading || words.group_unnamed, points: planPoints(points) }),
        scoreLine(scored.groups[index], ruling.mode, points, true), rulingLines(group.each, ruling));
      group.requirements.forEach(function (requirement) {
        printRequirement(table, path, group.key + "." + requirement.key, requirement, stored, scored, active && ruling.mode === "assessed");
      });
    });
    if (item.kind !== "tiers" && item.kind !== "choices") return;
    planItem.measures.forEach(function (measure) { addRow(table, [wide(measure.label), active ? measured(measure, stored) : "—", "", ""]); });
    var award = scored.status === "assessed" ? scored.award : {};
    var options = (item.tiers.length ? item.tiers : item.choices).map(function (option) { return [option.text, award.tier === option.key || award.choice === option.key]; });
    options.push([item.otherwise ? say(words.otherwise_option, { label: item.otherwise.label || words.choice_none, points: planPoints(planItem.otherwise.points) }) : words.choice_none, award.otherwise]);
    options.forEach(function (option) { addRow(table, [wide(option[0]), active ? (option[1] ? "☑" : "☐") : "—", "", ""]); });
  }

  function printCover(sheet, result, started) {
    var names = evaluatorList().filter(Boolean), verdict = conclusionText(result);
    var info = h("table", { className: "print-info" });
    [[words.organization, state.organization.trim()], [words.evaluation_date, dateWritten(state.date) || words.date_blank], [words.result_evaluators, names.join(words.result_list_separator)],
     [words.total, (started ? formatPoints(result.total) : BLANK) + " / " + planPoints(plan.full_marks)],
     [words.conclusion, (started ? (result.provisional ? say(words.verdict_provisional, { verdict: verdict }) : verdict) : boxes([words.passed, words.failed])) +
       words.open + words.pass_mark + " " + planPoints(plan.pass_mark) + words.close],
     [words.eligibility, started ? (result.eligible ? words.eligible : words.not_eligible) : boxes([words.eligible, words.not_eligible])],
     plan.grades.length && [words.grade, started ? (result.grade ? result.grade.label : words.no_grade) : BLANK],
     started && result.not_assessed.length && [words.unassessed, String(result.not_assessed.length)]
    ].filter(Boolean).forEach(function (line) { addRow(info, [h("th", { scope: "row", text: line[0] }), line[1] || BLANK]); });
    var totals = printTable("print-totals", [words.col_table, words.col_full, words.col_score]);
    result.sections.forEach(function (section, index) {
      addRow(totals, [heading(rubric.sections[index]), planPoints(plan.sections[index].points), started ? formatPoints(section.score) : ""]);
    });
    var conditions = h("ul", { className: "print-conditions" });
    plan.conditions.forEach(function (condition) {
      conditions.appendChild(h("li", { text: (state.conditions[condition.key] ? "☑ " : "☐ ") + (condition.clause ? condition.clause + " " : "") +
        condition.text + (condition.advisory ? words.open + words.advisory + words.close : "") }));
    });
    // A row for each name entered, at least the panel's least; a blank sheet has the most.
    var signatures = printTable("print-signatures", [words.col_number, words.col_name, words.col_affiliation, words.col_signature]);
    var sized = plan.panel.min !== null, fewest = sized ? plan.panel.min : 5, most = sized ? plan.panel.max : 5;
    for (var number = 1; number <= Math.max(names.length, names.length ? fewest : most); number++) addRow(signatures, [String(number), names[number - 1] || "", "", ""]);
    sheet.append(h("h2", { text: words.results }), info, totals);
    if (plan.conditions.length) sheet.append(h("h3", { text: words.conditions }), conditions);
    sheet.append(h("h3", { text: words.signatures }), signatures);
    if (sized) sheet.append(h("p", { className: "hint", text: say(words.panel_size, { low: fewest, high: most }) }));
    sheet.append(h("p", { text: words.date + words.colon + words.date_blank }), h("h3", { text: words.remarks }), h("p", { className: "print-text", text: state.remarks.trim() || BLANK }));
    if (rubric.errata.length) sheet.append(h("h3", { text: words.errata }), errataList());
  }

  function buildPrintSheet() {
    var result = refresh(), started = result.not_assessed.length < itemOrder.length;
    document.getElementById("print-margins").textContent = pageMargins();
    var sheet = document.getElementById("print-sheet");
    sheet.textContent = "";
    printCover(sheet, result, started);
    result.sections.forEach(function (section, index) {
      var table = printTable("print-items", [words.col_requirement, words.col_deduction, words.col_assessment, words.col_deducted, words.col_remark]);
      table.prepend(h("caption", { text: heading(rubric.sections[index]) + words.open + words.subtotal + " " + (started ? formatPoints(section.score) : BLANK) +
        " / " + planPoints(plan.sections[index].points) + words.close }));
      section.items.forEach(function (scored) { printItem(table, scored.path, scored); });
      sheet.appendChild(table);
    });
  }

  // ---- export, import, print, reset -----------------------------------------

  function safeFileName(text) {
    return text.replace(/[\\\/:*?"<>|\u0000-\u001f]+/g, "_").trim();
  }

  function exportFindings() {
    var findings = currentFindings();
    // Unfinished items too, as {"status": null, ...the answers given}: the
    // scorer with --partial ignores the rest of them (docs/findings.md).
    var finished = Object.keys(findings.items).length;
    var all = map();
    itemOrder.forEach(function (path) {
      var drafted = draftOf(path, state.items[path]);
      var finding = drafted ? drafted.finding : { status: null };
      if (withRemarks(finding, state.items[path]) || drafted) all[path] = finding;
    });
    findings.items = all;
    var unfinished = itemOrder.length - finished;
    var note = "";
    if (unfinished) note = say(words.export_partial, { count: unfinished });
    else if (Scoring.validateFindings(plan, findings, { partial: false }).length) note = words.export_header_missing;
    // Every export is a member file: its digest shows any later change (docs/panel.md).
    findings.digest = RubricDigest.digestOf(findings);
    var text = JSON.stringify(findings, null, 2) + "\n";
    var name = safeFileName([plan.rubric.id, findings.organization, findings.date].filter(Boolean).join("_")) + ".json";
    var blob = new Blob([text], { type: "application/json" });
    var url = URL.createObjectURL(blob);
    var link = h("a", { href: url, download: name, className: "visually-hidden" });
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    showMessage(say(words.export_done, { filename: name }) + (note ? " " + note : ""), false);
  }

  /* A problem of an imported file, at the place as the sheet prints it
   * (表A.1 1、标准化方针、目标 / 有组织方针、…), with the scorer's "did you mean". */
  function problemText(problem) {
    var detail = problem.detail;
    var template = words["problem_" + problem.problem] || problem.problem;
    var text = say(template, detail && typeof detail === "object" ? detail : { value: detail });
    if (detail && detail.suggestion) {
      var parent = problem.path.slice(0, problem.path.length - detail.key.length);
      var names = placeNames(parent + detail.suggestion);
      text += say(words.problem_suggestion, { name: names[names.length - 1] });
    }
    return (problem.path ? placeNames(problem.path).join(" / ") + words.colon : "") + text;
  }

  /* The printed names of a findings key path, one per level; a key the
   * rubric does not have is shown as written. */
  function placeNames(path) {
    var header = { organization: words.organization, date: words.evaluation_date, evaluators: words.result_evaluators,
      remarks: words.remarks, conditions: words.conditions, items: words.item };
    var keys = path.split(".");
    var entry = keys[0] === "items" ? items[keys[1] + "." + keys[2]] : undefined;
    if (!entry) {
      var names = [header[keys[0]] || keys[0]], rest = keys.slice(1).join(".");
      var condition = keys[0] === "conditions" ? find(rubric.conditions, rest) : undefined;
      if (keys[0] === "evaluators" && rest) names.push(String(Number(rest) + 1));
      else if (rest) names.push(condition ? (condition.clause ? condition.clause + " " : "") + condition.text : rest);
      return names;
    }
    var item = entry.item, found = [itemName(keys[1] + "." + keys[2])];
    var field = keys[3], at = keys.slice(4);
    var fields = { status: words.field_status, reason: words.reason, choice: words.choose_one, remark: words.item_remark };
    if (field === "requirements" || field === "requirement_remarks") {
      var group = at.length > 1 ? find(item.groups, at[0]) : undefined;
      if (group) { found.push(group.heading || words.group_unnamed); at = at.slice(1); }
      var requirement = at.length ? find((group || item).requirements, at[0]) : undefined;
      if (requirement) {
        found.push(requirement.text);
        var part = at.length > 1 ? find(requirement.parts, at[1]) : undefined;
        if (part) found.push(part.label); else if (at.length > 1) found.push(at.slice(1).join("."));
      } else if (at.length) found.push(at.join("."));
      if (field === "requirement_remarks") found.push(words.remark);
    } else if (field === "measures") {
      var measure = find(entry.plan.measures, at[0]);
      found.push(measure ? measure.label : at.join("."));
    } else if (field === "groups") {
      var ruled = find(item.groups, at[0]);
      found.push(ruled ? ruled.heading || words.group_unnamed : at.join("."));
      if (at[1]) found.push(fields[at[1]] || at.slice(1).join("."));
    } else if (field) {
      found.push(fields[field] || keys.slice(3).join("."));
    }
    return found;
  }

  /* Imports a findings file's text; any failure is said on the page, never
   * left to the console with the previous message still showing. */
  function importText(text) {
    showMessage("", false);
    try {
      return importParsed(text);
    } catch (error) {
      showMessage(say(words.import_invalid, { problem: words.import_failed }), true);
      return false;
    }
  }

  function importParsed(text) {
    var findings;
    try {
      findings = JSON.parse(text);
    } catch (error) {
      showMessage(say(words.import_invalid, { problem: words.import_not_json }), true);
      return false;
    }
    var inexact = inexactNumbers(text);
    if (inexact.length) {
      showMessage(say(words.import_invalid, { problem: say(words.import_inexact, { numbers: inexact.slice(0, 3).join(words.list_separator) }) }), true);
      return false;
    }
    if (isMap(findings) && "digest" in findings) {
      if (!RubricDigest.digestMatches(findings)) {
        showMessage(say(words.import_invalid, { problem: words.digest_mismatch }), true);
        return false;
      }
      delete findings.digest;
    }
    // Notes ("_..." keys) at any level are the evaluator's, never scored.
    findings = withoutNotes(findings);
    var problems = Scoring.validateFindings(plan, findings, { partial: true });
    if (problems.length && problems[0].problem === "wrong_rubric") {
      showMessage(say(words.import_wrong_rubric, { id: problems[0].detail.id, version: problems[0].detail.version,
        own_id: plan.rubric.id, own_version: plan.rubric.version }), true);
      return false;
    }
    if (problems.length && problems[0].problem === "other_content") {
      var refused = say(words.import_other_content, problems[0].detail), hash = problems[0].detail.hash;
      // Importing anyway rescores the findings under this revision, with a warning on the page.
      ask(refused + " " + words.import_anyway, [
        { label: words.import_rescore, run: function () { importChecked(findings, hash); } },
        { label: words.cancel, run: function () { showMessage(refused, true); } }
      ]);
      return false;
    }
    return importChecked(findings, null);
  }

  /* Imports findings of this rubric (rescored from another content hash when
   * rescoredFrom is one); asks first when it would replace work. */
  function importChecked(findings, rescoredFrom) {
    var problems = Scoring.validateFindings(plan, findings, { partial: true, rescore: !!rescoredFrom });
    if (problems.length) {
      var shown = problems.slice(0, 3).map(problemText).join(words.list_separator);
      if (problems.length > 3) shown += say(words.and_more, { count: problems.length - 3 });
      showMessage(say(words.import_invalid, { problem: shown }), true);
      return false;
    }
    var imported = stateFromFindings(findings);
    imported.rescored_from = rescoredFrom;
    function accept(asNew) {
      if (asNew) openEvaluation(records.newId(), null);
      state = imported;
      save();
      showState();
      refresh();
      if (rescoredFrom) showMessage(say(words.imported_rescored, { hash: rescoredFrom, own_hash: plan.rubric.content_hash }), true);
      else showMessage(asNew ? words.imported_new : words.imported, false);
    }
    if (!hasWork(state)) { accept(false); return true; }
    ask(say(words.import_replace, { name: evaluationName(state), assessed: assessedCount(state), total: itemOrder.length }), [
      { label: words.import_as_new, run: function () { accept(true); } },
      { label: words.import_replace_current, className: "danger", run: function () { accept(false); } },
      { label: words.cancel, run: function () { showMessage(words.import_cancelled, false); } }
    ]);
    return false;
  }

  function onImportFile(event) {
    var file = event.target.files && event.target.files[0];
    if (!file) return;
    var reader = new FileReader();
    showMessage("", false);
    reader.onload = function () {
      event.target.value = "";
      var text;
      try {
        // Only UTF-8: a GBK file would otherwise import garbled.
        text = new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(reader.result));
      } catch (error) {
        showMessage(words.import_not_utf8, true);
        return;
      }
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      importText(text);
    };
    reader.onerror = function () {
      event.target.value = "";
      showMessage(say(words.import_invalid, { problem: words.import_unreadable }), true);
    };
    reader.readAsArrayBuffer(file);
  }

  function reset() {
    ask(words.reset_confirm, [
      { label: words.reset, className: "danger", run: function () {
        state = emptyState();
        save();
        showState();
        refresh();
        showMessage(words.cleared, false);
      } },
      { label: words.cancel }
    ]);
  }

  // ---- start -----------------------------------------------------------------

  function start() {
    build();
    var migrated = migrateOldSlot(), id = records.tabId(), found = id && records.read(id);
    if (!found && migrated) found = records.read(id = migrated);
    openEvaluation(found ? id : id || records.newId(), found);
    var others = records.list().length;
    if (found) showMessage(words.restored, false);
    else if (others) {
      document.getElementById("saved").open = true;
      showMessage(say(words.others_saved, { count: others }), false);
    }
    var root = document.getElementById("form-root");
    root.addEventListener("change", onInput);
    root.addEventListener("focusin", function (event) {
      var article = event.target.closest("article.item");
      if (article) lastVisited = article.id.slice("item-".length);
    });
    document.getElementById("next-unassessed").addEventListener("click", goToNextUnassessed);
    // The sticky headings sit under the status bar, whatever its height.
    var bar = document.getElementById("status-bar");
    new ResizeObserver(function () {
      document.documentElement.style.setProperty("--bar-height", bar.offsetHeight + "px");
    }).observe(bar);
    root.addEventListener("input", function (event) {
      if (event.target.matches("input[type=text], input[type=number], input[type=date], textarea")) onInput(event);
    });
    // A remark's field is made as its box opens: on the click (so that it is
    // there at once) or on toggle (opened otherwise, as by find in page),
    // which does not bubble and is caught on its way down.
    function openRemark(event) {
      var box = event.target.closest("details[data-remark-key]");
      if (box) remarkInput(box.getAttribute("data-remark-item"), box.getAttribute("data-remark-key"));
    }
    root.addEventListener("toggle", function (event) { if (event.target.open) openRemark(event); }, true);
    root.addEventListener("click", function (event) {
      if (event.target.closest("summary")) openRemark(event);
      var button = event.target.closest("[data-all-met]");
      if (button) allMet(button.getAttribute("data-item"));
    });
    document.getElementById("export-button").addEventListener("click", exportFindings);
    document.getElementById("import-file").addEventListener("change", onImportFile);
    document.getElementById("print-button").addEventListener("click", function () { window.print(); });
    document.getElementById("reset-button").addEventListener("click", reset);
    document.getElementById("new-button").addEventListener("click", function () {
      openEvaluation(records.newId(), null);
      showMessage(words.created, false);
    });
    document.getElementById("saved").addEventListener("click", onSavedClick);
    window.addEventListener("storage", onStorage);
    // Ctrl+P, the print button and a PDF printer all fire beforeprint; a
    // print preview of the emulated media only changes the media query.
    window.addEventListener("beforeprint", buildPrintSheet);
    window.matchMedia("print").addEventListener("change", function (event) { if (event.matches) buildPrintSheet(); });
    performance.measure("rubric-form:first-render", { start: 0, end: performance.now() });
  }

  start();
})();
