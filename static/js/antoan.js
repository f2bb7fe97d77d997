/* An Toàn: behaviour shared by every page. No inline scripts anywhere (CSP). */
(function () {
  "use strict";
  // The error summary at the top of a form (GOV.UK pattern): take focus when the page loads,
  // so that a screen reader announces it; its links move focus to the field they name.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-error-link]");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']");
      (field.closest("fieldset") || label || field).scrollIntoView({block: "start"});
      field.focus({preventScroll: true});
    });
  });
})();
