/* The operator's conversation page (templates/hotline/conversation.html).
 *
 * New messages arrive over the websocket /ws/hotline/contacts/<id>/ (the session's cookie
 * signs it in); when websockets are blocked the page polls conversation/messages/?after=N.
 * The forms (take, reply, send the help contacts, end) are posted with fetch and answer JSON;
 * without JavaScript they post as plain forms and the page reloads.
 */
(function () {
  "use strict";
  var POLL_MS = 2500;
  var SAFETY_POLL_MS = 15000;
  var SOCKET_WAIT_MS = 4000;

  var root = document.querySelector("[data-chat-operator]");
  if (!root) { return; }
  var contactId = root.getAttribute("data-contact");
  var pollUrl = root.getAttribute("data-poll");
  var log = root.querySelector("[data-chat-log]");
  var errorBox = root.querySelector("[data-chat-error]");
  var reply = root.querySelector("[data-chat-reply]");
  var badge = root.querySelector("[data-chat-state]");
  var lastSeq = parseInt(root.getAttribute("data-after"), 10) || 0;
  var state = root.getAttribute("data-state");
  var socketLive = false;
  var pollTimer = null;

  function text(name) {
    var node = root.querySelector("template[data-text='" + name + "']");
    return node ? node.content.textContent.trim() : name;
  }

  function showError(message) {
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  }

  function time(iso) {
    var d = new Date(iso);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return isNaN(d) ? "" : pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function render(message) {
    if (message.seq <= lastSeq) { return; }
    lastSeq = message.seq;
    var item = document.createElement("li");
    item.className = "chat-msg " + message.direction;
    item.setAttribute("data-seq", String(message.seq));
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = text(message.direction) + " · " + time(message.sent_at);
    item.appendChild(who);
    item.appendChild(document.createTextNode(message.body));
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function setState(next) {
    if (!next || next === state) { return; }
    var was = state;
    state = next;
    badge.textContent = text(next);
    badge.className = "badge fs-6 text-bg-" + (next === "ended" ? "secondary" : next === "active" ? "success" : "warning");
    if (next === "ended") {
      if (reply) { reply.hidden = true; }
      clearTimeout(pollTimer);
    } else if (was === "waiting" && next === "active") {
      // Taken (by this operator or another): the page shows who may write.
      window.location.reload();
    }
  }

  function poll() {
    fetch(pollUrl + "?after=" + lastSeq, {headers: {"Accept": "application/json"}, credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        body.messages.forEach(render);
        setState(body.state);
      })
      .catch(function () { /* offline for a moment */ })
      .then(schedule);
  }

  function schedule() {
    clearTimeout(pollTimer);
    if (state === "ended") { return; }
    pollTimer = setTimeout(poll, socketLive ? SAFETY_POLL_MS : POLL_MS);
  }

  function connect() {
    if (!("WebSocket" in window) || state === "ended") { schedule(); return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try {
      socket = new WebSocket(scheme + window.location.host + "/ws/hotline/contacts/" + contactId + "/");
    } catch (e) { schedule(); return; }
    var fallback = setTimeout(function () { if (!socketLive) { schedule(); } }, SOCKET_WAIT_MS);
    socket.onopen = function () { socket.send(JSON.stringify({type: "hello", after: lastSeq})); };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === "state") {
        socketLive = true;
        clearTimeout(fallback);
        setState(data.state);
        schedule();
      } else if (data.type === "message") {
        render(data.message);
      }
    };
    socket.onclose = function () {
      clearTimeout(fallback);
      socketLive = false;
      schedule();
    };
    socket.onerror = function () { /* onclose follows */ };
  }

  function post(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) { data.set(submitter.name, submitter.value); }
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    showError("");
    // getAttribute: the form has a field named "action", which form.action would return.
    return fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      headers: {"Accept": "application/json"},
      credentials: "same-origin"
    })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          return {response: response, body: body};
        });
      })
      .then(function (r) {
        if (!r.response.ok) {
          showError(r.body && r.body.error ? r.body.error.message : r.response.statusText);
          return;
        }
        var action = data.get("action");
        if (r.body.message) { render(r.body.message); }
        if (action === "reply") { form.querySelector("textarea").value = ""; }
        if (action === "take") { window.location.reload(); return; }
        if (r.body.state) { setState(r.body.state); }
      })
      .catch(function () { showError(text("failed")); })
      .then(function () { buttons.forEach(function (b) { b.disabled = false; }); });
  }

  root.querySelectorAll("form[data-chat-action], form[data-chat-reply]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      post(form, event.submitter);
    });
  });

  connect();
})();
