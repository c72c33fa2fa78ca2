/* Work saved in localStorage, one record per piece of work (an evaluation
 * in the form, a panel in the panel page): RubricRecords(prefix, format,
 * isState, tabKey) keeps records under prefix + id, each
 * {format, id, saved, ..., state}, and the id a tab shows under tabKey in
 * sessionStorage.
 *
 * A tab writes a record only while it still holds what this tab last read
 * or wrote there: write() says "changed" or "deleted" instead of
 * overwriting work another tab saved (docs/sheets.md), and the page then
 * becomes read-only.
 */
var RubricRecords = function (prefix, format, isState, tabKey) {
  "use strict";

  // Records as the list last read them, by id: each save lists them all,
  // and only a record that changed is parsed again.
  var listed = Object.create(null);

  function parse(text) {
    var record = JSON.parse(text, function (key, value) {
      // Every object a map: a rubric key may be "constructor" or "__proto__".
      if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
      var copy = Object.create(null);
      Object.keys(value).forEach(function (name) { copy[name] = value[name]; });
      return copy;
    });
    return record && record.format === format && record.state && isState(record.state) ? record : null;
  }

  /* The stored record of an id, {text, record}, or null. */
  function read(id) {
    try {
      var text = window.localStorage.getItem(prefix + id), record = text && parse(text);
      return record ? { text: text, record: record } : null;
    } catch (error) {
      return null;
    }
  }

  /* Every record of this prefix, the last saved first. */
  function list() {
    var found = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i), id = idOf(key);
        if (id === null) continue;
        var known = listed[id];
        var entry = known && known.text === window.localStorage.getItem(key) ? known : read(id);
        if (entry) found.push((listed[id] = entry).record);
      }
    } catch (error) {
      return found;
    }
    return found.sort(function (a, b) { return b.saved - a.saved; });
  }

  /* Writes a record's text if the stored one is still `expected` (null: none
   * yet): "saved", "changed", "deleted", "full" or "unavailable". */
  function write(id, text, expected) {
    try {
      var found = window.localStorage.getItem(prefix + id);
      if (found !== expected) return found === null ? "deleted" : "changed";
      window.localStorage.setItem(prefix + id, text);
      return "saved";
    } catch (error) {
      return error && error.name === "QuotaExceededError" ? "full" : "unavailable";
    }
  }

  function remove(id) {
    try { window.localStorage.removeItem(prefix + id); return true; } catch (error) { return false; }
  }

  /* The id of a storage key of this prefix, or null. */
  function idOf(key) { return key && key.indexOf(prefix) === 0 ? key.slice(prefix.length) : null; }

  function recordText(id, extra, state) {
    var record = { format: format, id: id, saved: Date.now() };
    Object.keys(extra).forEach(function (key) { record[key] = extra[key]; });
    record.state = state;
    return JSON.stringify(record);
  }

  return {
    read: read,
    list: list,
    write: write,
    remove: remove,
    idOf: idOf,
    recordText: recordText,
    newId: function () { return Date.now().toString(36) + Math.random().toString(36).slice(2, 8); },
    /* The id this tab shows, kept across reloads of this tab only. */
    tabId: function () { try { return window.sessionStorage.getItem(tabKey); } catch (error) { return null; } },
    setTabId: function (id) { try { window.sessionStorage.setItem(tabKey, id); } catch (error) { /* forgotten on reload */ } }
  };
};
