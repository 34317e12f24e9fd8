/* Amur comment widget, served by amur at /embed.js.
 *
 * Embed:   <div id="amur-thread" data-amur-page="KEY"></div>
 *          <script src="https://COMMENTS-HOST/embed.js" async></script>
 * Options: data-amur-title, data-amur-url (the page's title and address, kept
 *          with its thread), data-amur-limit (top-level comments per page,
 *          1-200), data-amur-sort (oldest | newest | votes), data-amur-theme
 *          (auto | light | dark), data-amur-article (a CSS selector for the
 *          article readers comment on inline; default: the enclosing
 *          <article>, else the page's first one).
 * Language: set window.AmurMessages = {key: text or function, ...} before this
 *          script runs; the keys are those of AMUR_MESSAGES below and of
 *          MORE_MESSAGES in embed-more.js (the part loaded on first use).
 *
 * It also enhances amur's own server-rendered thread (the section with
 * data-amur-page on /demo and /t), replacing it in place with the live thread.
 * Safety: the only HTML it inserts is the server's sanitised body_html; every
 * other string goes in as text. It sets no cookies and talks to no one but the
 * amur server it was loaded from. */
(function () {
  'use strict';
  var W = window, D = document;
  var me = D.currentScript || D.querySelector('script[src$="/embed.js"],script[src*="/embed.js?"]');
  if (!me || !W.fetch || !W.Promise) return;
  var API = new URL(me.src, location.href).origin;
  var CSS_HREF = API + '/embed.css?v=__AMUR_CSS_VERSION__';
  var MORE_SRC = API + '/embed-more.js?v=__AMUR_MORE_VERSION__';
  var editSeconds = parseInt('__AMUR_EDIT_WINDOW__', 10);
  var EDIT_MS = (editSeconds >= 0 ? editSeconds : 900) * 1000;
  var NOTIFY = parseInt('__AMUR_NOTIFY__', 10) === 1;  // the server sends email (a call: the minifier leaves it)
  var PENDING_MS = 7 * 864e5;
  var SORTS = ['oldest', 'newest', 'votes'];

  function plural(one, many) {
    return function (n) { return n === 1 ? one.replace('#', n) : many.replace('#', n); };
  }

  // Every word the widget shows at page load (the rest: MORE_MESSAGES in
  // embed-more.js). Replace any of them with window.AmurMessages.
  var AMUR_MESSAGES = {
    locale: 'en',
    comments: plural('# Comment', '# Comments'),
    sortBy: 'Sort comments',
    oldest: 'Oldest',
    newest: 'Newest',
    votes: 'Most Voted',
    sorted: 'Comments sorted: {sort}.',
    join: 'Join the discussion',
    replyingTo: 'Replying to {name}',
    comment: 'Comment',
    commentPlaceholder: 'Share your view',
    replyPlaceholder: 'Write your reply',
    name: 'Name',
    namePlaceholder: 'guest',
    email: 'Email (optional, never shown)',
    post: 'Post Comment',
    posting: 'Posting\u2026',
    preview: 'Preview',
    markdown: 'Markdown supported',
    cancel: 'Cancel',
    reply: 'Reply',
    replyTo: ' to {name}',
    upvote: 'Upvote',
    downvote: 'Downvote',
    upvotes: plural('upvote', 'upvotes'),
    downvotes: plural('downvote', 'downvotes'),
    edit: 'Edit',
    del: 'Delete',
    removed: 'Your comment was deleted.',
    report: 'Report',
    reported: 'Reported. Thank you; a moderator will look at it.',
    deleted: 'This comment was deleted.',
    guest: 'Guest',
    role_moderator: 'Moderator',
    role_admin: 'Admin',
    edited: 'Last edited {time} by {name}',
    editedAnon: 'Last edited {time}',
    awaiting: 'Your comment is awaiting moderation.',
    posted: 'Your comment was posted.',
    subscribe: 'Subscribe',
    notifyMe: 'Notify me of replies by email',
    more: 'More comments',
    loadMore: 'Load more comments',
    fresh: plural('# new comment', '# new comments'),
    viewAll: 'View all comments',
    loading: 'Loading comments\u2026',
    loaded: plural('# more comment shown.', '# more comments shown.'),
    empty: 'No comments yet. Start the conversation.',
    closed: 'Comments are closed.',
    loadFailed: 'The comments could not be loaded.',
    retry: 'Try again',
    network: 'The comment server could not be reached. Please try again.',
    commentPassage: 'Comment on this passage',
    inlineTab: 'Inline Feedbacks',
    onPassage: 'On this passage:',
    changed: 'On a passage that has since changed:',
    passageComments: plural('# comment on this passage', '# comments on this passage'),
    dropQuote: 'Remove the quote',
    verified: 'hash: verified',
    failed: 'hash: failed',
    verifiedTitle: 'Every version of every comment on this page is recorded in a hash chain, and the chain checks out.',
    failedTitle: 'The hash chain of this page does not check out: a stored comment differs from what was recorded.',
    justNow: 'just now',
    yesterday: 'yesterday',
    // unit: minute, hour, day, week, month or year
    ago: function (n, unit) { return n + ' ' + unit + (n === 1 ? '' : 's') + ' ago'; }
  };
  var M = Object.assign({}, AMUR_MESSAGES), k;
  var custom = W.AmurMessages;
  if (custom && typeof custom === 'object') for (k in custom) if (custom[k] != null) M[k] = custom[k];

  // A message as text: functions get the arguments, strings get {name} filled.
  function t(key, a, b) {
    var m = M[key];
    if (typeof m === 'function') return String(m(a, b));
    return String(m == null ? key : m).replace(/\{(\w+)\}/g, function (_, v) {
      return a && a[v] != null ? a[v] : '';
    });
  }

  // A message as nodes: {name} placeholders may be filled with elements.
  function tn(key, vars) {
    var f = D.createDocumentFragment();
    String(M[key]).split(/\{(\w+)\}/).forEach(function (part, i) {
      if (i % 2) part = vars[part];
      if (part != null && part !== '') f.appendChild(part.nodeType ? part : D.createTextNode(part));
    });
    return f;
  }

  // An element: props are attributes, except text (textContent), cls
  // (className) and on* (listeners). Never HTML.
  function h(tag, props, kids) {
    var e = D.createElement(tag);
    for (var p in props) {
      var v = props[p];
      if (v == null || v === false) continue;
      if (p === 'text') e.textContent = v;
      else if (p === 'cls') e.className = v;
      else if (p.slice(0, 2) === 'on') e.addEventListener(p.slice(2), v);
      else e.setAttribute(p, v === true ? '' : v);
    }
    add(e, kids);
    return e;
  }

  function add(e, kids) {
    [kids].flat(9).forEach(function (c) {
      if (c || c === 0) e.appendChild(typeof c === 'object' ? c : D.createTextNode(c));
    });
    return e;
  }

  // The server's sanitised comment HTML: the one place HTML is inserted.
  function setBody(el, html) {
    el.innerHTML = typeof html === 'string' ? html : '';
  }

  // ---- what this browser remembers (localStorage of the host site) ----

  var STORE_KEY = 'amur:' + API;
  function readStore() {
    var s;
    try { s = JSON.parse(localStorage.getItem(STORE_KEY)); } catch (e) { /* private mode */ }
    s = s && typeof s === 'object' ? s : {};
    s.tokens = s.tokens || {};
    s.votes = s.votes || {};
    s.reported = s.reported || {};
    s.pending = Array.isArray(s.pending) ? s.pending : [];
    return s;
  }
  var store = readStore();
  function change(fn) {
    store = readStore();
    fn(store);
    try { localStorage.setItem(STORE_KEY, JSON.stringify(store)); } catch (e) { /* full or off */ }
  }
  change(function (s) {
    var now = Date.now();
    for (var id in s.tokens) if (!(s.tokens[id].e > now)) delete s.tokens[id];
    s.pending = s.pending.filter(function (p) { return p && p.c && p.e > now; });
    var ids = Object.keys(s.votes);
    ids.slice(0, Math.max(0, ids.length - 2000)).forEach(function (id) { delete s.votes[id]; });
    ids = Object.keys(s.reported);
    ids.slice(0, Math.max(0, ids.length - 500)).forEach(function (id) { delete s.reported[id]; });
  });
  function token(id) {
    var x = store.tokens[id];
    return x && x.e > Date.now() ? x.t : null;
  }

  // ---- the API ----

  // A call to /api/v1/`path`: resolves to {status, data}; rejects with an
  // Error carrying the API's message, code and field.
  function api(method, path, body, auth) {
    var headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth) headers.Authorization = 'Bearer ' + auth;
    if (/\/(votes|reports)$/.test(path) && store.voter) headers['X-Amur-Voter'] = store.voter;
    // For a minute after this browser's last write, reads ask for a copy
    // that has it (docs/scaling.md, read-your-writes), on whichever node.
    if (method === 'GET' && store.seen && store.seen.e > Date.now()) headers['X-Amur-Seen'] = store.seen.s;
    return fetch(API + '/api/v1/' + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit'
    }).then(function (r) {
      var seen = +r.headers.get('X-Amur-Seen');
      if (seen > 0) change(function (s) { s.seen = { s: seen, e: Date.now() + 6e4 }; });
      // (A 204 has no body: its json() fails too.)
      return r.json().catch(function () { return null; })
        .then(function (data) {
          if (r.ok) return { status: r.status, data: data };
          var e = (data && data.error) || {};
          var err = new Error(e.message || t('network'));
          err.code = e.code;
          err.field = e.field;
          throw err;
        });
    }, function () { throw new Error(t('network')); });
  }

  // The same for one comment: /api/v1/comments/{id}`sub`.
  function capi(method, it, sub, body, auth) {
    return api(method, 'comments/' + encodeURIComponent(it.c.id) + sub, body, auth);
  }

  // ---- times ----

  function ago(iso) {
    var s = (Date.now() - Date.parse(iso)) / 1000, m = Math.floor(s / 60), hr = Math.floor(m / 60);
    var d = Math.floor(hr / 24);
    if (!(s >= 45)) return t('justNow');
    if (m < 60) return t('ago', Math.max(1, m), 'minute');
    if (hr < 24) return t('ago', hr, 'hour');
    if (d === 1) return t('yesterday');
    if (d < 7) return t('ago', d, 'day');
    if (d < 30) return t('ago', Math.floor(d / 7), 'week');
    if (d < 365) return t('ago', Math.floor(d / 30), 'month');
    return t('ago', Math.floor(d / 365), 'year');
  }

  function exact(iso) {
    try {
      return new Date(iso).toLocaleString(M.locale, { dateStyle: 'long', timeStyle: 'short' });
    } catch (e) {
      return iso;
    }
  }

  function timeEl(iso) {
    return h('time', { datetime: iso, title: exact(iso), text: ago(iso) });
  }

  // ---- small pieces ----

  function displayName(c) {
    return (c.author && c.author.name) || t('guest');
  }

  // A stable colour slot per name (FNV-1a over UTF-8, as the server pages do).
  function slot(name) {
    var b = new TextEncoder().encode(name), x = 2166136261;
    for (var i = 0; i < b.length; i++) x = Math.imul(x ^ b[i], 16777619) >>> 0;
    return x % 8;
  }

  function initial(name) {
    var ch = Array.from(name)[0] || '?';
    return /\s/.test(ch) ? '?' : /[a-z]/.test(ch) ? ch.toUpperCase() : ch;
  }

  // ---- the part used on demand (embed-more.js) ----
  // Previewing, Subscribe's form, editing, deleting, reporting and commenting
  // on a passage come from a second file the first time a reader uses one of
  // them.

  var X = { h: h, add: add, t: t, api: api, capi: capi, change: change, token: token, textModel: textModel,
    seq: function () { return ++seq; },
    msgs: function (o) { for (var k in o) if (M[k] == null) M[k] = o[k]; } };
  var morePart;
  // Calls use(its functions) once embed-more.js is loaded, or fail(message)
  // when it cannot be (then the next call tries again).
  function later(use, fail) {
    morePart = morePart || new Promise(function (ok, no) {
      (D.head || D.documentElement).appendChild(h('script', { src: MORE_SRC, onload: function () { ok(W.Amur.more(X)); }, onerror: no }));
    });
    morePart.then(use, function () {
      morePart = null;
      if (fail) fail(t('network'));
    });
  }

  // ---- CSS, once per document ----

  var cssReady;
  function loadCss() {
    if (!cssReady) {
      cssReady = new Promise(function (done) {
        if (D.querySelector('link[data-amur-css]')) return done();
        var l = h('link', { rel: 'stylesheet', href: CSS_HREF, 'data-amur-css': true, onload: done, onerror: done });
        setTimeout(done, 3000);
        (D.head || D.documentElement).appendChild(l);
      });
    }
    return cssReady;
  }

  // ---- anchoring (begin): finding a quoted passage again in changed text ----
  // Pure functions of strings (tests/widget/anchoring.test.mjs runs them in
  // Node). `text` is the article's text with every run of white space made one
  // space; positions are offsets (UTF-16 code units) into it.

  // Ends of the substrings of `text` within `k` edits (insertions, deletions,
  // substitutions) of `pat`: [{end, errors}], by Myers' bit-parallel algorithm
  // in Hyyrö's blocked form (32 pattern characters per block), as npm's
  // approx-string-match computes them. O(|text| * ceil(|pat| / 32)).
  var rows;  // char code -> row of the pattern's table; all zero between calls
  function matchEnds(text, pat, k) {
    var m = pat.length, B = Math.ceil(m / 32), P = new Int32Array(B), Mv = new Int32Array(B);
    var sh = new Int32Array(B), peq = new Int32Array((m + 1) * B), out = [], n = 1, b, j, r, c;
    var row = rows || (rows = new Uint16Array(65536));
    for (b = 0; b < B; b++) {
      P[b] = -1;
      sh[b] = b === B - 1 ? (m - 1) % 32 : 31;
    }
    for (j = 0; j < m; j++) {
      c = pat.charCodeAt(j);
      if (!row[c]) row[c] = n++;
      peq[row[c] * B + (j >> 5)] |= 1 << (j & 31);
    }
    var score = m, len = text.length, pv, mv, eq, xv, xh, ph, mh, hin, neg, q = sh[0];
    if (B === 1) {
      // One block: the same steps with the state in locals.
      pv = -1; mv = 0;
      for (j = 0; j < len; j++) {
        eq = peq[row[text.charCodeAt(j)]]; xv = eq | mv;
        xh = ((((eq & pv) + pv) | 0) ^ pv) | eq;
        ph = mv | ~(xh | pv); mh = pv & xh;
        score += ((ph >>> q) & 1) - ((mh >>> q) & 1);
        ph <<= 1; mh <<= 1;
        pv = mh | ~(xv | ph); mv = ph & xv;
        if (score <= k) out.push({ end: j + 1, errors: score });
      }
    } else {
      for (j = 0; j < len; j++) {
        var base = row[text.charCodeAt(j)] * B;
        hin = 0;
        for (b = 0; b < B; b++) {
          pv = P[b]; mv = Mv[b]; neg = hin >>> 31;
          eq = peq[base + b] | neg; xv = eq | mv;
          xh = ((((eq & pv) + pv) | 0) ^ pv) | eq;
          ph = mv | ~(xh | pv); mh = pv & xh; q = sh[b];
          r = ((ph >>> q) & 1) - ((mh >>> q) & 1);
          ph = (ph << 1) | (-hin >>> 31);
          mh = (mh << 1) | neg;
          P[b] = mh | ~(xv | ph);
          Mv[b] = ph & xv;
          hin = r;
        }
        score += hin;
        if (score <= k) out.push({ end: j + 1, errors: score });
      }
    }
    for (j = 0; j < m; j++) row[pat.charCodeAt(j)] = 0;
    return out;
  }

  function rev(s) { return s.split('').reverse().join(''); }

  // How much of `ctx` sits beside a match: the share of its characters equal
  // to those at the same distance from the match (0 to 1; 1 when no context).
  function sideScore(ctx, text, at, before) {
    if (!ctx) return 1;
    var same = 0, n = ctx.length;
    for (var i = 0; i < n; i++) {
      var a = before ? ctx.charCodeAt(n - 1 - i) : ctx.charCodeAt(i);
      var t = before ? text.charCodeAt(at - 1 - i) : text.charCodeAt(at + i);
      if (a === t) same++;
    }
    return same / n;
  }

  // Where `quote` ({exact, prefix, suffix}) lies in `text` now, given where it
  // lay (`pos`, {start, end}, may be absent): {start, end, errors} or null.
  // In order: the exact text at its old position; the exact text elsewhere,
  // the occurrence with the best context (then the nearest) winning; a fuzzy
  // match with at most a quarter of the quote's length in edits, or at most a
  // tenth when neither prefix nor suffix half-agrees (the error budget).
  // Quotes under 8 characters are never matched fuzzily.
  function anchor(text, quote, pos) {
    var ex = quote.exact, n = ex.length, best = null, bestScore = -1, i, s;
    if (!n) return null;
    if (pos && text.substr(pos.start, n) === ex) return { start: pos.start, end: pos.start + n, errors: 0 };
    function consider(start, end, errors) {
      var a = sideScore(quote.prefix, text, start, true), z = sideScore(quote.suffix, text, end, false), ctx = a + z;
      var near = pos ? 1 - Math.min(1, Math.abs(start - pos.start) / (text.length || 1)) : 0;
      s = ctx * 2 + near - errors / n * 8;
      if (s > bestScore) { bestScore = s; best = { start: start, end: end, errors: errors, side: Math.max(a, z) }; }
    }
    for (i = text.indexOf(ex); i >= 0; i = text.indexOf(ex, i + 1)) consider(i, i + n, 0);
    if (best || n < 8) return best && { start: best.start, end: best.end, errors: 0 };
    var k = Math.floor(n / 4), groups = [], from0 = 0, ends;
    // Near the old position first (a passage edited in place), then everywhere.
    if (pos) {
      from0 = Math.max(0, pos.start - 2 * n - 500);
      ends = matchEnds(text.slice(from0, pos.end + 2 * n + 500), ex, k);
      ends.forEach(function (e) { e.end += from0; });
    }
    if (!ends || !ends.length) ends = matchEnds(text, ex, k);
    // One candidate per run of nearby ends: the end with the fewest errors.
    ends.forEach(function (e) {
      var g = groups[groups.length - 1];
      if (g && e.end - g.last <= n / 2) {
        g.last = e.end;
        if (e.errors < g.errors) { g.errors = e.errors; g.end = e.end; }
      } else groups.push({ end: e.end, last: e.end, errors: e.errors });
    });
    var rex = rev(ex);
    groups.forEach(function (g) {
      var from = Math.max(0, g.end - n - g.errors), back = matchEnds(rev(text.slice(from, g.end)), rex, g.errors);
      if (!back.length) return;
      var min = Infinity, len = 0;
      back.forEach(function (e) { if (e.errors < min || (e.errors === min && Math.abs(e.end - n) < Math.abs(len - n))) { min = e.errors; len = e.end; } });
      consider(g.end - len, g.end, min);
    });
    if (!best) return null;
    if (best.errors > Math.floor(n / 10) && best.side < 0.5) return null;
    return { start: best.start, end: best.end, errors: best.errors };
  }
  // ---- anchoring (end) ----

  // The article a thread comments on: data-amur-article (a selector), else the
  // <article> around the thread, else the page's first one.
  function articleOf(host) {
    var sel = host.getAttribute('data-amur-article'), el = null;
    if (sel) try { el = D.querySelector(sel); } catch (e) { el = null; }
    return el || host.closest('article') || D.querySelector('article:not(.amur-comment)');
  }

  // The article's text as anchoring sees it (white space runs made one
  // space), with the text node and offset of every character.
  function textModel(el) {
    var w = D.createTreeWalker(el, 4, { acceptNode: function (n) {
      return n.parentNode.closest('script,style,noscript,.amur-w,.amur-hl-n,[data-amur-ready]') ? 2 : 1;
    } });
    var m = { nodes: [], first: [], mn: [], mo: [], text: '' }, out = [], sp = true, n;
    while ((n = w.nextNode())) {
      var k = m.nodes.push(n) - 1, v = n.data;
      m.first[k] = out.length;
      for (var i = 0; i < v.length; i++) {
        var ch = v[i], ws = /\s/.test(ch);
        if (ws && sp) continue;
        out.push(ws ? ' ' : ch);
        m.mn.push(k);
        m.mo.push(i);
        sp = ws;
      }
    }
    m.text = out.join('');
    return m;
  }

  var seq = 0;

  // ---- one thread ----

  function mount(host, enhance) {
    host.setAttribute('data-amur-ready', '');
    var n = ++seq;
    var attr = function (a) { return host.getAttribute('data-amur-' + a); };
    var key = attr('page') || location.pathname;
    var limit = Math.min(200, Math.max(1, parseInt(attr('limit'), 10) || 50));
    var sort = attr('sort') || (enhance && new URLSearchParams(location.search).get('sort'));
    if (SORTS.indexOf(sort) < 0) sort = 'oldest';
    var canonical = D.querySelector('link[rel="canonical"]');
    var pageUrl = enhance ? null : attr('url') || (canonical && canonical.href) || location.href.split('#')[0];
    var pageTitle = enhance ? null : attr('title') || D.title;
    var theme = attr('theme');
    var items = {}, cursor = null, count = 0, closed = false, reply = null, busy = false;
    var art = articleOf(host), model = null, inl = [], groups = [], mode = 'all', sel = null, composer = null;

    var countEl = h('h2', { cls: 'amur-count', id: 'amur-count-' + n, tabindex: '-1' });
    var integrity = h('p', { cls: 'amur-integrity', hidden: true });
    var alertEl = h('p', { cls: 'amur-error', role: 'alert' });
    var live = h('div', { cls: 'amur-sr', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    var sortBar = h('div', { cls: 'amur-sort', role: 'group', 'aria-label': t('sortBy') }, SORTS.map(function (s, i) {
      return [i ? h('span', { cls: 'amur-sep', 'aria-hidden': 'true', text: '\u00b7' }) : null,
        h('button', { type: 'button', 'data-act': 'sort', 'data-sort': s, 'aria-pressed': String(s === sort), text: t(s) })];
    }).concat([
      // Shown once the page's inline feedback is loaded and there is some.
      h('span', { cls: 'amur-sep', 'aria-hidden': 'true', text: '|', hidden: true }),
      h('button', { type: 'button', 'data-act': 'inline', 'aria-pressed': 'false', text: t('inlineTab'), hidden: true })]));
    var back = h('button', { type: 'button', cls: 'amur-link amur-back', 'data-act': 'back', hidden: true, text: t('viewAll') });
    var passBtn = h('button', { type: 'button', cls: 'amur-w amur-pass', hidden: true, text: t('commentPassage') });
    var list = h('ol', { cls: 'amur-comments' });
    var notice = h('button', { type: 'button', cls: 'amur-button amur-button-secondary amur-fresh', 'data-act': 'fresh', hidden: true });
    var empty = h('p', { cls: 'amur-empty', text: t('empty') });
    var pager = h('nav', { cls: 'amur-pager', 'aria-label': t('more') }, [
      h('button', { type: 'button', cls: 'amur-button amur-button-secondary', 'data-act': 'more', text: t('loadMore') }),
      h('button', { type: 'button', cls: 'amur-link amur-all', 'data-act': 'all', text: t('viewAll') })
    ]);
    var compose = h('div', { cls: 'amur-composer' });
    var root = h('section', {
      cls: 'amur-w amur-thread' + (theme === 'light' || theme === 'dark' ? ' amur-' + theme : ''),
      'aria-labelledby': countEl.id, 'data-amur-page': key, 'data-amur-ready': true
    }, [h('header', { cls: 'amur-thread-head' }, [countEl, integrity]), NOTIFY ? subscribeBox() : null, compose, alertEl, sortBar, back, notice, list, empty, pager, live]);

    // The bell: "Notify of" new follow-up comments or new replies to my
    // comments (its form: embed-more.js).
    function subscribeBox() {
      var bell = h('button', { type: 'button', cls: 'amur-link amur-bell', 'aria-expanded': 'false', text: t('subscribe'),
        onclick: function () { later(function (L) { L.subscribe(bell, key, 'amur-s' + n); }, function (m) { alertEl.textContent = m; }); } });
      return h('div', { cls: 'amur-subscribe' }, bell);
    }

    function announce(msg) {
      live.textContent = '';
      setTimeout(function () { live.textContent = msg; }, 60);
    }

    function refresh() {
      countEl.textContent = t('comments', count);
      var any = list.children.length > 0;
      sortBar.hidden = !any && !inl.length;
      empty.hidden = any || closed;
      pager.hidden = !cursor || mode !== 'all';
    }

    function commentsUrl(c, lim) {
      return 'comments?page=' + encodeURIComponent(key) + '&sort=' + sort + '&limit=' + (lim || limit) +
        (c ? '&cursor=' + encodeURIComponent(c) : '');
    }

    // ---- rendering ----

    function editedEl(c) {
      if (!c.edited_at) return null;
      return h('p', { cls: 'amur-edited' }, tn(c.edited_by ? 'edited' : 'editedAnon', { time: timeEl(c.edited_at), name: c.edited_by }));
    }

    // The body and "Last edited" line of it.c on screen.
    function showEdit(it) {
      var art = it.li.firstChild, body = art.querySelector('.amur-body'), old = art.querySelector('.amur-main > .amur-edited');
      if (!body) return;
      setBody(body, it.c.body_html);
      if (old) old.remove();
      var ed = editedEl(it.c);
      if (ed) body.after(ed);
    }

    function voteCount(c, up) {
      var k = up ? 'upvotes' : 'downvotes', v = c[k] || 0;
      return h('span', { cls: 'amur-n amur-n-' + (up ? 'up' : 'down') }, [h('span', { text: v }), h('span', { cls: 'amur-sr', text: ' ' + t(k, v) })]);
    }

    function voteButton(c, up) {
      return h('button', {
        type: 'button', cls: 'amur-vote amur-vote-' + (up ? 'up' : 'down'), 'data-act': up ? 'up' : 'down',
        'aria-label': t(up ? 'upvote' : 'downvote'), 'aria-pressed': String(store.votes[c.id] === (up ? 1 : -1))
      }, h('span', { 'aria-hidden': 'true', text: up ? '\u25b2' : '\u25bc' }));
    }

    function article(c, pending) {
      if (c.state === 'deleted') {
        return h('article', { cls: 'amur-comment amur-comment-deleted', tabindex: '-1' }, h('p', { cls: 'amur-tombstone', text: t('deleted') }));
      }
      var name = displayName(c), aid = 'amur-a' + n + '-' + c.id, own = !pending && token(c.id);
      var role = c.author && M['role_' + c.author.role];
      var body = h('div', { cls: 'amur-body' });
      setBody(body, c.body_html);
      return h('article', { cls: 'amur-comment', 'aria-labelledby': aid, tabindex: '-1' }, [
        h('header', { cls: 'amur-comment-head' }, [
          h('span', { cls: 'amur-avatar amur-av-' + slot(name), 'aria-hidden': 'true', text: initial(name) }),
          h('span', { cls: 'amur-author', id: aid, text: name }),
          role ? h('span', { cls: 'amur-role', text: role }) : null,
          h('a', { cls: 'amur-permalink', href: '#amur-' + c.id }, timeEl(c.created_at))
        ]),
        h('div', { cls: 'amur-main' }, [
        c.quote && c.quote.exact ? h('blockquote', { cls: 'amur-quote' }, h('p', { text: c.quote.exact })) : null,
        body,
        editedEl(c),
        pending ? h('p', { cls: 'amur-notice', text: t('awaiting') }) : h('footer', { cls: 'amur-comment-foot' }, [
          h('span', { cls: 'amur-votes' }, [voteButton(c, true), voteCount(c, true), voteButton(c, false), voteCount(c, false)]),
          closed ? null : h('button', { type: 'button', cls: 'amur-link amur-reply', 'data-act': 'reply', 'aria-expanded': 'false' },
            [t('reply'), h('span', { cls: 'amur-sr', text: t('replyTo', { name: name }) })]),
          own ? [h('button', { type: 'button', cls: 'amur-link', 'data-act': 'edit', text: t('edit') }),
            h('button', { type: 'button', cls: 'amur-link amur-danger', 'data-act': 'del', text: t('del') })]
            : store.reported[c.id] ? h('span', { cls: 'amur-reported', text: t('reported') })
            : h('button', { type: 'button', cls: 'amur-link amur-report', 'data-act': 'report', 'aria-expanded': 'false', text: t('report') })
        ])])
      ]);
    }

    function item(c, pending) {
      var old = items[c.id];
      if (old && old.li.parentNode) old.li.remove();
      var li = h('li', { cls: 'amur-item' + (pending ? ' amur-pending' : ''), id: 'amur-' + c.id, 'data-id': c.id }, article(c, pending));
      items[c.id] = { c: c, li: li };
      if (c.replies && c.replies.length) li.appendChild(h('ol', { cls: 'amur-replies' }, c.replies.map(function (r) { return item(r); })));
      return li;
    }

    function repliesOf(li, create) {
      var ol = li.lastElementChild;
      if (ol && ol.tagName === 'OL') return ol;
      return create ? li.appendChild(h('ol', { cls: 'amur-replies' })) : null;
    }

    // A comment of this reader's, new or held: placed where they will see it.
    function place(c, pending) {
      c.replies = [];
      var li = item(c, pending), parent = c.parent_id && items[c.parent_id];
      if (parent) repliesOf(parent.li, true).appendChild(li);
      else if (sort === 'newest') list.insertBefore(li, list.firstChild);
      else list.appendChild(li);
      refresh();
      return li;
    }

    function showPending() {
      var approved = [];
      store.pending.forEach(function (p) {
        if (p.c.page !== key) return;
        if (items[p.c.id] && !items[p.c.id].li.classList.contains('amur-pending')) approved.push(p.c.id);
        else place(p.c, true);
      });
      if (approved.length) change(function (s) {
        s.pending = s.pending.filter(function (p) { return approved.indexOf(p.c.id) < 0; });
      });
    }

    function fill(data, append) {
      if (!append) {
        list.textContent = '';
        items = {};
        reply = null;
        setMode('all');
      }
      var f = D.createDocumentFragment(), first = null;
      data.comments.forEach(function (c) {
        var li = item(c);
        first = first || li;
        f.appendChild(li);
      });
      list.appendChild(f);
      cursor = data.next_cursor;
      count = data.page.comment_count;
      if (!append) showPending();
      refresh();
      return first;
    }

    // ---- the form (new comment, or a reply under `parent`) ----

    function form(parent) {
      var i = ++seq, nameIn, emailIn, ta, err, submit, view, pv;
      ta = h('textarea', {
        id: 'amur-b' + i, name: 'body', rows: parent ? 3 : 4, required: true, maxlength: 10000,
        placeholder: t(parent ? 'replyPlaceholder' : 'commentPlaceholder')
      });
      view = h('div', { cls: 'amur-preview amur-body', id: 'amur-p' + i, hidden: true, role: 'region', 'aria-label': t('preview') });
      nameIn = h('input', { id: 'amur-n' + i, name: 'author_name', type: 'text', maxlength: 64, autocomplete: 'nickname', placeholder: t('namePlaceholder') });
      nameIn.value = store.name || '';
      emailIn = h('input', { id: 'amur-m' + i, name: 'author_email', type: 'email', maxlength: 254, autocomplete: 'email' });
      var notifyIn = NOTIFY ? h('input', { type: 'checkbox', id: 'amur-r' + i }) : null;
      err = h('p', { cls: 'amur-error', role: 'alert', id: 'amur-x' + i });
      submit = h('button', { type: 'submit', cls: 'amur-button', text: t('post') });
      pv = h('button', { type: 'button', cls: 'amur-link', 'aria-pressed': 'false', 'aria-controls': view.id, text: t('preview') });
      var fields = { body: ta, author_name: nameIn, author_email: emailIn }, quoted = null;
      var qtext = h('p'), qbox = h('div', { cls: 'amur-quoting', hidden: true }, [
        h('p', { cls: 'amur-hint', text: t('onPassage') }),
        h('blockquote', { cls: 'amur-quote' }, qtext),
        h('button', { type: 'button', cls: 'amur-link', onclick: function () { setQuote(null); ta.focus(); }, text: t('dropQuote') })]);
      function setQuote(q) {
        quoted = q;
        qbox.hidden = !q;
        qtext.textContent = q ? q.quote.exact : '';
      }
      var wrap = h('div', { cls: 'amur-compose' + (parent ? ' amur-compose-reply' : '') },
        parent ? null : h('h3', { cls: 'amur-compose-title', text: t('join') }));
      var el = h('form', { cls: 'amur-form', novalidate: true }, [
        parent ? h('p', { cls: 'amur-replying' }, [tn('replyingTo', { name: h('strong', { text: displayName(parent) }) }), ' ',
          h('button', { type: 'button', cls: 'amur-link amur-cancel', onclick: function () { closeReply(true); }, text: t('cancel') })]) : null,
        parent ? null : qbox,
        h('div', { cls: 'amur-field amur-field-body' }, [h('label', { for: ta.id, text: t('comment') }), ta, view]),
        h('div', { cls: 'amur-field-row' }, [
          h('div', { cls: 'amur-field' }, [h('label', { for: nameIn.id, text: t('name') }), nameIn]),
          h('div', { cls: 'amur-field' }, [h('label', { for: emailIn.id, text: t('email') }), emailIn])
        ]),
        notifyIn ? h('div', { cls: 'amur-field amur-field-check' }, h('label', null, [notifyIn, ' ', t('notifyMe')])) : null,
        err,
        h('div', { cls: 'amur-form-foot' }, [h('span', { cls: 'amur-hint' }, [pv, ' \u00b7 ', t('markdown')]), submit])
      ]);
      wrap.appendChild(el);

      function update() {
        if (pv.getAttribute('aria-pressed') === 'true') later(function (L) { L.preview(ta.value, view); }, function (m) { view.textContent = m; });
      }
      pv.addEventListener('click', function () {
        var on = pv.getAttribute('aria-pressed') !== 'true';
        pv.setAttribute('aria-pressed', String(on));
        view.hidden = !on;
        update();
      });
      ta.addEventListener('input', update);
      ta.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); el.requestSubmit(); }
      });
      wrap.addEventListener('keydown', function (e) { if (e.key === 'Escape' && parent) closeReply(true); });

      el.addEventListener('submit', function (e) {
        e.preventDefault();
        if (el.getAttribute('aria-busy') === 'true') return;
        err.textContent = '';
        for (var f in fields) { fields[f].removeAttribute('aria-invalid'); fields[f].removeAttribute('aria-describedby'); }
        var req = { page: key, body: ta.value };
        if (parent) req.parent_id = parent.id;
        if (quoted) { req.quote = quoted.quote; req.position = quoted.position; }
        if (nameIn.value.trim()) req.author_name = nameIn.value;
        if (emailIn.value.trim()) req.author_email = emailIn.value.trim();
        if (notifyIn && notifyIn.checked) req.notify_replies = true;
        if (pageUrl && /^https?:/.test(pageUrl)) req.page_url = pageUrl;
        if (pageTitle) req.page_title = pageTitle.slice(0, 300);
        el.setAttribute('aria-busy', 'true');
        submit.textContent = t('posting');
        api('POST', 'comments', req).then(function (r) {
          var c = r.data.comment, pending = r.status === 202 || c.state === 'pending';
          change(function (s) {
            s.name = nameIn.value.trim();
            if (r.data.edit_token) s.tokens[c.id] = { t: r.data.edit_token, e: Date.now() + EDIT_MS };
            if (pending) s.pending.push({ c: c, e: Date.now() + PENDING_MS });
          });
          if (!pending) count++;
          ta.value = '';
          if (quoted && !pending) { inl.push(c); highlight(); }
          setQuote(null);
          pv.setAttribute('aria-pressed', 'false');
          view.hidden = true;
          if (parent) closeReply(false);
          fresh = fresh.filter(function (f) { return f.id !== c.id; });
          tell();
          follow();
          var li = place(c, pending);
          li.classList.add('amur-new');
          li.firstChild.focus({ preventScroll: true });
          li.scrollIntoView({ block: 'nearest' });
          announce(t(pending ? 'awaiting' : 'posted'));
        }, function (x) {
          err.textContent = x.message;
          var bad = fields[x.field];
          if (bad) {
            bad.setAttribute('aria-invalid', 'true');
            bad.setAttribute('aria-describedby', err.id);
            bad.focus();
          }
        }).then(function () {
          el.removeAttribute('aria-busy');
          submit.textContent = t('post');
        });
      });
      return { el: wrap, ta: ta, quote: setQuote };
    }

    function closeReply(focus) {
      if (!reply) return;
      var r = reply;
      reply = null;
      r.el.remove();
      r.btn.setAttribute('aria-expanded', 'false');
      if (focus) r.btn.focus();
    }

    function openReply(it, btn) {
      var again = reply && reply.btn === btn;
      closeReply(again);
      if (again) return;
      var f = form(it.c);
      reply = { el: f.el, btn: btn };
      btn.setAttribute('aria-expanded', 'true');
      it.li.insertBefore(f.el, it.li.children[1] || null);
      f.ta.focus();
    }

    // ---- actions on a comment ----

    // What embed-more.js's edit, del and report need of this thread.
    var T = { announce: announce, showEdit: showEdit, gone: ownButtonsGone, problem: problem, deleted: deleted };

    function problem(it, msg) {
      var main = it.li.firstChild.lastChild, p = main.querySelector(':scope > .amur-error');
      if (!p) p = main.appendChild(h('p', { cls: 'amur-error', role: 'alert' }));
      p.textContent = msg || '';
    }

    function dropToken(id) { change(function (s) { delete s.tokens[id]; }); }

    function ownButtonsGone(it, x) {
      if (x.code === 'edit_window_closed' || x.code === 'not_allowed') {
        dropToken(it.c.id);
        it.li.firstChild.querySelectorAll('[data-act="edit"],[data-act="del"]').forEach(function (b) { b.remove(); });
      }
    }

    // The counts of it.c on screen; `mine` (1, -1 or 0), when given, the
    // reader's own vote.
    function showVotes(it, mine) {
      [1, 0].forEach(function (up) {
        var art = it.li.firstChild, span = art.querySelector('.amur-n-' + (up ? 'up' : 'down'));
        if (mine !== undefined) art.querySelector('.amur-vote-' + (up ? 'up' : 'down')).setAttribute('aria-pressed', String(mine === (up || -1)));
        if (span) span.replaceWith(voteCount(it.c, up));
      });
    }

    function vote(it, dir) {
      var now = store.votes[it.c.id] || 0, value = now === dir ? 0 : dir;
      return capi('POST', it, '/votes', { value: value }).then(function (r) {
        var d = r.data, c = it.c;
        change(function (s) {
          if (d.voter_id) s.voter = d.voter_id;
          if (d.my_vote) s.votes[c.id] = d.my_vote; else delete s.votes[c.id];
        });
        c.upvotes = d.upvotes;
        c.downvotes = d.downvotes;
        showVotes(it, d.my_vote);
        problem(it, '');
      }, function (x) { problem(it, x.message); });
    }

    // After the server deleted it.c (embed-more.js asked): gone from the
    // thread, unless the live stream took it away already.
    function deleted(it) {
      dropToken(it.c.id);
      if (items[it.c.id] === it && it.c.state !== 'deleted') {
        remove(it);
        count = Math.max(0, count - 1);
      }
      refresh();
      countEl.focus();
      announce(t('removed'));
    }

    // Gone from the thread: a tombstone while replies remain; a tombstone
    // without replies disappears too.
    function remove(it) {
      var ol = repliesOf(it.li);
      if (ol && ol.children.length) {
        it.c.state = 'deleted';
        it.li.replaceChild(article(it.c), it.li.firstChild);
        return;
      }
      var up = it.li.parentNode.closest('.amur-item');
      it.li.remove();
      delete items[it.c.id];
      if (up) {
        var rest = repliesOf(up);
        if (rest && !rest.children.length) rest.remove();
        var p = items[up.getAttribute('data-id')];
        if (p && p.c.state === 'deleted' && !repliesOf(up)) remove(p);
      }
    }

    // ---- inline feedback: passages of the article ----

    function unmark() {
      if (!art) return;
      art.querySelectorAll('.amur-hl-n').forEach(function (x) { x.remove(); });
      art.querySelectorAll('mark.amur-hl').forEach(function (mk) {
        var p = mk.parentNode;
        while (mk.firstChild) p.insertBefore(mk.firstChild, mk);
        mk.remove();
        p.normalize();
      });
    }

    // Places every inline comment's passage (anchor) and marks each placed
    // passage once, with the number of comments on it.
    function highlight() {
      unmark();
      model = art && textModel(art);
      var by = {};
      groups = [];
      inl.forEach(function (c) {
        var a = model && c.quote ? anchor(model.text, c.quote, c.position) : null;
        var key = a ? a.start + ':' + a.end : '?' + (c.quote && c.quote.exact);
        var g = by[key] || (by[key] = groups[groups.push({ a: a, quote: c.quote, cs: [] }) - 1]);
        g.cs.push(c);
      });
      groups.sort(function (x, y) { return (x.a ? x.a.start : 1e15) - (y.a ? y.a.start : 1e15); });
      var end = Infinity;
      for (var gi = groups.length - 1; gi >= 0; gi--) {
        var g = groups[gi];
        if (!g.a) continue;
        if (g.a.end > end) { g.hidden = true; continue; }  // overlaps the next passage
        end = g.a.start;
        wrap(g, gi);
      }
      sortBar.lastChild.hidden = sortBar.lastChild.previousSibling.hidden = !groups.length;
      refresh();
    }

    function wrap(g, gi) {
      var segs = [], i, k = -1;
      for (i = g.a.start; i < g.a.end; i++) {
        if (model.mn[i] !== k) segs.push({ k: (k = model.mn[i]), from: model.mo[i] });
        segs[segs.length - 1].to = model.mo[i] + 1;
      }
      var marks = segs.reverse().map(function (sg) {
        var node = model.nodes[sg.k];
        if (sg.to < node.data.length) node.splitText(sg.to);
        var part = sg.from ? node.splitText(sg.from) : node;
        var mk = h('mark', { cls: 'amur-hl', 'data-amur-g': n + ':' + gi });
        part.replaceWith(mk);
        mk.appendChild(part);
        return mk;
      });
      marks[0].appendChild(h('span', { cls: 'amur-hl-n', 'aria-hidden': 'true', text: g.cs.length }));
      var first = marks[marks.length - 1];
      first.tabIndex = 0;
      first.setAttribute('role', 'button');
      first.setAttribute('aria-label', t('passageComments', g.cs.length) + ': ' + g.quote.exact.slice(0, 80));
    }

    function setMode(m) {
      mode = m;
      back.hidden = m === 'all';
      sortBar.lastChild.setAttribute('aria-pressed', String(m === 'inline'));
    }

    // The Inline Feedbacks tab: every passage with its comments; `focus`, a
    // group index, is scrolled to and focused.
    function showInline(focus) {
      setMode('inline');
      list.textContent = '';
      items = {};
      reply = null;
      var target = null;
      groups.forEach(function (g, gi) {
        var li = h('li', { cls: 'amur-passage', tabindex: '-1' }, [
          h('p', { cls: 'amur-hint', text: t(g.a || !art ? 'onPassage' : 'changed') }),
          h('blockquote', { cls: 'amur-quote' }, h('p', { text: g.quote.exact })),
          h('ol', { cls: 'amur-replies' }, g.cs.map(function (c) { return item(c); }))]);
        list.appendChild(li);
        if (gi === focus) target = li;
      });
      refresh();
      if (target) {
        target.scrollIntoView({ block: 'start' });
        target.focus({ preventScroll: true });
      }
    }

    function loadInline() {
      return api('GET', 'comments?page=' + encodeURIComponent(key) + '&filter=inline&limit=200').then(function (r) {
        inl = r.data.comments;
        highlight();
      }, function () {});
    }

    function activate(e) {
      var mk = e.target.closest && e.target.closest('mark.amur-hl'), g = mk && mk.getAttribute('data-amur-g');
      if (!g || g.split(':')[0] !== String(n)) return;
      if (e.type === 'keydown' && e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      showInline(+g.split(':')[1]);
    }

    // A selection inside the article offers "Comment on this passage".
    function selected() {
      var s = W.getSelection(), r = s && s.rangeCount && !s.isCollapsed && s.getRangeAt(0);
      sel = null;
      passBtn.hidden = true;
      if (r && art.contains(r.commonAncestorContainer) && !closed) later(function (L) { sel = L.select(art, root, passBtn); });
    }

    if (art) {
      D.body.appendChild(passBtn);
      passBtn.addEventListener('mousedown', function (e) { e.preventDefault(); });
      passBtn.addEventListener('click', function () {
        if (!sel || !composer) return;
        composer.quote(sel);
        passBtn.hidden = true;
        composer.el.scrollIntoView({ block: 'center' });
        composer.ta.focus({ preventScroll: true });
      });
      D.addEventListener('mouseup', function () { setTimeout(selected, 0); });
      D.addEventListener('keyup', function (e) { if (e.shiftKey || e.key === 'Shift') selected(); });
      art.addEventListener('click', activate);
      art.addEventListener('keydown', activate);
    }

    // ---- the thread's controls ----

    function load(c, lim) {
      return api('GET', commentsUrl(c, lim)).then(function (r) { return r.data; });
    }

    function more(all) {
      if (busy || !cursor) return;
      busy = true;
      list.setAttribute('aria-busy', 'true');
      alertEl.textContent = '';
      var before = list.children.length, first = null;
      (function next(rounds) {
        return load(cursor, all ? 200 : 0).then(function (d) {
          var f = fill(d, true);
          first = first || f;
          if (all && cursor && rounds < 100) return next(rounds + 1);
        });
      })(0).then(function () {
        announce(t('loaded', list.children.length - before));
        if (pager.hidden && first) first.firstChild.focus();
      }, function (x) { alertEl.textContent = x.message; }).then(function () {
        busy = false;
        list.removeAttribute('aria-busy');
      });
    }

    function setSort(s, btn) {
      if (busy || s === sort) return;
      busy = true;
      var was = sort;
      sort = s;
      list.setAttribute('aria-busy', 'true');
      alertEl.textContent = '';
      load().then(function (d) {
        sortBar.querySelectorAll('button').forEach(function (b) {
          b.setAttribute('aria-pressed', String(b === btn));
        });
        fill(d, false);
        announce(t('sorted', { sort: t(s) }));
      }, function (x) {
        sort = was;
        alertEl.textContent = x.message;
      }).then(function () {
        busy = false;
        list.removeAttribute('aria-busy');
      });
    }

    root.addEventListener('click', function (e) {
      var b = e.target.closest('[data-act]');
      if (!b || b.closest('.amur-body') || b.getAttribute('aria-busy')) return;
      var li = b.closest('.amur-item'), it = li && items[li.getAttribute('data-id')], act = b.getAttribute('data-act');
      if (act === 'sort') return setSort(b.getAttribute('data-sort'), b);
      if (act === 'more' || act === 'all') return more(act === 'all');
      if (act === 'inline') return showInline(-1);
      if (act === 'fresh') return showFresh();
      if (act === 'back') {
        busy = true;
        return load().then(function (d) { fill(d, false); }, function (x) { alertEl.textContent = x.message; })
          .then(function () { busy = false; });
      }
      if (!it) return;
      if (act === 'reply') return openReply(it, b);
      if (act === 'edit' || act === 'del' || act === 'report') return later(function (L) { L[act](it, b, T); }, function (m) { problem(it, m); });
      b.setAttribute('aria-busy', 'true');
      vote(it, act === 'up' ? 1 : -1).then(function () { b.removeAttribute('aria-busy'); });
    });

    // ---- live updates (GET /api/v1/events) ----
    // New comments wait behind a notice, so nothing moves under the reader
    // or their half-typed reply; votes, edits and removals apply in place.
    var fresh = [], es = null;

    function follow() {
      if (es || !W.EventSource) return;
      es = new EventSource(API + '/api/v1/events?page=' + encodeURIComponent(key));
      // Closed for good (the page went, or a 4xx): tried again after posting.
      es.onerror = function () { if (es.readyState === 2) es = null; };
      var on = function (type, fn) {
        es.addEventListener(type, function (e) { fn(JSON.parse(e.data).comment); });
      };
      on('comment.created', function (c) {
        var it = items[c.id];
        if (it && it.li.classList.contains('amur-pending')) {
          it.li.classList.remove('amur-pending');
          it.c = c;
          it.li.replaceChild(article(c), it.li.firstChild);
        } else if (!it && !fresh.some(function (f) { return f.id === c.id; })) {
          fresh.push(c);
          tell();
        }
      });
      on('comment.edited', function (c) {
        update(c);
        if (items[c.id]) showEdit(items[c.id]);
      });
      on('comment.voted', function (c) {
        update(c);
        if (items[c.id]) showVotes(items[c.id]);
      });
      var gone = function (c) {
        var it = items[c.id];
        fresh = fresh.filter(function (f) { return f.id !== c.id; });
        tell();
        if (!it || it.c.state === 'deleted') return;
        remove(it);
        count = Math.max(0, count - 1);
        refresh();
      };
      on('comment.deleted', gone);
      on('comment.hidden', gone);
      es.addEventListener('reset', function () {
        fresh = [];
        tell();
        load().then(function (d) { fill(d, false); });
      });
    }

    function update(c) {
      var it = items[c.id];
      fresh.forEach(function (f, i) { if (f.id === c.id) fresh[i] = c; });
      if (it) ['body_html', 'edited_at', 'edited_by', 'upvotes', 'downvotes', 'score'].forEach(function (k) { it.c[k] = c[k]; });
    }

    function tell() {
      notice.hidden = !fresh.length;
      notice.textContent = t('fresh', fresh.length);
    }

    function showFresh() {
      var first = null;
      fresh.forEach(function (c) {
        if (items[c.id] || (c.parent_id && !items[c.parent_id])) return;
        var li = place(c);
        li.classList.add('amur-new');
        first = first || li;
        count++;
      });
      fresh = [];
      tell();
      refresh();
      if (first) first.firstChild.focus({ preventScroll: true });
    }

    // ---- start ----

    function start() {
      var waiting = !enhance && !host.firstElementChild && host.appendChild(h('p', { cls: 'amur-loading', text: t('loading') }));
      Promise.all([load(), loadCss()]).then(function (r) {
        var d = r[0];
        closed = !!d.page.closed;
        if (closed) compose.appendChild(h('p', { cls: 'amur-closed', text: t('closed') }));
        else compose.appendChild((composer = form(null)).el);
        fill(d, false);
        loadInline();
        // The page exists (else the stream is a 404): it is made by its first comment.
        if (d.comments.length || d.page.title || d.page.url) follow();
        var line = enhance && host.querySelector('.amur-integrity');
        if (enhance) {
          if (line) { integrity.replaceWith(line); integrity = line; }
          root.id = host.id;
          root.classList.add('amur-enhanced');
          host.replaceWith(root);
        } else {
          host.textContent = '';
          host.appendChild(root);
          if (d.page.chain) chain(d.page.chain.status === 'verified');
        }
        var m = /^#(?:amur-)?(.+)$/.exec(location.hash), target = m && items[decodeURIComponent(m[1])];
        if (target) {
          target.li.classList.add('amur-target');
          target.li.scrollIntoView();
        }
        ticking();
      }, function (x) {
        if (enhance) return; // the server-rendered thread stays, and works
        if (waiting) waiting.remove();
        host.appendChild(h('div', { cls: 'amur-w amur-failed', role: 'alert' }, [
          h('p', { text: t('loadFailed') + ' ' + x.message }),
          h('button', { type: 'button', cls: 'amur-button', text: t('retry'), onclick: function () { host.textContent = ''; start(); } })
        ]));
      });
    }

    // The page's hash chain line; the server checked it with the listing.
    function chain(ok) {
        integrity.className = 'amur-integrity amur-integrity-' + (ok ? 'ok' : 'failed');
        integrity.title = t(ok ? 'verifiedTitle' : 'failedTitle');
        add(integrity, [h('span', { 'aria-hidden': 'true', text: ok ? '\u2713 ' : '\u2717 ' }), t(ok ? 'verified' : 'failed')]);
        integrity.hidden = false;
    }

    start();
  }

  // Relative times stay current; Edit and Delete go when the window closes.
  var timer;
  function ticking() {
    timer = timer || setInterval(function () {
      D.querySelectorAll('.amur-w time[datetime]').forEach(function (el) {
        el.textContent = ago(el.getAttribute('datetime'));
      });
      store = readStore();
      D.querySelectorAll('.amur-w [data-act="edit"],.amur-w [data-act="del"]').forEach(function (b) {
        var li = b.closest('.amur-item');
        if (li && !token(li.getAttribute('data-id')) && !li.querySelector('.amur-editor,.amur-confirm')) b.remove();
      });
    }, 60000);
  }

  function init() {
    D.querySelectorAll('#amur-thread:not([data-amur-ready]),section.amur-thread[data-amur-page]:not([data-amur-ready])')
      .forEach(function (el) { mount(el, el.tagName === 'SECTION' && el.id !== 'amur-thread'); });
  }

  // For pages that add the div later (single-page apps).
  W.Amur = W.Amur || {};
  W.Amur.init = init;
  if (D.readyState === 'loading') D.addEventListener('DOMContentLoaded', init);
  else init();
})();
