/* Search over procedure titles and steps in the static site (works from file://: the index is the
   script assets/search-index.js, which sets window.QMS_SEARCH; no fetch()). Vietnamese is matched with
   and without diacritics: both sides are folded (NFD, combining marks removed, đ/Đ -> d, lower case). */
(function () {
  "use strict";
  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d").toLowerCase().replace(/\s+/g, " ").trim();
  }
  function setup() {
    var input = document.getElementById("qms-search");
    var list = document.getElementById("qms-results");
    var status = document.getElementById("qms-search-status");
    var entries = (window.QMS_SEARCH || []).map(function (e) {
      return { e: e, title: fold(e.code + " " + e.title), body: fold(e.text) };
    });
    if (!input || !list) { return; }
    function run() {
      var words = fold(input.value).split(" ").filter(function (w) { return w.length > 0; });
      while (list.firstChild) { list.removeChild(list.firstChild); }
      if (words.length === 0) { status.textContent = ""; return; }
      var hits = entries.filter(function (x) {
        return words.every(function (w) { return x.title.indexOf(w) >= 0 || x.body.indexOf(w) >= 0; });
      });
      hits.sort(function (a, b) {
        var q = words.join(" ");
        return (b.title.indexOf(q) >= 0) - (a.title.indexOf(q) >= 0);
      });
      hits.forEach(function (x) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = x.e.href;
        a.textContent = x.e.code + " " + x.e.title;
        li.appendChild(a);
        list.appendChild(li);
      });
      status.textContent = (hits.length === 0 ? status.getAttribute("data-none")
        : status.getAttribute("data-found").replace("{n}", String(hits.length)));
    }
    input.addEventListener("input", run);
    run();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
}());
