/* The visitor's web chat (templates/public/chat.html, docs/hotline.md "Web chat").
 *
 * - Nothing is stored in the browser: the chat's id and token live in this closure only (no
 *   cookie, no localStorage or sessionStorage); a reload or a closed tab loses them, and the
 *   chat is ended as the page goes away (fetch keepalive on pagehide).
 * - Messages arrive over a websocket (the token in its first message, never in a URL); when
 *   websockets are blocked or drop, the page polls GET .../messages?after=N instead.
 * - Messages are sent with POST .../messages (X-Chat-Token): its answer says at once whether
 *   the message was taken (413, 409 chat_ended, 429 are shown as they come).
 * - Quick exit (the button, or Escape twice: quick-exit.js) ends the chat and empties the page
 *   before the browser leaves for the neutral site.
 */
(function () {
  "use strict";
  var POLL_MS = 2500;
  var SAFETY_POLL_MS = 15000;
  var SOCKET_WAIT_MS = 4000;

  var root = document.querySelector("[data-chat-visitor]");
  if (!root) { return; }
  var api = root.getAttribute("data-api");
  var log = root.querySelector("[data-chat-log]");
  var form = root.querySelector("[data-chat-form]");
  var input = form.querySelector("textarea");
  var errorBox = root.querySelector("[data-chat-error]");
  var statusBox = root.querySelector("[data-chat-status]");
  var intro = root.querySelector("[data-chat-intro]");
  var startButton = root.querySelector("[data-chat-start]");
  var hotlines = document.querySelector("[data-chat-hotlines]");

  var chat = null;       // {id, token}: memory only
  var lastSeq = 0;
  var state = "";
  var socket = null;
  var socketLive = false;
  var pollTimer = null;
  var leaving = false;

  function text(name) {
    var node = root.querySelector("template[data-text='" + name + "']");
    return node ? node.content.textContent.trim() : "";
  }

  function showStatus(message) {
    statusBox.textContent = message;
    statusBox.hidden = !message;
  }

  function showError(message) {
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  }

  function setState(next) {
    if (!next || next === state) { return; }
    state = next;
    showStatus(text(next));
    if (next === "ended") { finish(); }
  }

  function render(message) {
    if (message.seq <= lastSeq) { return; }
    lastSeq = message.seq;
    var item = document.createElement("li");
    item.className = message.direction;
    item.setAttribute("data-seq", String(message.seq));
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = text(message.direction);
    item.appendChild(who);
    item.appendChild(document.createTextNode(message.body));
    log.appendChild(item);
    item.scrollIntoView({block: "nearest"});
  }

  function url(path) { return api + "/" + chat.id + path; }

  function headers(json) {
    var h = {"X-Chat-Token": chat.token, "Accept": "application/json"};
    if (json) { h["Content-Type"] = "application/json"; }
    return h;
  }

  function errorMessage(response, body) {
    if (body && body.error && body.error.fields) {
      var all = [];
      Object.keys(body.error.fields).forEach(function (k) { all = all.concat(body.error.fields[k]); });
      if (all.length) { return all.join(" "); }
    }
    return body && body.error ? body.error.message : text("failed");
  }

  function readJson(response) {
    return response.json().catch(function () { return null; });
  }

  // --- Receiving: websocket, else polling -------------------------------------------------

  function poll() {
    if (!chat || leaving) { return; }
    fetch(url("/messages?after=" + lastSeq), {headers: headers(false), credentials: "omit", cache: "no-store"})
      .then(function (response) {
        return readJson(response).then(function (body) { return {response: response, body: body}; });
      })
      .then(function (r) {
        if (!r.response.ok || !r.body) { return; }
        r.body.messages.forEach(render);
        setState(r.body.state);
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { schedule(); });
  }

  function schedule() {
    clearTimeout(pollTimer);
    if (!chat || leaving || state === "ended") { return; }
    pollTimer = setTimeout(poll, socketLive ? SAFETY_POLL_MS : POLL_MS);
  }

  function connect() {
    if (!("WebSocket" in window)) { schedule(); return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    try {
      socket = new WebSocket(scheme + window.location.host + "/ws/hotline/chats/" + chat.id + "/");
    } catch (e) {
      socket = null;
      schedule();
      return;
    }
    var fallback = setTimeout(function () { if (!socketLive) { schedule(); } }, SOCKET_WAIT_MS);
    socket.onopen = function () {
      socket.send(JSON.stringify({type: "hello", token: chat.token, after: lastSeq}));
    };
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
      socket = null;
      if (chat && !leaving && state !== "ended") { schedule(); }
    };
    socket.onerror = function () { /* onclose follows; polling takes over */ };
  }

  // --- Starting, writing, ending ------------------------------------------------------------

  function unstaffed(message) {
    intro.hidden = true;
    showStatus(message || text("unstaffed"));
    if (hotlines) { hotlines.hidden = false; }
  }

  startButton.addEventListener("click", function () {
    startButton.disabled = true;
    fetch(api, {method: "POST", headers: {"Accept": "application/json"}, credentials: "omit"})
      .then(function (response) {
        return readJson(response).then(function (body) { return {response: response, body: body}; });
      })
      .then(function (r) {
        if (r.response.status === 201 && r.body && r.body.token) {
          chat = {id: r.body.id, token: r.body.token};
          intro.hidden = true;
          log.hidden = false;
          form.hidden = false;
          setState("waiting");
          input.focus();
          connect();
        } else if (r.response.ok) {
          unstaffed();
        } else {
          unstaffed(errorMessage(r.response, r.body));
        }
      })
      .catch(function () {
        startButton.disabled = false;
        showStatus(text("failed"));
      });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = input.value.trim();
    if (!chat || !body) { return; }
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    showError("");
    fetch(url("/messages"), {
      method: "POST",
      headers: headers(true),
      credentials: "omit",
      body: JSON.stringify({body: body})
    })
      .then(function (response) {
        return readJson(response).then(function (data) { return {response: response, body: data}; });
      })
      .then(function (r) {
        if (r.response.status === 201) {
          input.value = "";
          render(r.body);
        } else {
          // Not sent: the text stays in the box, nothing is lost.
          showError(errorMessage(r.response, r.body));
          if (r.body && r.body.error && r.body.error.code === "chat_ended") { setState("ended"); }
        }
      })
      .catch(function () { showError(text("failed")); })
      .then(function () { button.disabled = state === "ended"; });
  });

  function end() {
    if (!chat || state === "ended") { return; }
    var current = chat;
    try {
      fetch(api + "/" + current.id + "/end", {
        method: "POST",
        headers: {"X-Chat-Token": current.token},
        credentials: "omit",
        keepalive: true
      }).catch(function () { /* leaving anyway */ });
    } catch (e) { /* leaving anyway */ }
  }

  function finish() {
    clearTimeout(pollTimer);
    form.querySelector("button[type=submit]").disabled = true;
    root.querySelector("[data-chat-end]").disabled = true;
    input.disabled = true;
    if (socket) { socket.close(); }
    if (hotlines) { hotlines.hidden = false; }
  }

  root.querySelector("[data-chat-end]").addEventListener("click", function () {
    end();
    setState("ended");
  });

  // Quick exit and leaving the page: end the chat, then forget it and empty the page.
  function leave() {
    if (leaving) { return; }
    end();
    leaving = true;
    clearTimeout(pollTimer);
    if (socket) { try { socket.close(); } catch (e) { /* gone */ } }
    chat = null;
    log.textContent = "";
    input.value = "";
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-quick-exit]") : null;
    if (link) { leave(); }
  }, true);
  window.addEventListener("pagehide", leave);
})();
