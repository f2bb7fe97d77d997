/* Quick exit: leave for a neutral site at once, and leave as little behind as a browser allows.
 *
 * - The button ([data-quick-exit], a plain link that works without JavaScript) and pressing
 *   Escape twice replace the page with the neutral site through location.replace, so the Back
 *   button does not come back to it.
 * - On the public pages (body[data-public-page]) moving from page to page (the commune search,
 *   the list of communes) also replaces the current history entry, so a whole visit is one
 *   entry, and the quick exit removes it.
 * Loaded as a file (CSP: no inline script); the target is the button's own href.
 */
(function () {
  "use strict";
  var ESCAPE_WINDOW_MS = 1500;
  var lastEscape = 0;

  function target() {
    var link = document.querySelector("[data-quick-exit]");
    return link ? link.href : "about:blank";
  }

  function leave(url) {
    try {
      document.title = "";
      if (document.body) { document.body.hidden = true; }
    } catch (e) { /* leaving matters more than hiding */ }
    window.location.replace(url);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-quick-exit]") : null;
    if (link) {
      event.preventDefault();
      leave(link.href);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") { return; }
    var now = Date.now();
    if (now - lastEscape <= ESCAPE_WINDOW_MS) {
      leave(target());
    }
    lastEscape = now;
  });

  function publicPage() {
    return document.body && document.body.hasAttribute("data-public-page");
  }

  function sameSite(url) {
    return url.origin === window.location.origin;
  }

  // Within the public pages: navigate without adding history entries.
  document.addEventListener("click", function (event) {
    if (!publicPage() || event.defaultPrevented || event.button !== 0 ||
        event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || link.hasAttribute("data-quick-exit") || link.target) { return; }
    var url = new URL(link.href, window.location.href);
    if (!sameSite(url) || url.hash && url.pathname === window.location.pathname &&
        url.search === window.location.search) { return; }
    event.preventDefault();
    window.location.replace(url.href);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // A form a page's own script handles (the web chat) is not navigated to.
    if (!publicPage() || event.defaultPrevented ||
        (form.method || "get").toLowerCase() !== "get") { return; }
    var url = new URL(form.action || window.location.href, window.location.href);
    if (!sameSite(url)) { return; }
    event.preventDefault();
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) { params.append(name, value); });
    url.search = params.toString();
    window.location.replace(url.href);
  });
})();
