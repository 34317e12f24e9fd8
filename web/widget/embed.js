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
 *          MORE_MESSAGES in embed-more.js (the part loaded when first needed).
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
  var SORTS = ['oldest', 'newest', 'votes'];

  function plural(one, many) {
    return function (n) { return n === 1 ? one.replace('#', n) : many.replace('#', n); };
  }

  // Every word the widget shows at page load (the words of what happens after
  // it: MORE_MESSAGES in embed-more.js). Replace any of them with
  // window.AmurMessages.
  var AMUR_MESSAGES = {
    locale: 'en',
    comments: plural('# Comment', '# Comments'),
    sortBy: 'Sort comments',
    oldest: 'Oldest',
    newest: 'Newest',
    votes: 'Most Voted',
    join: 'Join the discussion',
    replyingTo: 'Replying to {name}',
    comment: 'Comment',
    commentPlaceholder: 'Share your view',
    replyPlaceholder: 'Write your reply',
    name: 'Name',
    namePlaceholder: 'guest',
    email: 'Email (optional, never shown)',
    post: 'Post Comment',
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
    report: 'Report',
    reported: 'Reported. Thank you; a moderator will look at it.',
    deleted: 'This comment was deleted.',
    guest: 'Guest',
    role_moderator: 'Moderator',
    role_admin: 'Admin',
    edited: 'Last edited {time} by {name}',
    editedAnon: 'Last edited {time}',
    awaiting: 'Your comment is awaiting moderation.',
    subscribe: 'Subscribe',
    notifyMe: 'Notify me of replies by email',
    more: 'More comments',
    loadMore: 'Load more comments',
    viewAll: 'View all comments',
    loading: 'Loading comments\u2026',
    empty: 'No comments yet. Start the conversation.',
    closed: 'Comments are closed.',
    loadFailed: 'The comments could not be loaded.',
    retry: 'Try again',
    network: 'The comment server could not be reached. Please try again.',
    inlineTab: 'Inline Feedbacks',
    onPassage: 'On this passage:',
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

  // A comment's "Last edited" line, or null.
  function editedEl(c) {
    if (!c.edited_at) return null;
    return h('p', { cls: 'amur-edited' }, tn(c.edited_by ? 'edited' : 'editedAnon', { time: timeEl(c.edited_at), name: c.edited_by }));
  }

  function voteCount(c, up) {
    var k = up ? 'upvotes' : 'downvotes', v = c[k] || 0;
    return h('span', { cls: 'amur-n amur-n-' + (up ? 'up' : 'down') }, [h('span', { text: v }), h('span', { cls: 'amur-sr', text: ' ' + t(k, v) })]);
  }

  // The list of replies under the comment `li` (made when `create`).
  function repliesOf(li, create) {
    var ol = li.lastElementChild;
    if (ol && ol.tagName === 'OL') return ol;
    return create ? li.appendChild(h('ol', { cls: 'amur-replies' })) : null;
  }

  // ---- the part used on demand (embed-more.js) ----
  // Posting, voting, sorting, Load more, live updates as they arrive, the
  // highlighted passages (fetched at once when the page has inline feedback),
  // previewing, Subscribe's form, editing, deleting, reporting and commenting
  // on a passage come from a second file the first time they are needed.

  var X = { h: h, add: add, t: t, api: api, capi: capi, change: change, token: token, setBody: setBody,
    editedEl: editedEl, voteCount: voteCount, repliesOf: repliesOf, EDIT_MS: EDIT_MS,
    store: function () { return store; },
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

  // The article a thread comments on: data-amur-article (a selector), else the
  // <article> around the thread, else the page's first one.
  function articleOf(host) {
    var sel = host.getAttribute('data-amur-article'), el = null;
    if (sel) try { el = D.querySelector(sel); } catch (e) { el = null; }
    return el || host.closest('article') || D.querySelector('article:not(.amur-comment)');
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
    var theme = attr('theme');
    var art = articleOf(host);

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

    // The thread as embed-more.js sees it: its state (items: id -> {c, li};
    // cursor of the next page; count; closed; reply: the open reply form;
    // busy; sort; mode: 'all' or 'inline'; inl: the inline comments; fresh:
    // comments the live stream announced; composer: the form of a new
    // comment) and what it uses of this function.
    var T = { n: n, key: key, art: art, root: root, list: list, sortBar: sortBar, alertEl: alertEl, countEl: countEl, notice: notice, pager: pager,
      url: enhance ? null : attr('url') || (canonical && canonical.href) || location.href.split('#')[0],
      title: enhance ? null : attr('title') || D.title,
      items: {}, cursor: null, count: 0, closed: false, reply: null, busy: false, sort: sort, mode: 'all', inl: [], fresh: [],
      announce: announce, refresh: refresh, load: load, fill: fill, item: item, place: place, article: article,
      problem: problem, clear: clear, closeReply: closeReply, follow: follow };

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
      countEl.textContent = t('comments', T.count);
      var any = list.children.length > 0;
      sortBar.hidden = !any && !T.inl.length;
      empty.hidden = any || T.closed;
      pager.hidden = !T.cursor || T.mode !== 'all';
    }

    // ---- rendering ----

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
          T.closed ? null : h('button', { type: 'button', cls: 'amur-link amur-reply', 'data-act': 'reply', 'aria-expanded': 'false' },
            [t('reply'), h('span', { cls: 'amur-sr', text: t('replyTo', { name: name }) })]),
          own ? [h('button', { type: 'button', cls: 'amur-link', 'data-act': 'edit', text: t('edit') }),
            h('button', { type: 'button', cls: 'amur-link amur-danger', 'data-act': 'del', text: t('del') })]
            : store.reported[c.id] ? h('span', { cls: 'amur-reported', text: t('reported') })
            : h('button', { type: 'button', cls: 'amur-link amur-report', 'data-act': 'report', 'aria-expanded': 'false', text: t('report') })
        ])])
      ]);
    }

    function item(c, pending) {
      var old = T.items[c.id];
      if (old && old.li.parentNode) old.li.remove();
      var li = h('li', { cls: 'amur-item' + (pending ? ' amur-pending' : ''), id: 'amur-' + c.id, 'data-id': c.id }, article(c, pending));
      T.items[c.id] = { c: c, li: li };
      if (c.replies && c.replies.length) li.appendChild(h('ol', { cls: 'amur-replies' }, c.replies.map(function (r) { return item(r); })));
      return li;
    }

    // A comment of this reader's, new or held: placed where they will see it.
    function place(c, pending) {
      c.replies = [];
      var li = item(c, pending), parent = c.parent_id && T.items[c.parent_id];
      if (parent) repliesOf(parent.li, true).appendChild(li);
      else if (T.sort === 'newest') list.insertBefore(li, list.firstChild);
      else list.appendChild(li);
      refresh();
      return li;
    }

    function showPending() {
      var approved = [];
      store.pending.forEach(function (p) {
        if (p.c.page !== key) return;
        if (T.items[p.c.id] && !T.items[p.c.id].li.classList.contains('amur-pending')) approved.push(p.c.id);
        else place(p.c, true);
      });
      if (approved.length) change(function (s) {
        s.pending = s.pending.filter(function (p) { return approved.indexOf(p.c.id) < 0; });
      });
    }

    // An empty list in mode `m` ('all' or 'inline').
    function clear(m) {
      list.textContent = '';
      T.items = {};
      T.reply = null;
      setMode(m);
    }

    function setMode(m) {
      T.mode = m;
      back.hidden = m === 'all';
      sortBar.lastChild.setAttribute('aria-pressed', String(m === 'inline'));
    }

    function fill(data, append) {
      if (!append) clear('all');
      var f = D.createDocumentFragment(), first = null;
      data.comments.forEach(function (c) {
        var li = item(c);
        first = first || li;
        f.appendChild(li);
      });
      list.appendChild(f);
      T.cursor = data.next_cursor;
      T.count = data.page.comment_count;
      if (!append) showPending();
      refresh();
      return first;
    }

    // ---- the form (new comment, or a reply under `parent`) ----
    // Its submit handler (embed-more.js's post) is fetched when the reader
    // first focuses a field, at the latest when they submit.

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
      var qtext = h('p'), qbox = h('div', { cls: 'amur-quoting', hidden: true }, [
        h('p', { cls: 'amur-hint', text: t('onPassage') }),
        h('blockquote', { cls: 'amur-quote' }, qtext),
        h('button', { type: 'button', cls: 'amur-link', onclick: function () { setQuote(null); ta.focus(); }, text: t('dropQuote') })]);
      function setQuote(q) {
        F.q = q;
        qbox.hidden = !q;
        qtext.textContent = q ? q.quote.exact : '';
      }
      var wrap = h('div', { cls: 'amur-compose' + (parent ? ' amur-compose-reply' : ''), onfocusin: function () { later(); } },
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
      // What embed-more.js's post needs of this form; q: the quoted passage.
      var F = { el: wrap, form: el, ta: ta, err: err, submit: submit, pv: pv, view: view, parent: parent, notify: notifyIn,
        fields: { body: ta, author_name: nameIn, author_email: emailIn }, q: null, quote: setQuote };

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
        later(function (L) { L.post(T, F); }, function (m) { err.textContent = m; });
      });
      return F;
    }

    function closeReply(focus) {
      var r = T.reply;
      if (!r) return;
      T.reply = null;
      r.el.remove();
      r.btn.setAttribute('aria-expanded', 'false');
      if (focus) r.btn.focus();
    }

    function openReply(it, btn) {
      var again = T.reply && T.reply.btn === btn;
      closeReply(again);
      if (again) return;
      var f = form(it.c);
      T.reply = { el: f.el, btn: btn };
      btn.setAttribute('aria-expanded', 'true');
      it.li.insertBefore(f.el, it.li.children[1] || null);
      f.ta.focus();
    }

    // A message under the comment `it` (empty: none).
    function problem(it, msg) {
      var main = it.li.firstChild.lastChild, p = main.querySelector(':scope > .amur-error');
      if (!p) p = main.appendChild(h('p', { cls: 'amur-error', role: 'alert' }));
      p.textContent = msg || '';
    }

    // ---- inline feedback: passages of the article ----
    // The page's inline comments; when there are some, embed-more.js
    // (fetched at once) places and highlights their passages.

    function loadInline() {
      return api('GET', 'comments?page=' + encodeURIComponent(key) + '&filter=inline&limit=200').then(function (r) {
        T.inl = r.data.comments;
        if (T.inl.length) later();
      }, function () {});
    }

    // A selection inside the article offers "Comment on this passage"
    // (embed-more.js's select; its button, T.pass, is made on first use).
    function selected() {
      var s = W.getSelection(), r = s && s.rangeCount && !s.isCollapsed && s.getRangeAt(0);
      if (T.pass) T.pass.hidden = true;
      if (r && art.contains(r.commonAncestorContainer) && !T.closed) later(function (L) { L.select(T); });
    }

    if (art) {
      D.addEventListener('mouseup', function () { setTimeout(selected, 0); });
      D.addEventListener('keyup', function (e) { if (e.shiftKey || e.key === 'Shift') selected(); });
    }

    // ---- the thread's controls (their work: embed-more.js's act) ----

    function load(c, lim) {
      return api('GET', 'comments?page=' + encodeURIComponent(key) + '&sort=' + T.sort + '&limit=' + (lim || limit) +
        (c ? '&cursor=' + encodeURIComponent(c) : '')).then(function (r) { return r.data; });
    }

    root.addEventListener('click', function (e) {
      var b = e.target.closest('[data-act]');
      if (!b || b.closest('.amur-body') || b.getAttribute('aria-busy')) return;
      var li = b.closest('.amur-item'), it = li && T.items[li.getAttribute('data-id')], act = b.getAttribute('data-act');
      if (act === 'reply') return it && openReply(it, b);
      later(function (L) { L.act(T, act, it, b); }, function (m) { if (it) problem(it, m); else alertEl.textContent = m; });
    });

    // ---- live updates (GET /api/v1/events) ----
    // Handled by embed-more.js, fetched when the first event arrives.
    var es = null;

    function follow() {
      if (es || !W.EventSource) return;
      es = new EventSource(API + '/api/v1/events?page=' + encodeURIComponent(key));
      // Closed for good (the page went, or a 4xx): tried again after posting.
      es.onerror = function () { if (es.readyState === 2) es = null; };
      ['created', 'edited', 'voted', 'deleted', 'hidden', 'reset'].forEach(function (type) {
        es.addEventListener(type === 'reset' ? type : 'comment.' + type, function (e) {
          later(function (L) { L.event(T, type, e.data); });
        });
      });
    }

    // ---- start ----

    function start() {
      var waiting = !enhance && !host.firstElementChild && host.appendChild(h('p', { cls: 'amur-loading', text: t('loading') }));
      var inline = loadInline();
      Promise.all([load(), loadCss()]).then(function (r) {
        var d = r[0];
        T.closed = !!d.page.closed;
        if (T.closed) compose.appendChild(h('p', { cls: 'amur-closed', text: t('closed') }));
        else compose.appendChild((T.composer = form(null)).el);
        fill(d, false);
        inline.then(function () { if (T.inl.length) later(function (L) { L.highlight(T); }); });
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
        var m = /^#(?:amur-)?(.+)$/.exec(location.hash), target = m && T.items[decodeURIComponent(m[1])];
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
