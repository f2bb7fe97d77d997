/* Programme pages: small conveniences. Every page works without this file. */
(function () {
  "use strict";

  function fold(text) {
    // "Tập huấn" and "tap huan" both find "tập huấn".
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
  }

  // The activity form's task list: filter as you type, say what is chosen.
  function setUpTasks() {
    var box = document.getElementById("task-choices");
    if (!box) { return; }
    var filter = document.querySelector("[data-task-filter]");
    var summary = document.querySelector("[data-task-summary]");
    var rows = Array.prototype.slice.call(box.querySelectorAll(".task-choice"));
    rows.forEach(function (row) { row.dataset.folded = fold(row.dataset.taskText || ""); });

    function summarise() {
      if (!summary) { return; }
      var codes = rows.filter(function (row) { return row.querySelector("input").checked; })
        .map(function (row) { return row.querySelector("input").dataset.code; });
      summary.textContent = codes.length ? summary.dataset.label + " " + codes.join(", ") : "";
    }
    if (filter) {
      filter.addEventListener("input", function () {
        var words = fold(filter.value).split(/\s+/).filter(Boolean);
        rows.forEach(function (row) {
          var input = row.querySelector("input");
          var match = words.every(function (w) { return row.dataset.folded.indexOf(w) !== -1; });
          row.hidden = !(match || input.checked);
        });
      });
    }
    box.addEventListener("change", summarise);
    summarise();
    var first = box.querySelector("input:checked");
    if (first) {
      box.scrollTop = first.closest(".task-choice").offsetTop - box.offsetTop - 8;
    }
  }

  // The trainee box: count lines and sexes as they are pasted.
  function setUpTrainees() {
    var area = document.querySelector("textarea[name='trainees']");
    var out = document.querySelector("[data-trainee-count]");
    if (!area || !out) { return; }
    function count() {
      var n = 0, female = 0, male = 0;
      area.value.split(/\r?\n/).forEach(function (line) {
        if (!line.trim()) { return; }
        var cells = line.split(line.indexOf("\t") !== -1 ? "\t" : (line.indexOf(";") !== -1 ? ";" : "|"));
        var first = fold(cells[0].trim());
        if (n === 0 && (first === "ho ten" || first === "ho va ten" || first === "stt")) { return; }
        if (/^\d+$/.test(cells[0].trim()) && cells.length > 2) { cells = cells.slice(1); }
        var sex = fold((cells[1] || "").trim());
        n += 1;
        if (sex === "nu" || sex === "n" || sex === "f" || sex === "female") { female += 1; }
        else if (sex === "nam" || sex === "m" || sex === "male") { male += 1; }
      });
      // The sentence comes translated from the page: "{n} học viên: {female} nữ, …".
      out.textContent = n ? out.dataset.template.replace("{n}", n).replace("{female}", female)
        .replace("{male}", male).replace("{other}", n - female - male) : "";
    }
    area.addEventListener("input", count);
    count();
  }

  // Buttons that change something hard to undo ask first.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // The plan page: a link to #task-12 opens the groups that hold that task.
  function openTarget() {
    var id = window.location.hash.slice(1);
    var row = id && /^task-\d+$/.test(id) ? document.getElementById(id) : null;
    if (!row) { return; }
    for (var node = row.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
    row.scrollIntoView();
  }
  window.addEventListener("hashchange", openTarget);

  document.addEventListener("DOMContentLoaded", function () {
    openTarget();
    setUpTasks();
    setUpTrainees();
  });
})();
