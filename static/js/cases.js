/* Case pages: small conveniences. Every page works without this file. */
(function () {
  "use strict";

  // "In trang này" on the printable summary.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });

  // One submission per form: a second click while the first is on its way does nothing.
  // (The server also makes a repeated intake return the first case: client_uuid.)
  // (getAttribute: a field named "method", as on the follow-up form, hides form.method.)
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) ||
        (form.getAttribute("method") || "get").toLowerCase() !== "post") {
      return;
    }
    if (form.dataset.submitting === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    form.setAttribute("aria-busy", "true");
  });

  // Coming back with the browser's Back button shows a page from the cache: allow again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      delete form.dataset.submitting;
      form.removeAttribute("aria-busy");
    });
  });
})();
