// Place boxes (antoan/places/forms.py): fill the list of names as the user types, for the date
// typed in the same form, so "pho hien" offers "Phường Phố Hiến, Tỉnh Hưng Yên" and an old date
// offers the units of that time. Without this script the box still works: the server resolves
// whatever name or code was typed.
(function () {
  "use strict";
  var DELAY = 250;

  // Dates as the forms take them: d/m/yyyy with slashes, dashes or dots, or ISO.
  function isoDate(text) {
    var iso = /^\s*(\d{4})-(\d{2})-(\d{2})\s*$/.exec(text || "");
    if (iso) { return iso[1] + "-" + iso[2] + "-" + iso[3]; }
    var m = /^\s*(\d{1,2})[\/.-](\d{1,2})[\/.-](\d{4})\s*$/.exec(text || "");
    if (!m) { return ""; }
    var d = m[1].padStart(2, "0"), mo = m[2].padStart(2, "0");
    return m[3] + "-" + mo + "-" + d;
  }

  function dateFor(input) {
    var name = input.getAttribute("data-place-date");
    if (!name || !input.form) { return ""; }
    var field = input.form.querySelector('[name="' + name + '"]');
    return field ? isoDate(field.value) : "";
  }

  function fill(list, results) {
    var options = document.createDocumentFragment();
    results.forEach(function (place) {
      var option = document.createElement("option");
      option.value = place.label;
      options.appendChild(option);
    });
    list.replaceChildren(options);
  }

  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) { return; }
    var timer = null, last = "", controller = null;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var q = input.value.trim();
        // A chosen option is already a full label; a code needs no list.
        if (q.length < 2 || /^\d+$/.test(q) || q.indexOf(",") !== -1) { return; }
        var params = new URLSearchParams({ q: q });
        var level = input.getAttribute("data-place-level");
        if (level) { params.set("level", level); }
        var on = dateFor(input);
        if (on) { params.set("on", on); }
        var url = input.getAttribute("data-place-search") + "?" + params.toString();
        if (url === last) { return; }
        last = url;
        if (controller) { controller.abort(); }
        controller = new AbortController();
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: controller.signal })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (data) { if (data) { fill(list, data.results); } })
          .catch(function () { /* offline or aborted: the server still resolves the text */ });
      }, DELAY);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-place-search]").forEach(attach);
  });
})();
