/* Small helpers of the pages' DOM and texts, shared by the form
 * (form_app.js) and the panel page (panel_app.js), which both inline this
 * file after form_scoring.js and before their own script: one copy, so that the two pages build
 * elements, fill word templates and refuse inexact numbers alike.
 */
var RubricDom = (function () {
  "use strict";

  /* A word template with its {name} places filled; an unknown name stays. */
  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  /* An element with its attributes ("text" its text) and children. */
  function h(tag, attributes) {
    var element = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") element.textContent = value;
      else if (name === "className") element.className = value;
      else if (value === true) element.setAttribute(name, "");
      else element.setAttribute(name, value);
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) continue;
      element.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return element;
  }

  function clear(element) { while (element.firstChild) element.removeChild(element.firstChild); return element; }

  /* An element's text, set only when it changes (a redraw keeps selections). */
  function setText(element, text) {
    if (element.textContent !== text) element.textContent = text;
  }

  /* A question asked on the page (the <dialog id="ask"> both pages have),
   * never window.confirm: each choice {label, className, run}; Escape
   * takes the last one, and the focus starts on the first that is not
   * "danger". */
  function ask(text, choices) {
    var dialog = document.getElementById("ask"), buttons = clear(document.getElementById("ask-buttons"));
    setText(document.getElementById("ask-text"), text);
    function choose(choice) { dialog.close(); if (choice.run) choice.run(); }
    choices.forEach(function (choice, index) {
      var button = h("button", { type: "button", className: choice.className || (index ? "secondary" : null), text: choice.label });
      button.addEventListener("click", function () { choose(choice); });
      buttons.appendChild(button);
    });
    dialog.oncancel = function (event) { event.preventDefault(); choose(choices[choices.length - 1]); };
    dialog.showModal();
    buttons.children[choices.indexOf(choices.filter(function (choice) { return choice.className !== "danger"; })[0])].focus();
  }

  /* A text as a CSS string, for the printed page's margin boxes. */
  function cssString(text) {
    return '"' + text.replace(/[\\"\s]/g, function (c) { return "\\" + c.charCodeAt(0).toString(16) + " "; }) + '"';
  }

  function printTable(className, head) {
    var row = h("tr");
    head.forEach(function (text) { row.appendChild(h("th", { scope: "col", text: text })); });
    return h("table", { className: className }, h("thead", null, row));
  }

  function addRow(table, cells, className) {
    var tr = h("tr", { className: className });
    cells.forEach(function (cell) { tr.appendChild(cell && cell.nodeType ? cell : h("td", { text: cell })); });
    (table.tBodies[0] || table.appendChild(h("tbody"))).appendChild(tr);
  }

  /* The numbers of a JSON text, as written, that a JS number does not hold
   * exactly (JSON.parse reads 29.99999999999999999 as 30): a page refuses
   * such a file rather than score another number than the scorer would. */
  function inexactNumbers(text) {
    var token = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g, found = [], match;
    while ((match = token.exec(text)) !== null) {
      var written = match[0];
      if (written.charAt(0) === '"') continue;
      var exact = RubricScoring.parseDecimal(written), read = RubricScoring.parseDecimal(Number(written));
      if (exact === null || read === null || RubricScoring.compareDecimal(exact, read) !== 0) found.push(written);
    }
    return found;
  }

  return { say: say, h: h, clear: clear, setText: setText, ask: ask, cssString: cssString, printTable: printTable, addRow: addRow, inexactNumbers: inexactNumbers };
})();
