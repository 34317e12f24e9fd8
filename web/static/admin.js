/* Amur: the moderation desk (GET /admin).
   Served at /assets/admin.js. Plain JavaScript, same origin only: it talks to
   /api/v1/auth/* and /api/v1/admin/* with the session cookie and sends the
   session's CSRF token on every POST. Everything user-supplied is written with
   textContent, except body_html, which the server has already sanitised. */
(function () {
  'use strict';

  var QUEUES = [
    { state: 'pending', label: 'Pending', empty: 'Nothing is waiting for a decision.' },
    { state: 'reported', label: 'Reported', empty: 'No reported comments.' },
    { state: 'rejected', label: 'Rejected', empty: 'No rejected comments.' },
    { state: 'spam', label: 'Spam', empty: 'Nothing marked as spam.' },
  ];
  var ACTIONS = {
    approve: { key: 'a', label: 'Approve', done: 'Approved', state: 'approved' },
    reject: { key: 'r', label: 'Reject', done: 'Rejected', state: 'rejected' },
    spam: { key: 's', label: 'Spam', done: 'Marked as spam', state: 'spam' },
    ban: { key: 'b', label: 'Ban author', done: 'Banned the author of', state: null },
  };
  var BAN_DAYS = 30;
  // Tabs that are not queues: no list, no decision keys.
  var TOOLS = [
    { state: 'pages', label: 'Pages' },
    { state: 'settings', label: 'Settings' },
    { state: 'audit', label: 'Audit log' },
  ];
  var REASON_LABELS = {
    premoderation: 'Pre-moderation',
    banned_term: 'Banned term',
    suspect_term: 'Suspect term',
    link_limit: 'Too many links',
    near_duplicate: 'Near-duplicate',
    repeated_post: 'Repeated post',
    classifier: 'Classifier',
    reports: 'Reader reports',
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
  };

  var main = document.getElementById('desk-main');
  var alertBox = document.getElementById('desk-alert');
  var statusLine = document.getElementById('desk-status');
  var userBox = document.getElementById('desk-user');
  var listEl = null;
  var moreBtn = null;

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

  function ApiError(status, message) {
    this.status = status;
    this.message = message;
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
          throw new ApiError(r.status, msg);
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
    QUEUES.concat(TOOLS).forEach(function (q, n) {
      tabs.appendChild(el('button', {
        type: 'button', role: 'tab', id: 'tab-' + q.state, 'data-tab': q.state,
        'aria-selected': q.state === state.tab ? 'true' : 'false', 'aria-controls': 'desk-panel',
        tabindex: q.state === state.tab ? '0' : '-1',
        className: 'desk-tab' + (n === QUEUES.length ? ' desk-tab-tools' : ''),
        text: q.label,
        onclick: function () { selectTab(q.state, true); },
      }));
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
      el('kbd', { text: 'S' }), ' spam · ', el('kbd', { text: 'E' }), ' edit · ',
      el('kbd', { text: 'B' }), ' ban author (' + BAN_DAYS + ' days) and reject',
    ]));
    main.appendChild(el('section', { id: 'desk-panel', role: 'tabpanel', className: 'desk-panel', 'aria-labelledby': 'tab-' + state.tab }));
    loadTab();
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
    listEl = null;
    moreBtn = null;
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
    var q = queueInfo(state.tab);
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

    var buttons = el('div', { className: 'desk-actions', role: 'group', 'aria-label': 'Decision on ' + c.id });
    Object.keys(ACTIONS).forEach(function (action) {
      var a = ACTIONS[action];
      var same = a.state && a.state === c.state;
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
      buttons,
    ]);
    item.addEventListener('click', function (ev) {
      if (ev.target.closest('a, button, summary, textarea, .desk-editor')) return;
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

  function decide(id, action) {
    if (state.busy) return;
    var i = indexOf(id);
    if (i < 0) return;
    var c = state.items[i];
    var a = ACTIONS[action];
    if (a.state && a.state === c.state) {
      say(c.id + ' is already ' + c.state + '.');
      return;
    }
    state.busy = true;
    showError('');
    var node = itemNode(i);
    if (node) node.classList.add('is-busy');
    var done;
    if (action === 'ban') {
      done = api('POST', '/api/v1/admin/bans', { comment_id: id, days: BAN_DAYS, reason: 'banned from the moderation desk' })
        .then(function () {
          return api('POST', '/api/v1/admin/comments/' + encodeURIComponent(id) + '/decision',
            { action: 'reject', reason: 'author banned' });
        })
        .then(function () { return 'Banned the author of ' + id + ' for ' + BAN_DAYS + ' days and rejected ' + id; });
    } else {
      done = api('POST', '/api/v1/admin/comments/' + encodeURIComponent(id) + '/decision', { action: action })
        .then(function () { return a.done + ' ' + id; });
    }
    done.then(function (message) {
      state.busy = false;
      removeItem(id);
      say(message);
    }, function (err) {
      if (node) node.classList.remove('is-busy');
      fail(err);
    });
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
      select(Math.min(i, state.items.length - 1), true);
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

  function checkbox(id, label) {
    var box = el('input', { type: 'checkbox', id: id, name: id });
    return { box: box, row: el('div', { className: 'desk-check' }, [box, el('label', { for: id, text: label })]) };
  }

  function renderPages(panel, focusFirst) {
    panel.removeAttribute('aria-busy');
    var key = el('input', { id: 'page-key', name: 'page', type: 'text', required: true, autocomplete: 'off',
      spellcheck: 'false', placeholder: '/news/2024/an-article', 'aria-describedby': 'page-key-help' });
    var closed = checkbox('page-closed', 'Closed to new comments');
    var premod = checkbox('page-premoderate', 'Pre-moderate every comment');
    var submit = el('button', { type: 'submit', className: 'desk-btn desk-btn-primary', text: 'Apply' });
    var result = el('div', { className: 'desk-page-state', 'aria-live': 'polite' });
    var form = el('form', { className: 'desk-form', 'aria-labelledby': 'pages-title', novalidate: true }, [
      el('h2', { id: 'pages-title', text: 'Page settings' }),
      el('label', { for: 'page-key', text: 'Page key' }), key,
      el('p', { id: 'page-key-help', className: 'desk-muted desk-note',
        text: 'The page key as in the thread link (the page must already have comments or a thread). Both boxes are applied as shown.' }),
      closed.row, premod.row,
      el('div', null, [submit]),
    ]);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (!key.value.trim()) { showError('Enter the page key.'); key.focus(); return; }
      submit.disabled = true;
      showError('');
      api('POST', '/api/v1/admin/pages', { page: key.value.trim(), closed: closed.box.checked, premoderate: premod.box.checked })
        .then(function (data) {
          submit.disabled = false;
          var p = data.page;
          closed.box.checked = !!p.closed;
          premod.box.checked = !!p.premoderate;
          clear(result);
          result.appendChild(el('h3', { text: 'Page ' + p.key }));
          result.appendChild(el('dl', { className: 'desk-dl' }, [
            el('dt', { text: 'Title' }), el('dd', { text: p.title || '–' }),
            el('dt', { text: 'Address' }), el('dd', { text: p.url || '–' }),
            el('dt', { text: 'New comments' }), el('dd', { 'data-field': 'closed', text: p.closed ? 'Closed' : 'Open' }),
            el('dt', { text: 'Pre-moderation' }), el('dd', { 'data-field': 'premoderate', text: p.premoderate ? 'Every comment is held' : 'Off' }),
          ]));
          say('Saved page ' + p.key + (p.closed ? ' (closed)' : '') + '.');
        }, function (err) {
          submit.disabled = false;
          fail(err);
          key.focus();
        });
    });
    panel.appendChild(form);
    panel.appendChild(result);
    say('Pages: close a page or pre-moderate it.');
    if (focusFirst) key.focus();
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
      el('div', { className: 'desk-numbers' }, [
        el('div', { className: 'desk-field' }, [el('label', { for: 'set-max-links', text: 'Most links per comment' }), fields.max_links]),
        el('div', { className: 'desk-field' }, [el('label', { for: 'set-threshold', text: 'Classifier threshold (0–1)' }), fields.classifier_threshold]),
        el('div', { className: 'desk-check' }, [fields.hold_suspect, el('label', { for: 'set-hold-suspect', text: 'Hold comments with suspect terms' })]),
      ]),
      el('p', { className: 'desk-muted' }, ['Classifier examples learned from decisions: ',
        el('output', { id: 'set-examples', text: String(s.classifier_examples) })]),
      save ? el('div', null, [save]) : null,
    ]);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (!admin) { showError('Only admins may change settings.'); return; }
      var body = {};
      if (['banned', 'suspect', 'allow'].some(function (n) { return fields[n].value !== (terms[n] || ''); })) {
        body.terms = { banned: fields.banned.value, suspect: fields.suspect.value, allow: fields.allow.value };
      }
      var links = Number(fields.max_links.value);
      if (fields.max_links.value === '' || !isFinite(links)) { showError('Most links per comment must be a number.'); fields.max_links.focus(); return; }
      if (links !== s.max_links) body.max_links = links;
      var thr = Number(fields.classifier_threshold.value);
      if (fields.classifier_threshold.value === '' || !isFinite(thr)) { showError('The classifier threshold must be a number from 0 to 1.'); fields.classifier_threshold.focus(); return; }
      if (thr !== s.classifier_threshold) body.classifier_threshold = thr;
      if (fields.hold_suspect.checked !== !!s.hold_suspect) body.hold_suspect = fields.hold_suspect.checked;
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
    if (focusFirst === 'save' && save) save.focus();
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
      select(state.selected < 0 ? 0 : state.selected + (key === 'j' ? 1 : -1), true);
      ev.preventDefault();
      return;
    }
    if (key === 'e') {
      if (state.selected < 0 || !state.items[state.selected]) return;
      ev.preventDefault();
      openEditor(state.items[state.selected].id);
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
