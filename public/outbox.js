// Liaison's outbox. A record a cadre saves without signal waits here, on the phone, until the
// server has it. One store (IndexedDB) for the pages and for the service worker, which loads this
// file with importScripts; the page half below runs only where there is a document.
//
// A record: { id (its form's request_id, so a resend stores nothing twice), account (who typed
// it: nobody else sees or sends it), action (the server function's path), body (the form,
// urlencoded), page (where it was typed, to fix it), summary, typed_at, state: "pending" |
// "invalid" (the server refused it: errors by field) | "held" (signed out: waits for the same
// account), errors, message }.
//
// Sending never waits for Background Sync (WeChat and Android WebView have none): the page sends
// on load, on `online`, when it becomes visible and on a timer with backoff; in order, one batch
// at a time, through /api/outbox/replay (one round trip for many records on a slow link).
(function (self) {
  "use strict";
  var DB = "liaison-outbox";
  var RECORDS = "records";
  var META = "meta";

  function request(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }

  var opened = null;
  function open() {
    if (!opened) {
      var r = indexedDB.open(DB, 1);
      r.onupgradeneeded = function () {
        r.result.createObjectStore(RECORDS, { keyPath: "id" });
        r.result.createObjectStore(META);
      };
      opened = request(r).then(function (db) {
        // iOS may close the connection while the app is in the background: open it again.
        db.onclose = function () { opened = null; };
        db.onversionchange = function () { db.close(); opened = null; };
        return db;
      });
      opened.catch(function () { opened = null; });
    }
    return opened;
  }

  async function run(store, mode, fn) {
    var db = await open();
    var tx = db.transaction(store, mode);
    var result = fn(tx.objectStore(store));
    await new Promise(function (resolve, reject) {
      tx.oncomplete = resolve;
      tx.onerror = tx.onabort = function () { reject(tx.error); };
    });
    return result instanceof IDBRequest ? result.result : result;
  }

  var store = {
    put: function (record) { return run(RECORDS, "readwrite", function (s) { return s.put(record); }); },
    get: function (id) { return run(RECORDS, "readonly", function (s) { return s.get(id); }); },
    remove: function (id) { return run(RECORDS, "readwrite", function (s) { return s.delete(id); }); },
    // This account's records, oldest first.
    list: async function (account) {
      var all = await run(RECORDS, "readonly", function (s) { return s.getAll(); });
      return all
        .filter(function (r) { return account && r.account === account; })
        .sort(function (a, b) { return a.typed_at - b.typed_at; });
    },
    // The account of the page last opened here (the worker files a form posted offline to it).
    account: function () { return run(META, "readonly", function (s) { return s.get("account"); }); },
    setAccount: function (a) { return run(META, "readwrite", function (s) { return s.put(a, "account"); }); },
  };
  self.liaisonOutboxStore = store;

  // Caches of pages (about someone): dropped at sign-out and when another account signs in.
  self.liaisonDropPages = async function () {
    if (!self.caches) return;
    var names = await caches.keys();
    await Promise.all(names.filter(function (n) { return n.indexOf("liaison-pages-") === 0; })
      .map(function (n) { return caches.delete(n); }));
  };

  if (typeof document === "undefined") return;

  // ---- the page ----
  // Request ids for browsers without crypto.randomUUID (iOS before 15.4): the enhanced forms
  // renew theirs with it after every save.
  if (self.crypto && !crypto.randomUUID && crypto.getRandomValues) {
    crypto.randomUUID = function () {
      var b = crypto.getRandomValues(new Uint8Array(16));
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
      return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
    };
  }

  function renewId(input) {
    var id = crypto.randomUUID();
    input.value = id;
    input.defaultValue = id;
    return id;
  }
  var cfgEl = document.getElementById("outbox-config");
  var cfg = cfgEl ? JSON.parse(cfgEl.dataset.config) : { account: null, queued: {}, text: {} };
  var text = cfg.text;
  var account = cfg.account;
  var DAY = 24 * 3600 * 1000;

  function say(key, n) { return (text[key] || key).replace("{n}", String(n)); }

  function path(url) { return new URL(url, location.href).pathname; }

  function byId(id) { return document.getElementById(id); }

  // What the list shows for a record: the youth, organisation or subject it is about.
  function summaryOf(form) {
    var name = form.elements.name;
    if (name && name.value) return name.value.trim().slice(0, 40);
    // A contact for the youth the page is about: the youth's name, as the page shows it.
    var youth = form.elements.youth_id;
    if (youth && youth.type === "hidden") {
      var shown = document.querySelector("p.lead a") || document.querySelector("main h1");
      if (shown) return shown.textContent.trim().slice(0, 40);
    }
    var sel = form.querySelector("select");
    if (sel && sel.value && sel.selectedIndex >= 0) return sel.options[sel.selectedIndex].text.trim();
    var input = form.querySelector("input[type=text], input:not([type]), textarea");
    return input && input.value ? input.value.trim().slice(0, 40) : "";
  }

  function bodyOf(form) {
    return new URLSearchParams(new FormData(form)).toString();
  }

  // What each form sent, as it was when sent (the fields stay editable while it is on its way,
  // and a record kept must be what the server may already have under its request id).
  var sent = new WeakMap();
  document.addEventListener("submit", function (ev) {
    if (ev.target instanceof HTMLFormElement) sent.set(ev.target, bodyOf(ev.target));
  }, true);

  // Called by the enhanced forms (the wasm) when the network failed or timed out: keeps the
  // record if its form may be queued. Resolves to what the form says when kept, else false.
  async function keep(form) {
    var action = path(form.action);
    var input = form.elements.request_id;
    var id = input && input.value;
    if (!account || !cfg.queued[action] || !id) return false;
    var body = sent.get(form) || bodyOf(form);
    var earlier = await store.get(id);
    if (earlier && earlier.body !== body && form.dataset.outboxFix !== id) {
      // The same request id on another record (a page reopened from the cache): a new one, so
      // neither replaces the other.
      var fresh = crypto.randomUUID();
      var params = new URLSearchParams(body);
      params.set("request_id", fresh);
      body = params.toString();
      id = fresh;
    }
    await store.put({
      id: id, account: account, action: action, body: body,
      page: location.pathname + location.search, summary: summaryOf(form),
      typed_at: Date.now(), state: "pending", errors: [], message: "",
    });
    delete form.dataset.outboxFix;
    refresh();
    schedule(2000);
    return say("kept");
  }

  // Called after an enhanced form saved: a record fixed from the outbox is gone from it.
  async function saved(form) {
    var id = form.dataset.outboxFix;
    if (!id) return;
    delete form.dataset.outboxFix;
    await store.remove(id);
    refresh();
  }

  // ---- sending ----
  var sending = null;
  var timer = null;
  var backoff = 0;

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(flush, ms);
  }

  function locked(fn) {
    // One tab sends at a time (another tab's batch would be answered from the request ids, but
    // a sender per tab is wasted signal).
    if (navigator.locks) return navigator.locks.request("liaison-outbox", fn);
    return fn();
  }

  // Sends this account's pending records, oldest first, a batch at a time. Resolves when the
  // outbox is empty or the network or server said to wait.
  function flush() {
    if (!account) return Promise.resolve();
    if (sending) return sending;
    sending = locked(async function () {
      try {
        for (;;) {
          var pending = (await store.list(account)).filter(function (r) { return r.state === "pending"; });
          if (!pending.length) { backoff = 0; return; }
          var batch = pending.slice(0, 25);
          mark("sending");
          var answer;
          try {
            answer = await post(batch);
          } catch (e) {
            backoff = Math.min(backoff ? backoff * 2 : 5000, 300000);
            schedule(backoff);
            return;
          }
          var stop = false;
          for (var i = 0; i < answer.length; i++) {
            var a = answer[i];
            var r = await store.get(a.id);
            if (!r || !batch.some(function (b) { return b.id === a.id; })) continue;
            if (a.status >= 200 && a.status < 300) {
              await store.remove(r.id);
            } else if (a.status === 401) {
              r.state = "held";
              await store.put(r);
              stop = true;
            } else if (a.status === 0 || a.status === 408 || a.status === 429 || a.status >= 500) {
              stop = true; // not tried, or try again later: stays pending, in order
            } else {
              r.state = "invalid";
              r.errors = fieldsOf(a.error);
              r.message = messageOf(a.error) || say("refused");
              await store.put(r);
            }
          }
          if (stop || !answer.length) {
            backoff = Math.min(backoff ? backoff * 2 : 5000, 300000);
            schedule(backoff);
            return;
          }
          backoff = 0;
          refresh();
        }
      } finally {
        sending = null;
        mark("");
        refresh();
      }
    });
    return sending;
  }

  async function post(batch) {
    var ctl = new AbortController();
    var t = setTimeout(function () { ctl.abort(); }, 30000);
    try {
      var res = await fetch("/api/outbox/replay", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-Liaison-Account": account },
        body: JSON.stringify({ records: batch.map(function (r) { return { id: r.id, action: r.action, body: r.body }; }) }),
        signal: ctl.signal,
        credentials: "same-origin",
      });
      if (res.status === 401) {
        // The session ended: every record waits for this account to sign in again.
        return batch.map(function (r) { return { id: r.id, status: 401 }; });
      }
      if (!res.ok) throw new Error("replay " + res.status);
      return (await res.json()).results;
    } finally {
      clearTimeout(t);
    }
  }

  function fieldsOf(error) {
    var f = error && error.Invalid && error.Invalid.fields;
    return Array.isArray(f) ? f.map(function (x) { return { field: x.field, message: x.message }; }) : [];
  }

  function messageOf(error) {
    if (!error || typeof error !== "object") return "";
    if (error.Invalid) {
      var f = fieldsOf(error);
      return f.length ? f.map(function (x) { return x.message; }).join("；") : "";
    }
    for (var k in error) if (error[k] && error[k].message) return error[k].message;
    return "";
  }

  // ---- what the page shows ----
  function mark(state) {
    var b = byId("outbox-badge");
    if (b) b.dataset.state = state;
  }

  function age(ms) {
    var m = Math.floor((Date.now() - ms) / 60000);
    if (m < 1) return say("age_now");
    if (m < 60) return say("age_minutes", m);
    var h = Math.floor(m / 60);
    if (h < 24) return say("age_hours", h);
    return say("age_days", Math.floor(h / 24));
  }

  // Draws the badge and the list; a call while drawing draws once more after it.
  var drawing = null;
  var again = false;
  function refresh() {
    if (drawing) { again = true; return drawing; }
    drawing = (async function () {
      do { again = false; await draw(); } while (again);
    })().finally(function () { drawing = null; });
    return drawing;
  }

  async function draw() {
    if (!account) return;
    var records = await store.list(account);
    var badge = byId("outbox-badge");
    if (badge) {
      badge.hidden = records.length === 0;
      badge.textContent = say("badge", records.length);
      var old = records.some(function (r) { return Date.now() - r.typed_at > DAY; });
      badge.classList.toggle("stale", old);
      badge.classList.toggle("invalid", records.some(function (r) { return r.state === "invalid"; }));
    }
    var list = byId("outbox-list");
    if (list) drawList(list, records);
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }

  function drawList(list, records) {
    list.textContent = "";
    if (!records.length) {
      list.appendChild(el("p", { class: "muted", "data-testid": "outbox-empty", text: say("empty") }));
      return;
    }
    var ul = el("ul", { class: "list outbox" });
    records.forEach(function (r) {
      var title = (cfg.queued[r.action] || r.action) + (r.summary ? " · " + r.summary : "");
      var state = r.state === "invalid" ? say("state_invalid") : r.state === "held" ? say("state_held") : say("state_pending");
      var li = el("li", { class: "outbox-item " + r.state, "data-testid": "outbox-item", "data-state": r.state }, [
        el("p", { class: "title", text: title }),
        el("p", { class: "muted" }, [
          el("span", { class: "state", text: state }),
          document.createTextNode(" · " + age(r.typed_at)),
        ]),
      ]);
      if (Date.now() - r.typed_at > DAY) li.appendChild(el("p", { class: "warn", text: say("stale") }));
      if (r.state === "invalid") {
        li.appendChild(el("p", { class: "field-error", role: "alert", text: r.message || say("refused") }));
        li.appendChild(el("a", { class: "button", href: r.page + "#outbox=" + encodeURIComponent(r.id), "data-testid": "outbox-fix", text: say("fix") }));
      }
      var del = el("button", { type: "button", class: "link danger", "data-testid": "outbox-delete", text: say("delete") });
      del.addEventListener("click", async function () {
        if (!confirm(say("delete_confirm"))) return;
        await store.remove(r.id);
        refresh();
      });
      li.appendChild(del);
      ul.appendChild(li);
    });
    list.appendChild(ul);
  }

  function offlineNote() {
    var note = byId("offline-note");
    if (note) note.hidden = navigator.onLine && !document.documentElement.hasAttribute("data-offline");
  }

  // A record the server refused, opened from the outbox: its form filled again, each message by
  // its field, sent again with the same request id.
  async function fixFromHash() {
    var m = /^#outbox=(.+)$/.exec(location.hash);
    if (!m || !account) return;
    var r = await store.get(decodeURIComponent(m[1]));
    if (!r || r.account !== account) return;
    var form = Array.prototype.find.call(document.forms, function (f) { return path(f.action) === r.action; });
    if (!form) return;
    var values = new URLSearchParams(r.body);
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || !values.has(input.name)) return;
      var all = values.getAll(input.name);
      if (input.type === "checkbox" || input.type === "radio") input.checked = all.indexOf(input.value) >= 0;
      else if (input.type !== "file" && input.type !== "submit") input.value = all[0];
    });
    form.dataset.outboxFix = r.id;
    var first = null;
    r.errors.forEach(function (e) {
      var input = form.querySelector('[name="' + CSS.escape(e.field) + '"]');
      var field = input && input.closest(".field");
      if (!field) return;
      field.classList.add("invalid");
      input.setAttribute("aria-invalid", "true");
      field.appendChild(el("p", { class: "field-error", role: "alert", "data-enhance": "", text: e.message }));
      first = first || field;
    });
    form.prepend(el("p", { class: "form-error", role: "alert", "data-enhance": "", "data-testid": "outbox-fixing", text: say("fixing") }));
    (first || form).scrollIntoView();
  }

  // Signing out with records not sent: say so, offer to send first, delete only when asked.
  function guardSignOut() {
    document.addEventListener("submit", async function (ev) {
      var form = ev.target;
      if (!cfg.logout || path(form.action) !== cfg.logout || form.dataset.confirmed) return;
      ev.preventDefault();
      if (!navigator.onLine) {
        alert(say("signout_needs_signal"));
        return;
      }
      var records = [];
      try { records = await store.list(account); } catch (e) { /* no store: nothing waits */ }
      if (!records.length) return signOut(form);
      askSignOut(form, records.length);
    }, true);
  }

  async function signOut(form) {
    try {
      await liaisonDropPages();
      await store.setAccount(null);
    } catch (e) { /* signing out never waits on the store */ }
    form.dataset.confirmed = "1";
    form.submit();
  }

  function askSignOut(form, n) {
    var old = byId("signout-dialog");
    if (old) old.remove();
    var message = el("p", { "data-testid": "signout-pending", text: say("signout_pending", n) });
    var note = el("p", { class: "muted", text: say("signout_note") });
    var send = el("button", { type: "button", class: "primary", "data-testid": "signout-send", text: say("signout_send") });
    var keepBtn = el("button", { type: "button", "data-testid": "signout-keep", text: say("signout_keep") });
    var drop = el("button", { type: "button", class: "link danger", "data-testid": "signout-delete", text: say("signout_delete") });
    var cancel = el("button", { type: "button", class: "link", "data-testid": "signout-cancel", text: say("cancel") });
    var dialog = el("dialog", { id: "signout-dialog", class: "dialog", "aria-labelledby": "signout-title" }, [
      el("h2", { id: "signout-title", text: say("signout_title") }), message, note,
      el("p", { class: "actions" }, [send, keepBtn]), el("p", { class: "actions" }, [drop, cancel]),
    ]);
    document.body.appendChild(dialog);
    send.addEventListener("click", async function () {
      send.disabled = true;
      await flush();
      var left = await store.list(account);
      send.disabled = false;
      if (!left.length) return signOut(form);
      message.textContent = say(navigator.onLine ? "signout_left" : "signout_offline", left.length);
    });
    keepBtn.addEventListener("click", function () { signOut(form); });
    drop.addEventListener("click", async function () {
      if (!confirm(say("signout_delete_confirm"))) return;
      var left = await store.list(account);
      for (var i = 0; i < left.length; i++) await store.remove(left[i].id);
      signOut(form);
    });
    cancel.addEventListener("click", function () { if (dialog.close) dialog.close(); dialog.remove(); });
    if (dialog.showModal) dialog.showModal();
    else { dialog.setAttribute("open", ""); dialog.classList.add("fallback"); dialog.scrollIntoView(); }
    send.focus();
  }

  self.liaisonOutbox = { keep: keep, saved: saved, flush: flush, refresh: refresh };

  async function start() {
    offlineNote();
    addEventListener("online", function () { offlineNote(); flush(); });
    addEventListener("offline", offlineNote);
    guardSignOut();
    if (navigator.serviceWorker && cfg.worker) {
      // After the page has loaded: the worker's copy of the bundle then comes from the HTTP
      // cache, not the network a second time.
      var register = function () {
        navigator.serviceWorker.register(cfg.worker, { updateViaCache: "none" }).catch(function () {});
      };
      if (document.readyState === "complete") register();
      else addEventListener("load", register);
    }
    if (document.documentElement.hasAttribute("data-offline")) {
      // A page from the worker's cache carries the request ids it was drawn with: new ones, so
      // a record saved here never takes the id of one saved before.
      Array.prototype.forEach.call(document.querySelectorAll('input[name="request_id"]'), renewId);
    }
    if (!account) {
      // Signed out (the session ended, or was ended elsewhere): no one's pages stay cached.
      if (cfgEl === null && document.querySelector("main")) {
        await liaisonDropPages();
        await store.setAccount(null);
      }
      return;
    }
    var before = await store.account();
    if (before !== account) {
      // Another account signed in on this phone: its pages leave the cache (its records stay,
      // unseen, until it signs in again).
      if (before) await liaisonDropPages();
      await store.setAccount(account);
    }
    // Signed in (again): what waited for this account may go.
    var records = await store.list(account);
    for (var i = 0; i < records.length; i++) {
      if (records[i].state === "held") { records[i].state = "pending"; await store.put(records[i]); }
    }
    if (/[?&]kept=1/.test(location.search)) {
      var list = byId("outbox-list");
      if (list) list.before(el("p", { class: "notice", role: "status", "data-testid": "outbox-kept", text: say("kept") }));
    }
    await refresh();
    await fixFromHash();
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { refresh(); flush(); }
    });
    var now = byId("outbox-send");
    if (now) now.addEventListener("click", function () { backoff = 0; flush(); });
    flush();
  }

  function begin() {
    start().catch(function () { /* no IndexedDB here (a private window): forms fail as before */ });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", begin);
  else begin();
})(self);
