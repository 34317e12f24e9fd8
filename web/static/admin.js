/* Amur: the moderation desk (GET /admin).
   Served at /assets/admin.js. Plain JavaScript, same origin only: it talks to
   /api/v1/auth/* and /api/v1/admin/* with the session cookie and sends the
   session's CSRF token on every POST. Everything user-supplied is written with
   textContent, except body_html, which the server has already sanitised. */
(function () {
  'use strict';

  var QUEUES = [
    { state: 'pending', label: 'Pending', empty: 'Nothing is waiting for a decision.' },
    // Published but suspicious: Approve keeps the comment and clears the flag
    // (a "not abuse" example for the classifier), Reject hides it.
    { state: 'flagged', label: 'Flagged', empty: 'Nothing is flagged.' },
    { state: 'reported', label: 'Reported', empty: 'No reported comments.' },
    { state: 'rejected', label: 'Rejected', empty: 'No rejected comments.' },
    { state: 'spam', label: 'Spam', empty: 'Nothing marked as spam.' },
  ];
  var ACTIONS = {
    approve: { key: 'a', label: 'Approve', done: 'Approved', state: 'approved' },
    reject: { key: 'r', label: 'Reject', done: 'Rejected', state: 'rejected' },
    spam: { key: 's', label: 'Spam', done: 'Marked as spam', state: 'spam' },
    ban: { key: 'b', label: 'Ban author…', done: 'Banned the author of', state: null },
  };
  // Tabs that are not queues: no list, no decision keys. `admin`: admins only.
  var TOOLS = [
    { state: 'pages', label: 'Pages' },
    { state: 'bans', label: 'Bans' },
    { state: 'users', label: 'Users', admin: true },
    { state: 'settings', label: 'Settings' },
    { state: 'audit', label: 'Audit log' },
  ];
  // Common reasons offered in each comment's reason field (free text too).
  var COMMON_REASONS = ['Personal attack', 'Hate speech', 'Off topic', 'Spam or advertising',
    'Misinformation', 'Duplicate', 'Breaks the house rules', 'Fine on a second look'];
  var BAN_LENGTHS = [
    { value: '1', label: '1 day' },
    { value: '7', label: '7 days' },
    { value: '30', label: '30 days' },
    { value: 'permanent', label: 'Permanent' },
    { value: 'other', label: 'Number of days' },
  ];
  // How often the open queue and the counts are refreshed while the desk is
  // visible; /admin?refresh=N sets N seconds (tests use a short one).
  var REFRESH_MS = (function () {
    var m = /[?&]refresh=(\d+)/.exec(location.search);
    var n = m ? Number(m[1]) : 20;
    return Math.max(1, Math.min(n, 3600)) * 1000;
  })();
  var REASON_LABELS = {
    premoderation: 'Pre-moderation',
    banned_term: 'Banned term',
    suspect_term: 'Suspect term',
    link_limit: 'Too many links',
    near_duplicate: 'Near-duplicate',
    repeated_post: 'Repeated post',
    shouting: 'Shouting (capitals)',
    classifier: 'Classifier',
    reports: 'Reader reports',
    page_premoderation: 'Page pre-moderated',
    new_author: 'New author',
    dehumanising: 'Dehumanising',
    threat: 'Threat',
    sexualised: 'Sexualised remark',
    insult_coinage: 'Insult coinage',
    personal_insult: 'Insult at a commenter',
    directed: 'Aimed at a commenter',
    trusted_report: 'Report from a trusted reader',
  };

  var state = {
    csrf: '',
    user: null,
    tab: 'pending',
    items: [],
    cursor: null,
    selected: -1,
    busy: false,
    audit: [],
    fresh: [],     // comments newer than the list, waiting behind the "N new" notice
    counts: null,  // the last queue counts
    rows: [],      // bans, pages or users shown in a tool tab
  };

  var main = document.getElementById('desk-main');
  var alertBox = document.getElementById('desk-alert');
  var statusLine = document.getElementById('desk-status');
  var userBox = document.getElementById('desk-user');
  var listEl = null;
  var moreBtn = null;
  var noticeBtn = null;
  var refreshTimer = null;

  // ---- small helpers -------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'text') node.textContent = v;
        else if (k === 'className') node.className = v;
        else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), v);
        else node.setAttribute(k, v === true ? '' : String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function showError(message) {
    alertBox.textContent = message || '';
    alertBox.classList.toggle('is-visible', !!message);
  }

  function say(message) {
    statusLine.textContent = message;
  }

  var dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

  var preciseFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

  function timeEl(iso, precise) {
    var d = new Date(iso);
    var text = isNaN(d.getTime()) ? String(iso) : (precise ? preciseFormat : dateFormat).format(d);
    return el('time', { datetime: iso, title: iso, text: text });
  }

  function ApiError(status, message, data) {
    this.status = status;
    this.message = message;
    this.data = data || null;  // the whole error body (a 409 carries the comment)
  }

  // Same-origin JSON call. Resolves to the parsed body; rejects with an
  // ApiError carrying the server's error.message.
  function api(method, path, body) {
    var headers = { Accept: 'application/json' };
    var init = { method: method, credentials: 'same-origin', headers: headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (method !== 'GET' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
    return fetch(path, init).then(function (r) {
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!r.ok) {
          var msg = data && data.error && data.error.message
            ? data.error.message : 'The server answered ' + r.status + '.';
          throw new ApiError(r.status, msg, data);
        }
        return data;
      });
    }, function () {
      throw new ApiError(0, 'The server cannot be reached. Check the connection and try again.');
    });
  }

  // A failed call: show the message; a lost session goes back to sign-in.
  function fail(err) {
    state.busy = false;
    if (err instanceof ApiError && err.status === 401 && state.user) {
      stopRefresh();
      state.user = null;
      state.csrf = '';
      renderSignIn('Your session has ended. Please sign in again.');
      return;
    }
    showError(err && err.message ? err.message : String(err));
  }

  // ---- signing in and out --------------------------------------------------

  function renderUserBox() {
    clear(userBox);
    if (!state.user) return;
    userBox.appendChild(el('span', { className: 'desk-who' }, [
      el('strong', { text: state.user.name }),
      ' · ' + state.user.role,
    ]));
    userBox.appendChild(el('button', { type: 'button', className: 'desk-btn desk-btn-quiet', onclick: signOut, text: 'Sign out' }));
  }

  // "Email me held comments": the moderator's own moderation subscription
  // (POST/DELETE /api/v1/subscriptions); refused with a message when the
  // server sends no email.
  function heldMailToggle() {
    var box = el('input', { type: 'checkbox', id: 'desk-held-mail' });
    var sub = null;
    box.disabled = true;
    api('GET', '/api/v1/subscriptions').then(function (data) {
      sub = (data.subscriptions || []).filter(function (x) { return x.kind === 'moderation'; })[0] || null;
      box.checked = !!sub;
      box.disabled = false;
    }, function () { box.disabled = false; });
    box.addEventListener('change', function () {
      box.disabled = true;
      var want = box.checked;
      var done = want
        ? api('POST', '/api/v1/subscriptions', { kind: 'moderation' }).then(function (data) { sub = data.subscription; })
        : api('DELETE', '/api/v1/subscriptions/' + encodeURIComponent(sub ? sub.id : 's0')).then(function () { sub = null; });
      done.then(function () {
        say(want ? 'You will get an email for each comment held for moderation.' : 'No more emails for held comments.');
      }, function (err) {
        box.checked = !want;
        showError(err && err.message ? err.message : 'That did not work.');
      }).then(function () { box.disabled = false; });
    });
    return el('label', { className: 'desk-held-mail' }, [box, ' Email me held comments']);
  }

  function renderSignIn(message) {
    renderUserBox();
    clear(main);
    showError(message || '');
    var email = el('input', { id: 'desk-email', name: 'email', type: 'email', autocomplete: 'username', required: true });
    var password = el('input', { id: 'desk-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    var submit = el('button', { type: 'submit', className: 'desk-btn desk-btn-primary', text: 'Sign in' });
    var form = el('form', { className: 'desk-signin', 'aria-labelledby': 'desk-signin-title', novalidate: true }, [
      el('h2', { id: 'desk-signin-title', text: 'Sign in to moderate' }),
      el('p', { className: 'desk-muted', text: 'For moderators and admins of this site.' }),
      el('label', { for: 'desk-email', text: 'Email' }), email,
      el('label', { for: 'desk-password', text: 'Password' }), password,
      submit,
    ]);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (!email.value || !password.value) {
        showError('Enter your email and password.');
        (email.value ? password : email).focus();
        return;
      }
      submit.disabled = true;
      showError('');
      api('POST', '/api/v1/auth/login', { email: email.value, password: password.value })
        .then(function (data) {
          password.value = '';
          signedIn(data.user, data.csrf_token);
          say('Signed in as ' + data.user.name + '.');
        }, function (err) {
          submit.disabled = false;
          password.value = '';
          showError(err.message);
          password.focus();
        });
    });
    main.appendChild(form);
    email.focus();
  }

  function signOut() {
    api('POST', '/api/v1/auth/logout').then(function () {
      stopRefresh();
      state.user = null;
      state.csrf = '';
      state.items = [];
      renderSignIn();
      say('Signed out.');
    }, fail);
  }

  function isModerator(user) {
    return user && (user.role === 'moderator' || user.role === 'admin');
  }

  function signedIn(user, csrf) {
    state.user = user;
    state.csrf = csrf || '';
    renderUserBox();
    if (!isModerator(user)) {
      clear(main);
      showError('');
      main.appendChild(el('section', { className: 'desk-refused', 'aria-labelledby': 'desk-refused-title' }, [
        el('h2', { id: 'desk-refused-title', text: 'Not a moderator' }),
        el('p', { text: 'You are signed in as ' + user.name + ', who is not a moderator. ' +
          'Only moderators and admins can use the moderation desk; sign out and sign in with a moderator account.' }),
      ]));
      say('Signed in as ' + user.name + ', who is not a moderator.');
      return;
    }
    renderDesk();
  }

  // ---- the desk ------------------------------------------------------------

  function renderDesk() {
    clear(main);
    showError('');
    var tabs = el('div', { className: 'desk-tabs', role: 'tablist', 'aria-label': 'Queues' });
    if (!queueInfo(state.tab) && !toolInfo(state.tab)) state.tab = 'pending';
    QUEUES.concat(TOOLS.filter(function (t) { return !t.admin || admin(); })).forEach(function (q, n) {
      var isQueue = n < QUEUES.length;
      tabs.appendChild(el('button', {
        type: 'button', role: 'tab', id: 'tab-' + q.state, 'data-tab': q.state,
        'aria-selected': q.state === state.tab ? 'true' : 'false', 'aria-controls': 'desk-panel',
        tabindex: q.state === state.tab ? '0' : '-1',
        className: 'desk-tab' + (n === QUEUES.length ? ' desk-tab-tools' : ''),
        onclick: function () { selectTab(q.state, true); },
      }, [q.label, isQueue ? el('span', { className: 'desk-count', 'data-count': q.state, hidden: true }) : null]));
    });
    tabs.addEventListener('keydown', function (ev) {
      if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft') return;
      var all = Array.prototype.slice.call(tabs.querySelectorAll('[role="tab"]'));
      var i = all.indexOf(document.activeElement);
      if (i < 0) return;
      var next = all[(i + (ev.key === 'ArrowRight' ? 1 : all.length - 1)) % all.length];
      next.focus();
      selectTab(next.getAttribute('data-tab'), false);
      ev.preventDefault();
    });
    main.appendChild(tabs);
    main.appendChild(el('p', { className: 'desk-help', id: 'desk-help', hidden: !queueInfo(state.tab) }, [
      'Keys: ', el('kbd', { text: 'J' }), ' / ', el('kbd', { text: 'K' }), ' next / previous · ',
      el('kbd', { text: 'A' }), ' approve · ', el('kbd', { text: 'R' }), ' reject · ',
      el('kbd', { text: 'S' }), ' spam · ', el('kbd', { text: 'W' }), ' write a reason · ',
      el('kbd', { text: 'E' }), ' edit · ', el('kbd', { text: 'B' }), ' ban author…',
    ]));
    main.appendChild(el('datalist', { id: 'desk-reasons' }, COMMON_REASONS.map(function (r) {
      return el('option', { value: r });
    })));
    main.appendChild(el('section', { id: 'desk-panel', role: 'tabpanel', className: 'desk-panel', 'aria-labelledby': 'tab-' + state.tab }));
    // Below the panel, so that its late answer never moves the list.
    main.appendChild(el('p', { className: 'desk-held-mail-row' }, [heldMailToggle()]));
    loadTab();
    refreshCounts();
    startRefresh();
  }

  function toolInfo(tab) {
    for (var i = 0; i < TOOLS.length; i++) {
      if (TOOLS[i].state === tab && (!TOOLS[i].admin || admin())) return TOOLS[i];
    }
    return null;
  }

  // ---- counts and live refresh ---------------------------------------------

  function refreshCounts() {
    if (!isModerator(state.user)) return Promise.resolve();
    return api('GET', '/api/v1/admin/queue/counts').then(function (counts) {
      state.counts = counts;
      QUEUES.forEach(function (q) {
        var badge = main.querySelector('[data-count="' + q.state + '"]');
        if (!badge) return;
        var n = counts[q.state];
        badge.textContent = typeof n === 'number' ? String(n) : '';
        badge.hidden = typeof n !== 'number';
        badge.classList.toggle('is-zero', n === 0);
      });
    }, function (err) {
      if (err.status === 401) fail(err);
    });
  }

  function startRefresh() {
    if (refreshTimer) clearInterval(refreshTimer);
    refreshTimer = setInterval(tick, REFRESH_MS);
  }

  function stopRefresh() {
    if (refreshTimer) clearInterval(refreshTimer);
    refreshTimer = null;
  }

  // One refresh: counts always; in a queue tab, the newest page of the queue
  // is fetched and comments not yet shown wait behind a notice, so the list
  // never moves under the moderator's hands (selection, reasons and edits stay).
  function tick() {
    if (document.visibilityState !== 'visible' || !isModerator(state.user)) return;
    refreshCounts();
    if (!queueInfo(state.tab) || !listEl || state.busy) return;
    var tab = state.tab;
    var list = listEl;
    api('GET', '/api/v1/admin/queue?state=' + encodeURIComponent(tab) + '&limit=25').then(function (data) {
      if (tab !== state.tab || list !== listEl) return;
      var newest = state.items.length ? idNumber(state.items[0].id) : 0;
      state.fresh = data.comments.filter(function (c) {
        return idNumber(c.id) > newest && indexOf(c.id) < 0;
      });
      renderNotice();
    }, function (err) {
      if (err.status === 401) fail(err);
    });
    checkShown(tab, list);
  }

  // Asks where the comments on screen stand (one call, at most 200 of them)
  // and marks those that left this queue since they were loaded: decided by
  // another moderator, deleted, hidden. Nothing moves and focus stays put.
  function checkShown(tab, list) {
    var ids = state.items.filter(function (c) { return !c.stale; }).slice(0, 200)
      .map(function (c) { return 'id=' + encodeURIComponent(c.id); });
    if (!ids.length) return;
    api('GET', '/api/v1/admin/queue/status?state=' + encodeURIComponent(tab) + '&' + ids.join('&')).then(function (data) {
      if (tab !== state.tab || list !== listEl) return;
      var marked = [];
      data.comments.forEach(function (st) {
        if (st.in_queue || indexOf(st.id) < 0) return;
        if (markStale(st.id, staleText(st.state, st.decided))) marked.push(st.id);
      });
      if (marked.length) {
        say(marked.length === 1 ? marked[0] + ' ' + lowerFirst(state.items[indexOf(marked[0])].stale) + '.'
          : marked.length + ' comments on screen left ' + queueInfo(tab).label + ' elsewhere.');
      }
    }, function (err) {
      if (err.status === 401) fail(err);
    });
  }

  var DECIDED_TEXT = { approve: 'approved', reject: 'rejected', spam: 'marked as spam' };

  function lowerFirst(text) { return text.charAt(0).toLowerCase() + text.slice(1); }

  // What a stale item says: "Decided elsewhere: rejected by Mia Mod" or
  // "No longer in this queue (deleted)".
  function staleText(stateName, decided) {
    if (decided && DECIDED_TEXT[decided.action] && decided.by) {
      return 'Decided elsewhere: ' + DECIDED_TEXT[decided.action] + ' by ' + decided.by;
    }
    if (decided && decided.action === 'hide') return 'No longer in this queue: hidden by reader reports';
    if (stateName === 'deleted') return 'No longer in this queue: deleted';
    if (state.tab === 'reported' && stateName === 'approved') return 'No longer in this queue: reports dismissed';
    if (state.tab === 'flagged' && stateName === 'approved') return 'No longer in this queue: flag cleared';
    return 'No longer in this queue' + (stateName ? ': ' + stateName : '');
  }

  // Marks a shown comment as having left the queue: a note in its action row,
  // its decision buttons disabled. The list keeps its place and its length
  // until the next "show" or tab change; focus stays where it is (on the
  // comment when it was on one of its buttons). False when already marked.
  function markStale(id, text) {
    var i = indexOf(id);
    if (i < 0 || state.items[i].stale) return false;
    state.items[i].stale = text;
    var node = itemNode(i);
    if (!node) return true;
    var hadFocus = node.contains(document.activeElement) && document.activeElement !== node &&
      document.activeElement.closest('.desk-actions, .desk-tools');
    node.classList.add('is-stale');
    Array.prototype.forEach.call(node.querySelectorAll('.desk-act, .desk-pin'), function (b) { b.disabled = true; });
    var actions = node.querySelector('.desk-actions');
    var note = el('p', { className: 'desk-stale', id: 'item-' + id + '-stale', text: text });
    if (actions) actions.appendChild(note);
    node.setAttribute('aria-describedby', note.id);
    if (hadFocus) node.focus({ preventScroll: true });
    return true;
  }

  // Takes the stale items off the list (on "show"); the selection stays on
  // the comment it was on, or moves to the nearest live one.
  function dropStale() {
    var selectedId = state.selected >= 0 && state.items[state.selected] ? state.items[state.selected].id : null;
    var selectedStale = selectedId && state.items[state.selected].stale;
    var at = state.selected;
    var kept = [];
    state.items.forEach(function (c) {
      if (!c.stale) { kept.push(c); return; }
      var node = document.getElementById('item-' + c.id);
      if (node) node.parentNode.removeChild(node);
    });
    if (kept.length === state.items.length) return;
    state.items = kept;
    state.selected = -1;
    if (selectedId && !selectedStale) state.selected = indexOf(selectedId);
    else if (selectedStale && kept.length) select(Math.min(at, kept.length - 1), true);
  }

  // The next live (not stale) item from i going by step, or -1.
  function liveFrom(i, step) {
    for (; i >= 0 && i < state.items.length; i += step) if (!state.items[i].stale) return i;
    return -1;
  }

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') tick();
  });

  function idNumber(id) {
    var n = Number(String(id).replace(/^[a-z]+/, ''));
    return isFinite(n) ? n : 0;
  }

  function renderNotice() {
    if (!noticeBtn) return;
    var n = state.fresh.length;
    noticeBtn.hidden = !n;
    noticeBtn.textContent = n ? n + ' new — show' : '';
    noticeBtn.setAttribute('aria-label', n ? 'Show ' + n + ' new ' + (n === 1 ? 'comment' : 'comments') : 'No new comments');
    if (n) say(n + ' new ' + (n === 1 ? 'comment' : 'comments') + ' in ' + queueInfo(state.tab).label + '.');
  }

  // Puts the waiting comments on top of the list; the selected comment stays selected.
  function showFresh() {
    if (!listEl) return;
    dropStale();
    if (!state.fresh.length) { renderNotice(); renderEmpty(); return; }
    var selectedId = state.selected >= 0 && state.items[state.selected] ? state.items[state.selected].id : null;
    var first = listEl.firstChild;
    var added = state.fresh.filter(function (c) { return indexOf(c.id) < 0; });
    added.forEach(function (c) { listEl.insertBefore(renderItem(c), first); });
    state.items = added.concat(state.items);
    state.fresh = [];
    renderNotice();
    renderEmpty();
    if (selectedId) {
      state.selected = indexOf(selectedId);
    } else if (state.items.length) {
      select(0, true);
    }
    say('Showing ' + added.length + ' new ' + (added.length === 1 ? 'comment' : 'comments') + '.');
  }

  function selectTab(tab, focusPanel) {
    state.tab = tab;
    Array.prototype.forEach.call(main.querySelectorAll('[role="tab"]'), function (t) {
      var on = t.getAttribute('data-tab') === tab;
      t.setAttribute('aria-selected', on ? 'true' : 'false');
      t.setAttribute('tabindex', on ? '0' : '-1');
    });
    var panel = document.getElementById('desk-panel');
    if (panel) panel.setAttribute('aria-labelledby', 'tab-' + tab);
    showError('');
    var help = document.getElementById('desk-help');
    if (help) help.hidden = !queueInfo(tab);
    loadTab(focusPanel);
  }

  function queueInfo(tab) {
    for (var i = 0; i < QUEUES.length; i++) if (QUEUES[i].state === tab) return QUEUES[i];
    return null;
  }

  function loadTab(focusFirst) {
    var panel = document.getElementById('desk-panel');
    clear(panel);
    state.items = [];
    state.audit = [];
    state.cursor = null;
    state.selected = -1;
    state.fresh = [];
    state.rows = [];
    listEl = null;
    moreBtn = null;
    noticeBtn = null;
    panel.setAttribute('aria-busy', 'true');
    if (state.tab === 'audit') {
      loadAudit(panel);
      return;
    }
    if (state.tab === 'pages') {
      renderPages(panel, focusFirst);
      return;
    }
    if (state.tab === 'settings') {
      loadSettings(panel, focusFirst);
      return;
    }
    if (state.tab === 'bans') {
      renderBans(panel);
      return;
    }
    if (state.tab === 'users') {
      renderUsers(panel, focusFirst);
      return;
    }
    var q = queueInfo(state.tab);
    noticeBtn = el('button', { type: 'button', className: 'desk-btn desk-notice', hidden: true, onclick: showFresh });
    panel.appendChild(noticeBtn);
    listEl = el('div', { className: 'desk-queue', role: 'listbox', 'aria-label': q.label + ' comments', 'aria-describedby': 'desk-help' });
    moreBtn = el('button', { type: 'button', className: 'desk-btn desk-more', hidden: true, text: 'Load more', onclick: function () { loadMore(); } });
    panel.appendChild(listEl);
    panel.appendChild(moreBtn);
    loadMore(focusFirst);
  }

  function loadMore(focusFirst) {
    var tab = state.tab;
    var path = '/api/v1/admin/queue?state=' + encodeURIComponent(tab) + '&limit=25' +
      (state.cursor ? '&cursor=' + encodeURIComponent(state.cursor) : '');
    moreBtn.disabled = true;
    api('GET', path).then(function (data) {
      if (tab !== state.tab) return;
      var start = state.items.length;
      data.comments.forEach(function (c) {
        state.items.push(c);
        listEl.appendChild(renderItem(c));
      });
      state.cursor = data.next_cursor;
      moreBtn.hidden = !state.cursor;
      moreBtn.disabled = false;
      document.getElementById('desk-panel').removeAttribute('aria-busy');
      renderEmpty();
      if (state.selected < 0 && state.items.length) select(0, !!focusFirst);
      else if (start < state.items.length && start > 0) select(start, true);
      say(state.items.length + ' ' + (state.items.length === 1 ? 'comment' : 'comments') + ' in ' + queueInfo(tab).label + '.');
    }, function (err) {
      moreBtn.disabled = false;
      fail(err);
    });
  }

  function renderEmpty() {
    var old = listEl.parentNode.querySelector('.desk-empty');
    if (old) old.parentNode.removeChild(old);
    if (!state.items.length) {
      listEl.parentNode.insertBefore(el('p', { className: 'desk-empty', text: queueInfo(state.tab).empty }), listEl);
    }
  }

  function chip(text, kind) {
    return el('li', { className: 'desk-chip' + (kind ? ' desk-chip-' + kind : ''), text: text });
  }

  function renderItem(c) {
    var m = c.moderation || {};
    var reasons = el('ul', { className: 'desk-chips', 'aria-label': 'Reasons' });
    (m.reasons || []).forEach(function (r) { reasons.appendChild(chip(REASON_LABELS[r] || r, 'reason')); });
    if (!(m.reasons || []).length) reasons.appendChild(chip('No reasons recorded', 'none'));
    var score = typeof m.score === 'number' ? m.score.toFixed(2) : '–';
    var pageLink = el('a', { className: 'desk-page', href: '/t?page=' + encodeURIComponent(c.page), text: c.page });

    var body = el('div', { className: 'desk-body', id: 'item-' + c.id + '-body' });
    body.innerHTML = c.body_html; // sanitised by the server (Markdown renderer)
    var edited = el('p', { className: 'desk-edited desk-muted', hidden: !c.edited_by,
      text: c.edited_by ? 'Last edited by ' + c.edited_by : '' });

    var history = m.author_history || [];
    var historyBox = null;
    if (history.length) {
      var hl = el('ol', { className: 'desk-history-list' });
      history.forEach(function (h) {
        var hb = el('div', { className: 'desk-history-body' });
        hb.innerHTML = h.body_html; // sanitised by the server
        hl.appendChild(el('li', null, [
          el('span', { className: 'desk-state desk-state-' + h.state, text: h.state }), ' ',
          el('span', { className: 'desk-muted', text: h.id + ' · ' }), timeEl(h.created_at), hb,
        ]));
      });
      historyBox = el('details', { className: 'desk-history' }, [
        el('summary', { text: "Author's recent comments (" + history.length + ')' }), hl,
      ]);
    } else {
      historyBox = el('p', { className: 'desk-history desk-muted', text: 'No earlier comments by this author.' });
    }

    var reasonId = 'reason-' + c.id;
    var reasonField = el('div', { className: 'desk-reason' }, [
      el('label', { for: reasonId, text: 'Reason (optional)' }),
      el('input', { id: reasonId, type: 'text', className: 'desk-input desk-reason-input', list: 'desk-reasons',
        maxlength: '500', autocomplete: 'off', 'aria-describedby': reasonId + '-help',
        onkeydown: function (ev) {
          // Escape keeps the text and goes back to the comment, where A / R / S decide with it.
          if (ev.key === 'Escape') { ev.preventDefault(); ev.stopPropagation(); var n = itemNode(indexOf(c.id)); if (n) n.focus(); }
        } }),
      el('span', { id: reasonId + '-help', className: 'desk-muted desk-note', text: 'Recorded with the decision in the audit log. Esc returns to the comment.' }),
    ]);
    var buttons = el('div', { className: 'desk-actions', role: 'group', 'aria-label': 'Decision on ' + c.id });
    Object.keys(ACTIONS).forEach(function (action) {
      var a = ACTIONS[action];
      // A flagged comment is published: approving it is what clears the flag.
      var same = a.state && a.state === c.state && !(state.tab === 'flagged' && action === 'approve');
      buttons.appendChild(el('button', {
        type: 'button', className: 'desk-btn desk-act desk-act-' + action,
        'data-action': action, disabled: same, 'aria-keyshortcuts': a.key.toUpperCase(),
        'aria-label': a.label + ' ' + c.id,
        onclick: function (ev) { ev.stopPropagation(); decide(c.id, action); },
      }, [a.label, el('kbd', { 'aria-hidden': 'true', text: a.key.toUpperCase() })]));
    });

    var tools = el('div', { className: 'desk-tools', role: 'group', 'aria-label': 'Tools for ' + c.id }, [
      el('button', {
        type: 'button', className: 'desk-btn desk-edit', 'data-action': 'edit', 'aria-keyshortcuts': 'E',
        'aria-label': 'Edit ' + c.id, 'aria-expanded': 'false',
        onclick: function (ev) { ev.stopPropagation(); openEditor(c.id); },
      }, ['Edit', el('kbd', { 'aria-hidden': 'true', text: 'E' })]),
      // Only published comments can be pinned (the server refuses replies).
      c.state === 'approved' ? el('button', {
        type: 'button', className: 'desk-btn desk-pin', 'data-action': 'pin',
        'aria-pressed': c.pinned ? 'true' : 'false',
        text: c.pinned ? 'Unpin' : 'Pin', 'aria-label': (c.pinned ? 'Unpin ' : 'Pin ') + c.id,
        onclick: function (ev) { ev.stopPropagation(); pin(c.id, ev.currentTarget); },
      }) : null,
      c.pinned ? el('span', { className: 'desk-chip desk-chip-pinned', text: 'Pinned' }) : null,
    ]);

    var author = c.author || {};
    var item = el('article', {
      className: 'desk-item', role: 'option', 'aria-selected': 'false', tabindex: '-1',
      id: 'item-' + c.id, 'data-id': c.id, 'aria-labelledby': 'item-' + c.id + '-head',
    }, [
      el('header', { className: 'desk-item-head', id: 'item-' + c.id + '-head' }, [
        el('span', { className: 'desk-author', text: author.name || 'Guest' }),
        author.is_guest === false ? el('span', { className: 'desk-badge', text: author.role || 'member' }) : null,
        el('span', { className: 'desk-sep', 'aria-hidden': 'true', text: ' · ' }),
        timeEl(c.created_at),
        el('span', { className: 'desk-sep', 'aria-hidden': 'true', text: ' · ' }),
        el('span', { className: 'desk-muted', text: 'on ' }), pageLink,
        el('span', { className: 'desk-id', text: c.id }),
      ]),
      body,
      edited,
      el('div', { className: 'desk-meta' }, [
        reasons,
        el('span', { className: 'desk-score', text: 'Score ' + score }),
        el('span', { className: 'desk-reports' + (m.reports ? ' has-reports' : ''),
          text: (m.reports || 0) + (m.reports === 1 ? ' report' : ' reports') }),
      ]),
      historyBox,
      tools,
      reasonField,
      buttons,
    ]);
    item.addEventListener('click', function (ev) {
      if (ev.target.closest('a, button, summary, textarea, input, label, .desk-editor')) return;
      select(indexOf(c.id), true);
    });
    item.addEventListener('focusin', function () {
      var i = indexOf(c.id);
      if (i !== state.selected) select(i, false);
    });
    return item;
  }

  function indexOf(id) {
    for (var i = 0; i < state.items.length; i++) if (state.items[i].id === id) return i;
    return -1;
  }

  function itemNode(i) {
    return i >= 0 && i < state.items.length ? document.getElementById('item-' + state.items[i].id) : null;
  }

  function select(i, focus) {
    if (!state.items.length) { state.selected = -1; return; }
    i = Math.max(0, Math.min(i, state.items.length - 1));
    var prev = itemNode(state.selected);
    if (prev) { prev.setAttribute('aria-selected', 'false'); prev.setAttribute('tabindex', '-1'); }
    state.selected = i;
    var node = itemNode(i);
    node.setAttribute('aria-selected', 'true');
    node.setAttribute('tabindex', '0');
    if (focus) {
      node.focus({ preventScroll: true });
      node.scrollIntoView({ block: 'nearest' });
    }
  }

  function reasonOf(id) {
    var input = document.getElementById('reason-' + id);
    return input ? input.value.trim() : '';
  }

  function decide(id, action) {
    if (state.busy) return;
    var i = indexOf(id);
    if (i < 0) return;
    var c = state.items[i];
    var a = ACTIONS[action];
    if (c.stale) { say(c.id + ': ' + lowerFirst(c.stale) + '.'); return; }
    if (action === 'ban') { openBanDialog(id); return; }
    if (a.state && a.state === c.state && !(state.tab === 'flagged' && action === 'approve')) {
      say(c.id + ' is already ' + c.state + '.');
      return;
    }
    // What this moderator saw: if someone else decided meanwhile the server
    // answers 409 with who, and nothing is overridden.
    var body = { action: action, expected_state: c.state, queue: state.tab };
    var reason = reasonOf(id);
    if (reason) body.reason = reason;
    run(id, api('POST', '/api/v1/admin/comments/' + encodeURIComponent(id) + '/decision', body)
      .then(function () { return { message: a.done + ' ' + id + (reason ? ' (' + reason + ')' : ''), remove: true }; },
        function (err) {
          if (err.status !== 409 && err.status !== 404) throw err;
          var now = err.data && err.data.comment;
          var text = err.status === 404 ? 'No longer in this queue: deleted'
            : staleText(now ? now.state : '', now && now.moderation ? now.moderation.decided : null);
          markStale(id, text);
          refreshCounts();
          return { message: id + ': ' + err.message + ' Nothing was changed.', remove: false, stale: true };
        }));
  }

  // Runs a decision's calls with the item marked busy; on success the item
  // leaves the list (when `remove`) and the counts are refreshed.
  function run(id, promise) {
    state.busy = true;
    showError('');
    var node = itemNode(indexOf(id));
    if (node) node.classList.add('is-busy');
    promise.then(function (outcome) {
      state.busy = false;
      if (outcome.remove) removeItem(id);
      else if (node) {
        node.classList.remove('is-busy');
        if (!outcome.stale || node.contains(document.activeElement)) node.focus();
      }
      say(outcome.message);
      refreshCounts();
    }, function (err) {
      if (node) node.classList.remove('is-busy');
      fail(err);
    });
  }

  // ---- dialogs ---------------------------------------------------------------

  // A modal <dialog> holding `form`: Escape (the dialog's cancel) and Cancel
  // close it and return focus to `returnTo`; Enter submits unless in a textarea.
  function modal(titleText, form, returnTo) {
    var titleId = 'dialog-title-' + Math.random().toString(36).slice(2);
    var dialog = el('dialog', { className: 'desk-dialog', 'aria-labelledby': titleId }, [
      el('h2', { id: titleId, text: titleText }), form,
    ]);
    function close() {
      if (dialog.open) dialog.close();
      if (dialog.parentNode) dialog.parentNode.removeChild(dialog);
      if (returnTo && document.body.contains(returnTo)) returnTo.focus();
    }
    dialog.addEventListener('cancel', function (ev) { ev.preventDefault(); close(); say('Cancelled.'); });
    dialog.addEventListener('keydown', function (ev) {
      ev.stopPropagation();
      if (ev.key === 'Enter' && !ev.shiftKey && ev.target.tagName !== 'TEXTAREA' && ev.target.tagName !== 'BUTTON') {
        ev.preventDefault();
        form.requestSubmit();
      }
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    return { dialog: dialog, close: close };
  }

  // Asks before something that cannot simply be undone; resolves true on "yes".
  function confirmAction(titleText, text, yesLabel, returnTo) {
    return new Promise(function (resolve) {
      var yes = el('button', { type: 'submit', className: 'desk-btn desk-btn-primary', text: yesLabel });
      var no = el('button', { type: 'button', className: 'desk-btn', text: 'Cancel' });
      var form = el('form', { className: 'desk-dialog-form', novalidate: true }, [
        el('p', { text: text }), el('div', { className: 'desk-dialog-actions' }, [yes, no]),
      ]);
      var m = modal(titleText, form, returnTo);
      var answered = false;
      form.addEventListener('submit', function (ev) { ev.preventDefault(); answered = true; m.close(); resolve(true); });
      no.addEventListener('click', function () { m.close(); say('Cancelled.'); resolve(false); });
      m.dialog.addEventListener('close', function () { if (!answered) resolve(false); });
      yes.focus();
    });
  }

  // Ban the author of a comment: length, reason, and what happens to the
  // comment; the summary line says exactly what "Ban" will do.
  function openBanDialog(id) {
    var i = indexOf(id);
    if (i < 0 || state.busy) return;
    var c = state.items[i];
    var node = itemNode(i);
    var who = (c.author && c.author.name) || 'Guest';
    var lengths = el('fieldset', { className: 'desk-fieldset' }, [el('legend', { text: 'Length' })]);
    var days = el('input', { type: 'number', id: 'ban-days', min: '1', max: '3650', step: '1', value: '14',
      className: 'desk-input desk-days', 'aria-label': 'Number of days' });
    BAN_LENGTHS.forEach(function (l) {
      var rid = 'ban-length-' + l.value;
      lengths.appendChild(el('div', { className: 'desk-check' }, [
        el('input', { type: 'radio', name: 'ban-length', id: rid, value: l.value, checked: l.value === '7' }),
        el('label', { for: rid, text: l.label }),
        l.value === 'other' ? days : null,
      ]));
    });
    days.addEventListener('input', function () { lengths.querySelector('#ban-length-other').checked = true; update(); });
    var reason = el('input', { type: 'text', id: 'ban-reason', className: 'desk-input', maxlength: '500', list: 'desk-reasons', autocomplete: 'off' });
    reason.value = reasonOf(id);
    var also = el('select', { id: 'ban-also', className: 'desk-input' }, [
      el('option', { value: 'reject', text: 'Reject ' + id }),
      el('option', { value: 'spam', text: 'Mark ' + id + ' as spam' }),
      el('option', { value: 'none', text: 'Leave ' + id + ' as it is' }),
    ]);
    if (c.state === 'rejected') also.value = 'none';
    var summary = el('p', { className: 'desk-summary', id: 'ban-summary', 'aria-live': 'polite' });
    var submit = el('button', { type: 'submit', className: 'desk-btn desk-btn-danger', text: 'Ban' });
    var cancel = el('button', { type: 'button', className: 'desk-btn', text: 'Cancel' });
    var form = el('form', { className: 'desk-dialog-form', novalidate: true }, [
      el('p', { className: 'desk-muted', text: 'Bans ' + who + "'s address, email and account from posting." }),
      lengths,
      el('label', { for: 'ban-reason', text: 'Reason' }), reason,
      el('label', { for: 'ban-also', text: 'The comment' }), also,
      summary,
      el('div', { className: 'desk-dialog-actions' }, [submit, cancel]),
    ]);
    function chosen() {
      var r = form.querySelector('input[name="ban-length"]:checked');
      var v = r ? r.value : '7';
      if (v === 'permanent') return { days: null, text: 'for good' };
      var n = v === 'other' ? Number(days.value) : Number(v);
      if (!isFinite(n) || n < 1 || n > 3650 || Math.floor(n) !== n) return { error: 'The number of days must be a whole number from 1 to 3650.' };
      return { days: n, text: 'for ' + n + (n === 1 ? ' day' : ' days') };
    }
    function update() {
      var ch = chosen();
      var what = also.value === 'reject' ? ' and reject ' + id : also.value === 'spam' ? ' and mark ' + id + ' as spam' : '';
      summary.textContent = ch.error ? ch.error : 'Ban ' + who + ' ' + ch.text + what + '?';
      submit.disabled = !!ch.error;
    }
    form.addEventListener('change', update);
    update();
    var m = modal('Ban the author of ' + id, form, node);
    cancel.addEventListener('click', function () { m.close(); say('Ban cancelled.'); });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var ch = chosen();
      if (ch.error) { update(); days.focus(); return; }
      var why = reason.value.trim();
      var then = also.value;
      m.close();
      var body = { comment_id: id, reason: why };
      if (ch.days !== null) body.days = ch.days;
      run(id, api('POST', '/api/v1/admin/bans', body).then(function (data) {
        var message = 'Banned the author of ' + id + ' ' + ch.text + ' (' + data.ban.id + ')';
        if (then === 'none') return { message: message, remove: false };
        // The decision's reason holds 500 characters, like the ban's: cut by
        // code points so that the ban made above is never followed by a refusal.
        var decisionReason = Array.from(why ? 'author banned: ' + why : 'author banned').slice(0, 500).join('');
        return api('POST', '/api/v1/admin/comments/' + encodeURIComponent(id) + '/decision',
          { action: then, reason: decisionReason })
          .then(function () { return { message: message + (then === 'spam' ? ' and marked ' + id + ' as spam' : ' and rejected ' + id), remove: true }; },
            function (e) { return { message: message + '; ' + id + ' itself was not changed: ' + e.message, remove: false }; });
      }));
    });
    form.querySelector('input[name="ban-length"]:checked').focus();
  }

  function removeItem(id) {
    var i = indexOf(id);
    if (i < 0) return;
    var node = itemNode(i);
    state.items.splice(i, 1);
    if (node) node.parentNode.removeChild(node);
    state.selected = -1;
    renderEmpty();
    if (state.items.length) {
      var next = liveFrom(Math.min(i, state.items.length - 1), 1);
      if (next < 0) next = liveFrom(Math.min(i, state.items.length - 1), -1);
      select(next < 0 ? Math.min(i, state.items.length - 1) : next, true);
    } else if (moreBtn && !moreBtn.hidden) {
      moreBtn.focus();
    } else {
      var tab = document.getElementById('tab-' + state.tab);
      if (tab) tab.focus();
    }
  }

  // ---- editing and pinning ------------------------------------------------

  function openEditor(id) {
    var i = indexOf(id);
    var node = itemNode(i);
    if (!node) return;
    var existing = node.querySelector('.desk-editor');
    if (existing) { existing.querySelector('textarea').focus(); return; }
    var c = state.items[i];
    var editBtn = node.querySelector('.desk-edit');
    var areaId = 'edit-' + id;
    var area = el('textarea', { id: areaId, className: 'desk-textarea', rows: '5', disabled: true });
    var note = el('p', { className: 'desk-note desk-muted', id: areaId + '-note', text: 'Loading the Markdown source…' });
    area.setAttribute('aria-describedby', areaId + '-note');
    var save = el('button', { type: 'submit', className: 'desk-btn desk-btn-primary', text: 'Save', disabled: true });
    var cancel = el('button', { type: 'button', className: 'desk-btn', text: 'Cancel' });
    var form = el('form', { className: 'desk-editor', 'aria-label': 'Edit ' + id, novalidate: true }, [
      el('label', { for: areaId, text: 'Markdown of ' + id }), area, note,
      el('div', { className: 'desk-editor-actions' }, [save, cancel]),
    ]);
    function close() {
      if (form.parentNode) form.parentNode.removeChild(form);
      if (editBtn) editBtn.setAttribute('aria-expanded', 'false');
      var n = itemNode(indexOf(id));
      if (n) n.focus({ preventScroll: true });
    }
    cancel.addEventListener('click', function (ev) { ev.stopPropagation(); close(); say('Edit cancelled.'); });
    form.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape') { ev.preventDefault(); ev.stopPropagation(); close(); say('Edit cancelled.'); }
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (!area.value.trim()) { showError('Write the new text of the comment.'); area.focus(); return; }
      save.disabled = true;
      showError('');
      api('PATCH', '/api/v1/comments/' + encodeURIComponent(id), { body: area.value }).then(function (data) {
        var n = itemNode(indexOf(id));
        var k = indexOf(id);
        if (k >= 0) {
          state.items[k].body_html = data.body_html;
          state.items[k].edited_by = data.edited_by;
        }
        if (n) {
          n.querySelector('.desk-body').innerHTML = data.body_html; // sanitised by the server
          var ed = n.querySelector('.desk-edited');
          ed.textContent = data.edited_by ? 'Last edited by ' + data.edited_by : '';
          ed.hidden = !data.edited_by;
        }
        close();
        say('Saved ' + id + '.');
      }, function (err) {
        save.disabled = false;
        fail(err);
        area.focus();
      });
    });
    var anchor = node.querySelector('.desk-tools');
    node.insertBefore(form, anchor);
    if (editBtn) editBtn.setAttribute('aria-expanded', 'true');
    api('GET', '/api/v1/comments/' + encodeURIComponent(id) + '/versions').then(function (data) {
      var v = data && data.versions && data.versions.length ? data.versions[data.versions.length - 1] : null;
      area.value = v ? v.body : '';
      note.textContent = 'Markdown. Saving publishes the new text as edited by you.';
    }, function (err) {
      if (err.status === 401) { fail(err); return; }
      area.value = '';
      note.textContent = c.state === 'approved'
        ? 'The Markdown source could not be loaded (' + err.message + '). Write the new text.'
        : 'The Markdown source of a comment that is not published cannot be loaded. Write the new text.';
    }).then(function () {
      area.disabled = false;
      save.disabled = false;
      area.focus();
    });
  }

  function pin(id, button) {
    var i = indexOf(id);
    if (i < 0) return;
    var c = state.items[i];
    var want = !c.pinned;
    button.disabled = true;
    showError('');
    api('POST', '/api/v1/admin/comments/' + encodeURIComponent(id) + '/pin', { pinned: want }).then(function (data) {
      var k = indexOf(id);
      var now = data && typeof data.pinned === 'boolean' ? data.pinned : want;
      if (k >= 0) state.items[k].pinned = now;
      button.disabled = false;
      button.textContent = now ? 'Unpin' : 'Pin';
      button.setAttribute('aria-label', (now ? 'Unpin ' : 'Pin ') + id);
      button.setAttribute('aria-pressed', now ? 'true' : 'false');
      var n = itemNode(k);
      var tag = n && n.querySelector('.desk-chip-pinned');
      if (now && n && !tag) button.parentNode.appendChild(el('span', { className: 'desk-chip desk-chip-pinned', text: 'Pinned' }));
      if (!now && tag) tag.parentNode.removeChild(tag);
      say((now ? 'Pinned ' : 'Unpinned ') + id);
    }, function (err) {
      button.disabled = false;
      fail(err);
    });
  }

  // ---- pages ---------------------------------------------------------------

  function table(caption, headers) {
    var tbody = el('tbody');
    var t = el('table', { className: 'desk-table' }, [
      el('caption', { text: caption }),
      el('thead', null, [el('tr', null, headers.map(function (h) { return el('th', { scope: 'col', text: h }); }))]),
      tbody,
    ]);
    return { table: t, tbody: tbody };
  }

  function renderPages(panel, focusFirst) {
    var key = el('input', { id: 'page-key', name: 'page', type: 'text', required: true, autocomplete: 'off',
      spellcheck: 'false', placeholder: '/news/2024/an-article', className: 'desk-input', 'aria-describedby': 'page-key-help' });
    var find = el('button', { type: 'submit', className: 'desk-btn', text: 'Find' });
    var all = el('button', { type: 'button', className: 'desk-btn desk-btn-quiet', text: 'All pages', hidden: true });
    var form = el('form', { className: 'desk-inline-form', 'aria-label': 'Find a page', novalidate: true }, [
      el('label', { for: 'page-key', text: 'Page key' }), key, find, all,
      el('p', { id: 'page-key-help', className: 'desk-muted desk-note',
        text: 'Pages are listed newest activity first. The boxes take effect at once.' }),
    ]);
    var t = table('Pages, newest activity first', ['Page', 'Comments', 'Last activity', 'Closed to new comments', 'Pre-moderate every comment']);
    moreBtn = el('button', { type: 'button', className: 'desk-btn desk-more', hidden: true, text: 'Load more',
      onclick: function () { loadPages(t.tbody); } });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var k = key.value.trim();
      if (!k) { showError('Enter the page key.'); key.focus(); return; }
      showError('');
      find.disabled = true;
      api('GET', '/api/v1/admin/pages?page=' + encodeURIComponent(k)).then(function (data) {
        find.disabled = false;
        clear(t.tbody);
        state.rows = [data.page];
        t.tbody.appendChild(pageRow(data.page));
        moreBtn.hidden = true;
        all.hidden = false;
        say('Page ' + data.page.key + ': ' + (data.page.closed ? 'closed' : 'open') + (data.page.premoderate ? ', pre-moderated' : '') + '.');
      }, function (err) {
        find.disabled = false;
        fail(err);
        key.focus();
      });
    });
    all.addEventListener('click', function () { all.hidden = true; key.value = ''; clear(t.tbody); state.rows = []; state.cursor = null; loadPages(t.tbody); });
    panel.appendChild(form);
    panel.appendChild(t.table);
    panel.appendChild(moreBtn);
    loadPages(t.tbody);
    if (focusFirst) key.focus();
  }

  function loadPages(tbody) {
    moreBtn.disabled = true;
    api('GET', '/api/v1/admin/pages?limit=50' + (state.cursor ? '&cursor=' + encodeURIComponent(state.cursor) : ''))
      .then(function (data) {
        if (state.tab !== 'pages') return;
        data.pages.forEach(function (p) { state.rows.push(p); tbody.appendChild(pageRow(p)); });
        state.cursor = data.next_cursor;
        moreBtn.hidden = !state.cursor;
        moreBtn.disabled = false;
        document.getElementById('desk-panel').removeAttribute('aria-busy');
        say(state.rows.length ? state.rows.length + (state.rows.length === 1 ? ' page' : ' pages') + ' shown.' : 'No pages yet.');
      }, function (err) {
        moreBtn.disabled = false;
        fail(err);
      });
  }

  function pageRow(p) {
    var cells = {};
    function toggle(field, label) {
      var box = el('input', { type: 'checkbox', 'data-field': field, checked: !!p[field], 'aria-label': label + ': ' + p.key });
      box.addEventListener('change', function () {
        var want = box.checked;
        var body = { page: p.key };
        body[field] = want;
        box.disabled = true;
        showError('');
        api('POST', '/api/v1/admin/pages', body).then(function (data) {
          box.disabled = false;
          update(data.page);
          say('Saved page ' + data.page.key + (data.page.closed ? ' (closed)' : '') + (data.page.premoderate ? ' (pre-moderated)' : '') + '.');
        }, function (err) {
          box.disabled = false;
          box.checked = !want;
          fail(err);
        });
      });
      return box;
    }
    function update(q) {
      p = q;
      cells.counts.textContent = q.counts.approved + ' published · ' + q.counts.pending + ' pending' +
        (q.counts.rejected ? ' · ' + q.counts.rejected + ' rejected' : '') + (q.counts.spam ? ' · ' + q.counts.spam + ' spam' : '');
      clear(cells.activity);
      cells.activity.appendChild(timeEl(q.last_activity_at));
      cells.closed.checked = !!q.closed;
      cells.premoderate.checked = !!q.premoderate;
      // A title and URL being typed stay while a box is ticked.
      if (!cells.details.querySelector('form')) showDetails();
    }
    // The title and URL readers see, as the first poster's page gave them;
    // a moderator corrects them here (issue 12, finding 7).
    function showDetails() {
      clear(cells.details);
      if (p.title) cells.details.appendChild(el('div', { className: 'desk-muted', 'data-field': 'title', text: p.title }));
      if (p.url) cells.details.appendChild(el('div', { className: 'desk-muted desk-url', 'data-field': 'url', text: p.url }));
      var editBtn = el('button', { type: 'button', className: 'desk-btn desk-btn-quiet desk-edit-page', text: 'Edit title and URL',
        'aria-label': 'Edit title and URL of ' + p.key });
      editBtn.addEventListener('click', editDetails);
      cells.details.appendChild(editBtn);
    }
    function editDetails() {
      clear(cells.details);
      var title = el('input', { type: 'text', name: 'title', maxLength: 300, value: p.title || '', 'aria-label': 'Title of ' + p.key });
      var url = el('input', { type: 'url', name: 'url', maxLength: 2048, value: p.url || '', 'aria-label': 'URL of ' + p.key });
      var save = el('button', { type: 'submit', className: 'desk-btn', text: 'Save' });
      var cancel = el('button', { type: 'button', className: 'desk-btn desk-btn-quiet', text: 'Cancel' });
      var form = el('form', { className: 'desk-page-edit', novalidate: true }, [
        el('label', null, ['Title ', title]), el('label', null, ['URL ', url]), save, cancel,
      ]);
      cancel.addEventListener('click', showDetails);
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        save.disabled = true;
        showError('');
        api('POST', '/api/v1/admin/pages', { page: p.key, title: title.value, url: url.value }).then(function (data) {
          update(data.page);
          showDetails();
          say('Saved the title and URL of page ' + data.page.key + '.');
        }, function (err) {
          save.disabled = false;
          fail(err);
        });
      });
      cells.details.appendChild(form);
      title.focus();
    }
    cells.details = el('div', { className: 'desk-page-details' });
    cells.counts = el('td', { className: 'desk-nowrap' });
    cells.activity = el('td');
    cells.closed = toggle('closed', 'Closed to new comments');
    cells.premoderate = toggle('premoderate', 'Pre-moderate every comment');
    var row = el('tr', { 'data-page': p.key }, [
      el('td', null, [
        el('a', { href: '/t?page=' + encodeURIComponent(p.key), className: 'desk-page', text: p.key }),
        cells.details,
      ]),
      cells.counts,
      cells.activity,
      el('td', { className: 'desk-center' }, [cells.closed]),
      el('td', { className: 'desk-center' }, [cells.premoderate]),
    ]);
    update(p);
    return row;
  }

  // ---- bans ----------------------------------------------------------------

  function renderBans(panel) {
    var ended = el('input', { type: 'checkbox', id: 'bans-all' });
    var t = table('Bans, newest first', ['Author', 'Reason', 'Covers', 'Banned by', 'Since', 'Until', '']);
    moreBtn = el('button', { type: 'button', className: 'desk-btn desk-more', hidden: true, text: 'Load more',
      onclick: function () { loadBans(t.tbody, ended.checked); } });
    ended.addEventListener('change', function () {
      clear(t.tbody);
      state.rows = [];
      state.cursor = null;
      loadBans(t.tbody, ended.checked);
    });
    panel.appendChild(el('div', { className: 'desk-check desk-toolbar' }, [ended, el('label', { for: 'bans-all', text: 'Show ended bans' })]));
    panel.appendChild(t.table);
    panel.appendChild(moreBtn);
    loadBans(t.tbody, false);
  }

  function loadBans(tbody, all) {
    moreBtn.disabled = true;
    api('GET', '/api/v1/admin/bans?limit=50' + (all ? '&all=1' : '') + (state.cursor ? '&cursor=' + encodeURIComponent(state.cursor) : ''))
      .then(function (data) {
        if (state.tab !== 'bans') return;
        data.bans.forEach(function (b) { state.rows.push(b); tbody.appendChild(banRow(b)); });
        var empty = tbody.parentNode.parentNode.querySelector('.desk-empty');
        if (empty) empty.parentNode.removeChild(empty);
        if (!state.rows.length) {
          tbody.parentNode.parentNode.insertBefore(el('p', { className: 'desk-empty', text: all ? 'No bans yet.' : 'No bans in force.' }), tbody.parentNode);
        }
        state.cursor = data.next_cursor;
        moreBtn.hidden = !state.cursor;
        moreBtn.disabled = false;
        document.getElementById('desk-panel').removeAttribute('aria-busy');
        say(state.rows.length + (state.rows.length === 1 ? ' ban' : ' bans') + (all ? ' shown.' : ' in force.'));
      }, function (err) {
        moreBtn.disabled = false;
        fail(err);
      });
  }

  var COVER_LABELS = { address: 'Address', email: 'Email', account: 'Account' };

  function banEnded(b) {
    return b.expires_at !== null && new Date(b.expires_at).getTime() <= Date.now();
  }

  function banRow(b) {
    var until = el('td');
    var action = el('td');
    function paint() {
      clear(until);
      clear(action);
      if (b.expires_at === null) until.appendChild(el('span', { className: 'desk-chip desk-chip-reason', text: 'Permanent' }));
      else {
        if (banEnded(b)) until.appendChild(el('span', { className: 'desk-muted', text: 'Ended ' }));
        until.appendChild(timeEl(b.expires_at));
      }
      if (!banEnded(b)) {
        action.appendChild(el('button', { type: 'button', className: 'desk-btn', text: 'Lift', 'aria-label': 'Lift ban ' + b.id,
          onclick: function (ev) { liftBan(b, ev.currentTarget, paint); } }));
      }
    }
    var covers = el('ul', { className: 'desk-chips', 'aria-label': 'Covers' });
    (b.covers || []).forEach(function (c) { covers.appendChild(chip(COVER_LABELS[c] || c, 'none')); });
    var row = el('tr', { 'data-ban': b.id }, [
      el('td', null, [
        el('span', { className: 'desk-author', text: b.author_name || 'Unknown author' }),
        b.comment_id ? el('div', { className: 'desk-muted desk-id', text: 'from ' + b.comment_id }) : null,
      ]),
      el('td', { text: b.reason || '–' }),
      el('td', null, [covers]),
      el('td', { text: b.created_by }),
      el('td', null, [timeEl(b.created_at)]),
      until,
      action,
    ]);
    paint();
    return row;
  }

  function liftBan(b, button, repaint) {
    var who = b.author_name || 'this author';
    confirmAction('Lift ban ' + b.id + '?', 'Lifting the ban lets ' + who + ' post again at once. The ban stays in the record.', 'Lift ban', button)
      .then(function (yes) {
        if (!yes) return;
        button.disabled = true;
        showError('');
        api('DELETE', '/api/v1/admin/bans/' + encodeURIComponent(b.id)).then(function () {
          b.expires_at = new Date().toISOString();
          repaint();
          say('Lifted ' + b.id + ' on ' + who + '.');
          var row = document.querySelector('tr[data-ban="' + b.id + '"]');
          var next = row && (row.nextElementSibling || row.previousElementSibling);
          var focusTo = next && next.querySelector('button');
          if (focusTo) focusTo.focus(); else document.getElementById('tab-bans').focus();
        }, function (err) {
          button.disabled = false;
          fail(err);
        });
      });
  }

  // ---- users (admins) ------------------------------------------------------

  var ROLES = ['member', 'moderator', 'admin'];

  function renderUsers(panel, focusFirst) {
    var fields = {
      name: el('input', { id: 'user-name', type: 'text', className: 'desk-input', autocomplete: 'off', required: true, maxlength: '64' }),
      email: el('input', { id: 'user-email', type: 'email', className: 'desk-input', autocomplete: 'off', required: true }),
      role: el('select', { id: 'user-role', className: 'desk-input' }, ROLES.map(function (r) {
        return el('option', { value: r, text: r, selected: r === 'moderator' });
      })),
      password: el('input', { id: 'user-password', type: 'password', className: 'desk-input', autocomplete: 'new-password', required: true, minlength: '10', 'aria-describedby': 'user-password-help' }),
    };
    var add = el('button', { type: 'submit', className: 'desk-btn desk-btn-primary', text: 'Add account' });
    var form = el('form', { className: 'desk-form desk-user-form', 'aria-labelledby': 'users-add-title', novalidate: true }, [
      el('h2', { id: 'users-add-title', text: 'Add an account' }),
      el('div', { className: 'desk-user-grid' }, [
        el('div', { className: 'desk-field' }, [el('label', { for: 'user-name', text: 'Name' }), fields.name]),
        el('div', { className: 'desk-field' }, [el('label', { for: 'user-email', text: 'Email' }), fields.email]),
        el('div', { className: 'desk-field' }, [el('label', { for: 'user-role', text: 'Role' }), fields.role]),
        el('div', { className: 'desk-field' }, [el('label', { for: 'user-password', text: 'Password' }), fields.password,
          el('p', { id: 'user-password-help', className: 'desk-muted desk-note', text: 'At least 10 characters; give it to the person privately.' })]),
      ]),
      el('div', null, [add]),
    ]);
    var t = table('Accounts', ['Name', 'Email', 'Role', 'Since', 'Status']);
    moreBtn = el('button', { type: 'button', className: 'desk-btn desk-more', hidden: true, text: 'Load more',
      onclick: function () { loadUsers(t.tbody); } });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var body = { name: fields.name.value.trim(), email: fields.email.value.trim(), role: fields.role.value, password: fields.password.value };
      if (!body.name) { showError('Enter the name.'); fields.name.focus(); return; }
      if (!body.email) { showError('Enter the email address.'); fields.email.focus(); return; }
      if (body.password.length < 10) { showError('The password must be at least 10 characters.'); fields.password.focus(); return; }
      add.disabled = true;
      showError('');
      api('POST', '/api/v1/admin/users', body).then(function (data) {
        add.disabled = false;
        fields.password.value = '';
        fields.name.value = '';
        fields.email.value = '';
        state.rows.push(data.user);
        t.tbody.appendChild(userRow(data.user));
        say('Added ' + data.user.name + ' as ' + data.user.role + '.');
      }, function (err) {
        add.disabled = false;
        fail(err);
        var field = /email/i.test(err.message) ? fields.email : /password/i.test(err.message) ? fields.password : /name/i.test(err.message) ? fields.name : null;
        if (field) field.focus();
      });
    });
    panel.appendChild(t.table);
    panel.appendChild(moreBtn);
    panel.appendChild(form);
    loadUsers(t.tbody);
    if (focusFirst) fields.name.focus();
  }

  function loadUsers(tbody) {
    moreBtn.disabled = true;
    api('GET', '/api/v1/admin/users?limit=100' + (state.cursor ? '&cursor=' + encodeURIComponent(state.cursor) : ''))
      .then(function (data) {
        if (state.tab !== 'users') return;
        data.users.forEach(function (u) { state.rows.push(u); tbody.appendChild(userRow(u)); });
        state.cursor = data.next_cursor;
        moreBtn.hidden = !state.cursor;
        moreBtn.disabled = false;
        document.getElementById('desk-panel').removeAttribute('aria-busy');
        say(state.rows.length + (state.rows.length === 1 ? ' account.' : ' accounts.'));
      }, function (err) {
        moreBtn.disabled = false;
        fail(err);
      });
  }

  function userRow(u) {
    var self = state.user && state.user.id === u.id;
    var role = el('select', { className: 'desk-input', 'aria-label': 'Role of ' + u.name, disabled: self }, ROLES.map(function (r) {
      return el('option', { value: r, text: r, selected: r === u.role });
    }));
    var status = el('span', { className: 'desk-state' });
    var toggle = el('button', { type: 'button', className: 'desk-btn', disabled: self });
    function paint() {
      role.value = u.role;
      status.textContent = u.disabled ? 'Disabled' : 'Active';
      status.className = 'desk-state ' + (u.disabled ? 'desk-state-rejected' : 'desk-state-approved');
      toggle.textContent = u.disabled ? 'Enable' : 'Disable';
      toggle.setAttribute('aria-label', (u.disabled ? 'Enable ' : 'Disable ') + u.name);
    }
    function patch(body, done) {
      showError('');
      role.disabled = true;
      toggle.disabled = true;
      return api('PATCH', '/api/v1/admin/users/' + encodeURIComponent(u.id), body).then(function (data) {
        u = data.user;
        role.disabled = self;
        toggle.disabled = self;
        paint();
        say(done(u));
      }, function (err) {
        role.disabled = self;
        toggle.disabled = self;
        paint();
        fail(err);
      });
    }
    role.addEventListener('change', function () {
      patch({ role: role.value }, function (v) { return v.name + ' is now ' + v.role + '.'; });
    });
    toggle.addEventListener('click', function () {
      if (u.disabled) {
        patch({ disabled: false }, function (v) { return 'Enabled ' + v.name + '.'; });
        return;
      }
      confirmAction('Disable ' + u.name + '?', u.name + ' is signed out everywhere at once and cannot sign in until enabled again.', 'Disable', toggle)
        .then(function (yes) {
          if (yes) patch({ disabled: true }, function (v) { return 'Disabled ' + v.name + '; their sessions have ended.'; });
        });
    });
    paint();
    return el('tr', { 'data-user': u.id }, [
      el('td', null, [el('span', { className: 'desk-author', text: u.name }), self ? el('span', { className: 'desk-badge', text: 'you' }) : null]),
      el('td', { text: u.email }),
      el('td', null, [role]),
      el('td', null, [timeEl(u.created_at)]),
      el('td', { className: 'desk-nowrap' }, [status, ' ', toggle]),
    ]);
  }

  // ---- settings ------------------------------------------------------------

  function loadSettings(panel, focusFirst) {
    api('GET', '/api/v1/admin/settings').then(function (data) {
      if (state.tab !== 'settings') return;
      panel.removeAttribute('aria-busy');
      renderSettings(panel, data, false);
      say(admin() ? 'Settings loaded.' : 'Settings loaded, read only.');
    }, fail);
  }

  function admin() {
    return !!(state.user && state.user.role === 'admin');
  }

  function renderSettings(panel, s, focusFirst) {
    var admin = state.user && state.user.role === 'admin';
    var terms = s.terms || {};
    var fields = {};
    function termArea(name, label, help) {
      var id = 'set-' + name;
      fields[name] = el('textarea', { id: id, name: name, className: 'desk-textarea desk-terms', rows: '8', wrap: 'off',
        spellcheck: 'false', readonly: !admin, 'aria-describedby': id + '-help' });
      fields[name].value = terms[name] || '';
      return el('div', { className: 'desk-field' }, [
        el('label', { for: id, text: label }), fields[name],
        el('p', { id: id + '-help', className: 'desk-muted desk-note', text: help }),
      ]);
    }
    fields.max_links = el('input', { id: 'set-max-links', type: 'number', min: '0', step: '1', readonly: !admin });
    fields.max_links.value = s.max_links;
    fields.hold_suspect = el('input', { id: 'set-hold-suspect', type: 'checkbox', disabled: !admin });
    fields.hold_suspect.checked = !!s.hold_suspect;
    fields.hold_shouting = el('input', { id: 'set-hold-shouting', type: 'checkbox', disabled: !admin });
    fields.hold_shouting.checked = !!s.hold_shouting;
    fields.classifier_threshold = el('input', { id: 'set-threshold', type: 'number', min: '0', max: '1', step: '0.01', readonly: !admin });
    fields.classifier_threshold.value = s.classifier_threshold;
    var save = admin ? el('button', { type: 'submit', className: 'desk-btn desk-btn-primary', text: 'Save' }) : null;
    var form = el('form', { className: 'desk-form desk-settings', 'aria-labelledby': 'settings-title', novalidate: true }, [
      el('h2', { id: 'settings-title', text: 'Term lists and thresholds' }),
      admin ? null : el('p', { className: 'desk-readonly', id: 'settings-readonly',
        text: 'Read only: only admins may change settings.' }),
      el('p', { className: 'desk-muted desk-note',
        text: 'One term per line; # starts a comment; term* matches words beginning with term. Changes apply to the next comment.' }),
      el('div', { className: 'desk-terms-grid' }, [
        termArea('banned', 'Banned terms', 'Comments with these are held (banned term).'),
        termArea('suspect', 'Suspect terms', 'Flagged; held when "Hold suspect" is on.'),
        termArea('allow', 'Allowed words', 'Never matched, e.g. Scunthorpe.'),
      ]),
      el('div', { className: 'desk-terms-wide' }, [
        termArea('targeted', 'Targeted-abuse signals',
          'Flagged; held with the classifier. Sections [dehumanising], [threat], [sexualised], [insult] hold phrases over word classes (@name = a|b|c, ~N skips up to N words, ... up to 12 in one sentence, @name{m,n} repeats); [features] names classes the classifier reads as tags; ' +
          '[coinage-stem] (group and nationality stems), [coinage-insult], [coinage-word], [coinage-suffix], [coinage-allow] and [coinage] hold words, several per line. Format at the top of the list.'),
      ]),
      el('div', { className: 'desk-numbers' }, [
        el('div', { className: 'desk-field' }, [el('label', { for: 'set-max-links', text: 'Most links per comment' }), fields.max_links]),
        el('div', { className: 'desk-field' }, [el('label', { for: 'set-threshold', text: 'Classifier threshold (0–1)' }), fields.classifier_threshold]),
        el('div', { className: 'desk-check' }, [fields.hold_suspect, el('label', { for: 'set-hold-suspect', text: 'Hold comments with suspect terms' })]),
        el('div', { className: 'desk-check' }, [fields.hold_shouting, el('label', { for: 'set-hold-shouting', text: 'Hold comments written mostly in capitals' })]),
      ]),
      el('p', { className: 'desk-muted' }, ['Classifier examples learned from decisions: ',
        el('output', { id: 'set-examples', text: String(s.classifier_examples) })]),
      save ? el('div', null, [save]) : null,
    ]);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (!admin) { showError('Only admins may change settings.'); return; }
      var body = {};
      if (['banned', 'suspect', 'allow', 'targeted'].some(function (n) { return fields[n].value !== (terms[n] || ''); })) {
        body.terms = { banned: fields.banned.value, suspect: fields.suspect.value, allow: fields.allow.value,
          targeted: fields.targeted.value };
      }
      var links = Number(fields.max_links.value);
      if (fields.max_links.value === '' || !isFinite(links)) { showError('Most links per comment must be a number.'); fields.max_links.focus(); return; }
      if (links !== s.max_links) body.max_links = links;
      var thr = Number(fields.classifier_threshold.value);
      if (fields.classifier_threshold.value === '' || !isFinite(thr)) { showError('The classifier threshold must be a number from 0 to 1.'); fields.classifier_threshold.focus(); return; }
      if (thr !== s.classifier_threshold) body.classifier_threshold = thr;
      if (fields.hold_suspect.checked !== !!s.hold_suspect) body.hold_suspect = fields.hold_suspect.checked;
      if (fields.hold_shouting.checked !== !!s.hold_shouting) body.hold_shouting = fields.hold_shouting.checked;
      if (!Object.keys(body).length) { showError(''); say('Nothing to save.'); return; }
      save.disabled = true;
      showError('');
      api('PUT', '/api/v1/admin/settings', body).then(function (data) {
        if (state.tab !== 'settings') return;
        clear(panel);
        renderSettings(panel, data, 'save');
        say('Saved');
      }, function (err) {
        save.disabled = false;
        fail(err);
      });
    });
    panel.appendChild(form);
    if (admin) loadWebhooks(panel);
    if (focusFirst === 'save' && save) save.focus();
  }

  // ---- webhooks (admins) ---------------------------------------------------

  function loadWebhooks(panel) {
    api('GET', '/api/v1/admin/webhooks').then(function (data) {
      if (state.tab !== 'settings') return;
      renderWebhooks(panel, data);
    }, fail);
  }

  function renderWebhooks(panel, data, focus) {
    var old = panel.querySelector('.desk-webhooks');
    var section = el('section', { className: 'desk-form desk-webhooks', 'aria-labelledby': 'hooks-title' });
    if (old) panel.replaceChild(section, old); else panel.appendChild(section);
    var desk = data.endpoints.filter(function (e) { return e.source === 'desk'; }).map(function (e) { return e.url; });
    function put(urls, done) {
      showError('');
      return api('PUT', '/api/v1/admin/webhooks', { endpoints: urls }).then(function (next) {
        renderWebhooks(panel, next, 'add');
        say(done);
      }, fail);
    }
    var list = el('ul', { className: 'desk-hooks' });
    data.endpoints.forEach(function (e) {
      var state_ = e.last_error
        ? 'failing since ' + (e.failing_since || '?') + ': ' + e.last_error
        : (e.delivered ? e.delivered + ' delivered' : 'nothing to deliver yet');
      var test = el('button', { type: 'button', className: 'desk-btn', text: 'Send a test' });
      test.addEventListener('click', function () {
        test.disabled = true;
        api('POST', '/api/v1/admin/webhooks/test', { url: e.url }).then(function (r) {
          test.disabled = false;
          say(r.delivered ? 'Test delivered to ' + e.url + ' (HTTP ' + r.status + ').'
            : 'Test not delivered to ' + e.url + ': ' + r.error);
        }, function (err) { test.disabled = false; fail(err); });
      });
      var remove = null;
      if (e.source === 'desk') {
        remove = el('button', { type: 'button', className: 'desk-btn', text: 'Remove' });
        remove.addEventListener('click', function () {
          confirmAction('Remove this endpoint?', 'Stop sending events to ' + e.url + '?', 'Remove', remove)
            .then(function (yes) {
              if (yes) put(desk.filter(function (u) { return u !== e.url; }), 'Removed ' + e.url);
            });
        });
      }
      list.appendChild(el('li', null, [
        el('code', { text: e.url }), ' ',
        el('span', { className: 'desk-muted', text: (e.source === 'config' ? 'from --webhook · ' : '') + state_ }), ' ',
        test, remove ? ' ' : null, remove,
      ]));
    });
    if (!data.endpoints.length) list.appendChild(el('li', { className: 'desk-muted', text: 'No endpoints yet.' }));
    var url = el('input', { id: 'hook-url', type: 'url', className: 'desk-input', placeholder: 'https://hooks.example.org/amur',
      'aria-describedby': 'hook-url-help' });
    var add = el('form', { className: 'desk-hook-add', novalidate: true }, [
      el('label', { for: 'hook-url', text: 'Add an endpoint' }), ' ', url, ' ',
      el('button', { type: 'submit', className: 'desk-btn desk-btn-primary', text: 'Add' }),
      el('p', { id: 'hook-url-help', className: 'desk-muted desk-note',
        text: 'Every public event (new, approved, edited, deleted comments, votes, closed pages) is POSTed there, signed the Standard Webhooks way. Addresses on private networks are refused.' }),
    ]);
    add.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var u = url.value.trim();
      if (!u) { showError('Type the endpoint\'s URL.'); url.focus(); return; }
      put(desk.concat([u]), 'Added ' + u);
    });
    var secretOut = el('output', { id: 'hook-secret', className: 'desk-muted', text: data.secret_hint || '' });
    var rotate = el('button', { type: 'button', className: 'desk-btn', text: 'Replace the secret' });
    rotate.addEventListener('click', function () {
      confirmAction('Replace the signing secret?',
        'Every receiver must be given the new secret; deliveries from now on are signed with it.',
        'Replace', rotate).then(function (yes) {
        if (!yes) return;
        api('POST', '/api/v1/admin/webhooks/secret', {}).then(function (r) {
          secretOut.textContent = r.secret + ' (shown once: copy it now)';
          say('A new signing secret is in force.');
        }, fail);
      });
    });
    [el('h2', { id: 'hooks-title', text: 'Webhooks' }), list, add,
      el('p', null, ['Signing secret: ', secretOut, ' ', rotate])].forEach(function (n) { section.appendChild(n); });
    if (focus === 'add') url.focus();
  }

  // ---- the audit log -------------------------------------------------------

  function loadAudit(panel, cursor) {
    var table = panel.querySelector('table');
    var tbody;
    if (!table) {
      tbody = el('tbody');
      table = el('table', { className: 'desk-audit' }, [
        el('caption', { text: 'Audit log, newest first' }),
        el('thead', null, [el('tr', null, ['Time', 'Actor', 'Action', 'Comment', 'Reason'].map(function (h) {
          return el('th', { scope: 'col', text: h });
        }))]),
        tbody,
      ]);
      panel.appendChild(table);
      moreBtn = el('button', { type: 'button', className: 'desk-btn desk-more', hidden: true, text: 'Load more',
        onclick: function () { loadAudit(panel, state.cursor); } });
      panel.appendChild(moreBtn);
    } else {
      tbody = table.querySelector('tbody');
    }
    moreBtn.disabled = true;
    api('GET', '/api/v1/admin/audit?limit=50' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''))
      .then(function (data) {
        if (state.tab !== 'audit') return;
        data.entries.forEach(function (e) {
          state.audit.push(e);
          tbody.appendChild(el('tr', null, [
            el('td', null, [timeEl(e.at, true)]),
            el('td', { text: e.actor }),
            el('td', null, [el('span', { className: 'desk-action desk-action-' + String(e.action).replace(/[^a-z_]/g, ''), text: e.action })]),
            el('td', { className: 'desk-id', text: e.comment_id || '–' }),
            el('td', { text: e.reason || '' }),
          ]));
        });
        if (!state.audit.length && !panel.querySelector('.desk-empty')) {
          panel.insertBefore(el('p', { className: 'desk-empty', text: 'No decisions yet.' }), table);
        }
        state.cursor = data.next_cursor;
        moreBtn.hidden = !state.cursor;
        moreBtn.disabled = false;
        panel.removeAttribute('aria-busy');
        say(state.audit.length + ' audit entries shown.');
      }, function (err) {
        moreBtn.disabled = false;
        fail(err);
      });
  }

  // ---- keyboard ------------------------------------------------------------

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === 'input' || tag === 'textarea' || tag === 'select' || target.isContentEditable;
  }

  document.addEventListener('keydown', function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    if (typing(ev.target)) return;
    if (!isModerator(state.user) || !queueInfo(state.tab) || !listEl) return;
    var key = ev.key.toLowerCase();
    if (key === 'j' || key === 'k') {
      if (!state.items.length) return;
      // Stale items (decided elsewhere) are passed over; at either end the
      // selection stays where it is.
      var step = key === 'j' ? 1 : -1;
      var to = state.selected < 0 ? liveFrom(0, 1) : liveFrom(state.selected + step, step);
      if (to >= 0) select(to, true);
      ev.preventDefault();
      return;
    }
    if (key === 'e') {
      if (state.selected < 0 || !state.items[state.selected]) return;
      ev.preventDefault();
      openEditor(state.items[state.selected].id);
      return;
    }
    if (key === 'w') {
      if (state.selected < 0 || !state.items[state.selected]) return;
      var field = document.getElementById('reason-' + state.items[state.selected].id);
      if (field) { ev.preventDefault(); field.focus(); }
      return;
    }
    for (var action in ACTIONS) {
      if (ACTIONS[action].key === key) {
        if (state.selected < 0 || !state.items[state.selected]) return;
        ev.preventDefault();
        decide(state.items[state.selected].id, action);
        return;
      }
    }
  });

  // ---- start ---------------------------------------------------------------

  api('GET', '/api/v1/auth/me').then(function (data) {
    signedIn(data.user, data.csrf_token);
  }, function (err) {
    if (err.status === 401) renderSignIn();
    else { renderSignIn(); showError(err.message); }
  });
})();
