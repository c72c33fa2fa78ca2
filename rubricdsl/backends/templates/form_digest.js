/* The digest of a member file (docs/panel.md): "sha256:" and the SHA-256
 * of the UTF-8 bytes of the file's RFC 8785 (JSON Canonicalization Scheme)
 * serialization without its "digest" key, notes ("_" keys) included, so
 * that any change made after export is detected.
 *
 * The scorer runtime (Python) computes the same bytes; tests compare the
 * two on random findings.  Pure functions, no DOM: the form and the panel
 * page inline this file, and the tests run it under Node.js.
 */
var RubricDigest = (function () {
  "use strict";

  /* RFC 8785: keys sorted by UTF-16 code units (what sort() compares), no
   * whitespace, strings with JSON's minimal escapes (JSON.stringify's),
   * numbers as ECMAScript writes them (String(), with -0 as 0). */
  function canonical(value) {
    if (value === null || typeof value === "boolean") return String(value);
    if (typeof value === "number") {
      if (!isFinite(value)) throw new Error("JSON has no " + value);
      return value === 0 ? "0" : String(value);
    }
    if (typeof value === "string") return JSON.stringify(value);
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    var keys = Object.keys(value).sort();
    return "{" + keys.map(function (key) { return JSON.stringify(key) + ":" + canonical(value[key]); }).join(",") + "}";
  }

  // SHA-256 (FIPS 180-4) over bytes: the page has no crypto.subtle on every
  // browser from file://, and a synchronous digest keeps import simple.
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];

  function sha256Hex(bytes) {
    var length = bytes.length, padded = new Uint8Array(((length + 9 + 63) >> 6) << 6);
    padded.set(bytes);
    padded[length] = 0x80;
    var bits = length * 8, view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(bits / 0x100000000));
    view.setUint32(padded.length - 4, bits >>> 0);
    var hash = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64);
    function rotate(x, n) { return (x >>> n) | (x << (32 - n)); }
    for (var block = 0; block < padded.length; block += 64) {
      for (var t = 0; t < 64; t++) {
        if (t < 16) w[t] = view.getUint32(block + t * 4);
        else {
          var s0 = rotate(w[t - 15], 7) ^ rotate(w[t - 15], 18) ^ (w[t - 15] >>> 3);
          var s1 = rotate(w[t - 2], 17) ^ rotate(w[t - 2], 19) ^ (w[t - 2] >>> 10);
          w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
        }
      }
      var a = hash[0], b = hash[1], c = hash[2], d = hash[3], e = hash[4], f = hash[5], g = hash[6], hh = hash[7];
      for (t = 0; t < 64; t++) {
        var t1 = (hh + (rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
        var t2 = ((rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      hash = [(hash[0] + a) | 0, (hash[1] + b) | 0, (hash[2] + c) | 0, (hash[3] + d) | 0,
              (hash[4] + e) | 0, (hash[5] + f) | 0, (hash[6] + g) | 0, (hash[7] + hh) | 0];
    }
    return hash.map(function (word) { return ("0000000" + (word >>> 0).toString(16)).slice(-8); }).join("");
  }

  /* The digest of a findings object (parsed JSON), without its own "digest". */
  function digestOf(findings) {
    var copy = Object.create(null);  // a "__proto__" key stays a key
    Object.keys(findings).forEach(function (key) { if (key !== "digest") copy[key] = findings[key]; });
    return "sha256:" + sha256Hex(new TextEncoder().encode(canonical(copy)));
  }

  /* Whether a parsed file's "digest" is the digest of its content. */
  function digestMatches(findings) {
    return typeof findings.digest === "string" && findings.digest === digestOf(findings);
  }

  return { canonical: canonical, sha256Hex: sha256Hex, digestOf: digestOf, digestMatches: digestMatches };
})();

if (typeof module !== "undefined" && module.exports) module.exports = RubricDigest;
