// Liaison's service worker. The server fills in the build (so every deployment is a new worker
// with new caches), the bundle's files and the forms that may wait in the outbox.
//
// - The bundle (wasm, JS, CSS, icons) is cached per build and served from the cache.
// - Pages are fetched from the network; the cadre pages last opened are kept (per build, dropped
//   at sign-out) and shown when there is no signal, marked 离线.
// - A form posted with no signal before the page's wasm arrived is kept in the outbox (the same
//   store as the page's, outbox.js) and answered with the outbox page.
"use strict";
var BUILD = "__BUILD__";
var PRECACHE = __PRECACHE__;
var QUEUED = __QUEUED__;
var LOGOUT = "__LOGOUT__";
var STATIC = "liaison-static-" + BUILD;
var PAGES = "liaison-pages-" + BUILD;
var KEEP_PAGES = 40;
// The cadre's own pages worth having offline: today, the roster, a youth, the forms.
var OFFLINE_PAGES = /^\/(youth(\/\d+)?|contacts\/new|visits|suggestions|study|exemptions|requests|outbox)?$/;

importScripts("__OUTBOX__");

self.addEventListener("install", function (event) {
  // Each file on its own: one that fails now (a blip) is kept when a page next asks for it.
  event.waitUntil(caches.open(STATIC).then(function (c) {
    return Promise.all(PRECACHE.map(function (p) { return c.add(p).catch(function () {}); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  // An earlier build's bundle and pages go: an old page never hydrates with a new bundle.
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf("liaison-") === 0 && n !== STATIC && n !== PAGES;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  var url = new URL(req.url);
  if (url.origin !== location.origin) return;
  if (req.method === "POST") {
    if (url.pathname === LOGOUT) {
      event.respondWith(liaisonDropPages().then(function () { return fetch(req); }));
    } else if (req.mode === "navigate" && QUEUED.indexOf(url.pathname) >= 0) {
      event.respondWith(postOrKeep(req, url));
    }
    return;
  }
  if (req.method !== "GET") return;
  // A file named by its content never changes; an unnamed one (a development build) is asked
  // for each time, the cache only standing in without signal.
  var named = /\.[^./]+\.[^./]+$/.test(url.pathname) || url.search.indexOf("v=") === 1;
  if (!named && url.pathname.indexOf("/pkg/") === 0) {
    event.respondWith(fetch(req).then(function (res) {
      if (res.ok) { var copy = res.clone(); caches.open(STATIC).then(function (c) { c.put(req, copy); }); }
      return res;
    }).catch(function () { return caches.match(req); }));
    return;
  }
  if (url.pathname.indexOf("/pkg/") === 0 || PRECACHE.indexOf(url.pathname + url.search) >= 0) {
    event.respondWith(caches.open(STATIC).then(function (c) {
      return c.match(req).then(function (hit) {
        return hit || fetch(req).then(function (res) {
          if (res.ok && url.pathname.indexOf("/pkg/") === 0) c.put(req, res.clone());
          return res;
        });
      });
    }));
    return;
  }
  if (req.mode === "navigate") event.respondWith(page(req, url));
});

// The address a page is kept under: without the one-off "saved" and flash parameters.
function pageKey(url) {
  var u = new URL(url.href);
  ["saved", "flash", "kept"].forEach(function (p) { u.searchParams.delete(p); });
  u.hash = "";
  return u.href;
}

async function page(req, url) {
  var keep = OFFLINE_PAGES.test(url.pathname);
  try {
    var res = await fetch(req);
    if (keep && res.ok && !res.redirected && (res.headers.get("content-type") || "").indexOf("text/html") === 0) {
      var c = await caches.open(PAGES);
      await c.put(pageKey(url), res.clone());
      var keys = await c.keys();
      for (var i = 0; i < keys.length - KEEP_PAGES; i++) await c.delete(keys[i]);
    }
    return res;
  } catch (e) {
    var hit = keep && (await caches.open(PAGES).then(function (c) { return c.match(pageKey(url)); }));
    if (!hit) return offlinePage(url.pathname === "/outbox" && url.searchParams.get("kept") === "1");
    // Marked, so the page says 离线 (its own CSP and nonce come with it, unchanged).
    var html = (await hit.text()).replace("<html", "<html data-offline");
    return new Response(html, { status: 200, headers: hit.headers });
  }
}

async function postOrKeep(req, url) {
  var copy = req.clone();
  try {
    return await fetch(req);
  } catch (e) {
    var body = await copy.text();
    var id = new URLSearchParams(body).get("request_id");
    var account = await liaisonOutboxStore.account();
    if (!id || !account) return offlinePage(false);
    var referrer = copy.referrer ? new URL(copy.referrer) : null;
    await liaisonOutboxStore.put({
      id: id, account: account, action: url.pathname, body: body,
      page: referrer && referrer.origin === location.origin ? referrer.pathname + referrer.search : "/",
      summary: "", typed_at: Date.now(), state: "pending", errors: [], message: "",
    });
    return Response.redirect("/outbox?kept=1", 303);
  }
}

// What a phone without signal sees where no kept page will do (in both languages: the worker
// does not know the viewer's).
function offlinePage(kept) {
  var css = PRECACHE.filter(function (p) { return /\.css$/.test(p); })[0];
  var body = kept
    ? '<h1>已保存在手机上</h1><p role="status" data-testid="outbox-kept">已保存在手机上，联网后自动发送。</p>' +
      '<p lang="en">Saved on this phone: it is sent when the signal returns.</p>'
    : '<h1>离线</h1><p>没有网络，这个页面还没有保存在手机上。联网后再打开。</p>' +
      '<p lang="en">Offline: this page is not saved on this phone yet.</p>';
  var html = '<!DOCTYPE html><html lang="zh-CN" data-offline><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>离线 · 联系青年</title>' +
    (css ? '<link rel="stylesheet" href="' + css + '">' : "") +
    '<main class="page narrow">' + body + '<p><a class="button" href="/">返回今天</a></p></main></html>';
  return new Response(html, { status: kept ? 200 : 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}
