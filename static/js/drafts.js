/* Drafts of long forms (docs/forms.md): what is typed is saved on the server every few
   seconds, offered back when the form is opened again, and leaving while changes are not yet
   saved (the connection is down, or a save is on its way) asks first. Acts on forms with data-draft-url (antoan/core/templatetags/drafts.py). Every form
   works without this file. */
(function () {
  "use strict";

  var INTERVAL_MS = 10000; // the regular save while typing
  var CHANGE_DELAY_MS = 1500; // a save soon after a field is left
  var SKIPPED = /^(csrfmiddlewaretoken|version|client_uuid)$|-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/;

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function kept(element) {
    if (!element.name || element.disabled || SKIPPED.test(element.name)) {
      return false;
    }
    var type = (element.type || "").toLowerCase();
    return type !== "file" && type !== "password" && type !== "submit" && type !== "button";
  }

  function collect(form) {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element)) {
        return;
      }
      var type = (element.type || "").toLowerCase();
      if ((type === "checkbox" || type === "radio") && !element.checked) {
        return;
      }
      if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.options, function (option) {
          if (option.selected) {
            fields.push([element.name, option.value]);
          }
        });
        return;
      }
      fields.push([element.name, element.value]);
    });
    return fields;
  }

  function restore(form, fields) {
    var values = {};
    fields.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    var used = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element)) {
        return;
      }
      var wanted = values[element.name] || [];
      var type = (element.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        element.checked = wanted.indexOf(element.value) !== -1;
      } else if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = wanted.indexOf(option.value) !== -1;
        });
      } else if (element.name in values) {
        // Several inputs of one name take its values in order.
        var index = used[element.name] || 0;
        element.value = wanted[index] !== undefined ? wanted[index] : "";
        used[element.name] = index + 1;
      } else {
        return;
      }
      // Let other scripts (counters, summaries) see the restored value.
      element.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function setUp(form) {
    var url = form.dataset.draftUrl;
    // dirty: changed on this page; unsaved: changed since the last save the server confirmed.
    var state = { dirty: false, unsaved: false, submitting: false, saving: false };
    var status = document.createElement("p");
    status.className = "form-text draft-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.dataset.testid = "draft-status";
    form.appendChild(status);

    function post(body) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "X-CSRFToken": csrfToken(form),
          "X-Requested-With": "XMLHttpRequest"
        },
        body: JSON.stringify(body)
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") === -1) {
          throw new Error("draft not saved");
        }
        return response.json();
      });
    }

    function save() {
      if (!state.unsaved || state.saving || state.submitting) {
        return;
      }
      state.saving = true;
      state.unsaved = false;
      post({ fields: collect(form) })
        .then(function (answer) {
          status.textContent = answer.status || "";
        })
        .catch(function () {
          state.unsaved = true; // try again at the next tick
          status.textContent = form.dataset.draftFailed || "";
        })
        .then(function () {
          state.saving = false;
        });
    }

    var changeTimer = null;
    function changed() {
      if (state.submitting) {
        return;
      }
      state.dirty = true;
      state.unsaved = true;
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", function (event) {
      if (!event.isTrusted) {
        return; // our own restore, not the user's typing
      }
      changed();
      window.clearTimeout(changeTimer);
      changeTimer = window.setTimeout(save, CHANGE_DELAY_MS);
    });
    var ticker = window.setInterval(save, INTERVAL_MS);

    form.addEventListener("submit", function () {
      state.submitting = true;
      window.clearInterval(ticker);
      window.clearTimeout(changeTimer);
    });
    // Back from the browser's cache after a submission: the form is live again.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted && state.submitting) {
        state.submitting = false;
        ticker = window.setInterval(save, INTERVAL_MS);
      }
    });

    window.addEventListener("beforeunload", function (event) {
      // What the server holds is not lost: ask only about what it does not hold yet.
      if (state.dirty && (state.unsaved || state.saving) && !state.submitting) {
        event.preventDefault();
        event.returnValue = ""; // older browsers need a value; they show their own words
        return "";
      }
      return undefined;
    });

    function showNotice(answer) {
      var notice = document.createElement("div");
      notice.className = "alert alert-info d-flex flex-wrap align-items-center gap-2";
      notice.setAttribute("role", "status");
      notice.dataset.testid = "draft-notice";
      var text = document.createElement("span");
      text.textContent = answer.notice;
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "btn btn-sm btn-outline-secondary";
      discard.textContent = answer.discard;
      discard.dataset.testid = "draft-discard";
      discard.addEventListener("click", function () {
        post({ discard: true })
          .then(function (result) {
            form.reset(); // back to what the page brought
            state.dirty = false;
            state.unsaved = false;
            notice.remove();
            status.textContent = result.status || "";
          })
          .catch(function () {
            status.textContent = form.dataset.draftFailed || "";
          });
      });
      notice.appendChild(text);
      notice.appendChild(discard);
      form.insertBefore(notice, form.firstElementChild);
    }

    if (form.dataset.draftRestore === "1") {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          return response.status === 200 && type.indexOf("application/json") !== -1
            ? response.json()
            : null;
        })
        .then(function (answer) {
          // Typing already started wins over an older draft.
          if (answer && answer.fields && !state.dirty) {
            restore(form, answer.fields);
            showNotice(answer);
          }
        })
        .catch(function () {});
    } else {
      // A form shown again after a refused submission holds what was typed: keep it.
      state.unsaved = true;
      save();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-draft-url]").forEach(setUp);
  });
})();
