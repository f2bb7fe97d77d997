// Hotline pages: highlight the immediate-danger box when it is switched on.
(function () {
  "use strict";
  function sync(toggle) {
    var box = toggle.closest(".danger-box");
    if (box) { box.classList.toggle("is-on", toggle.checked); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".danger-toggle").forEach(function (toggle) {
      sync(toggle);
      toggle.addEventListener("change", function () { sync(toggle); });
    });
  });
})();
