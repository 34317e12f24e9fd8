/* Amur comment widget, the part fetched when first needed: served by amur
 * at /embed-more.js?v=HASH and loaded by /embed.js (its function later()) the first time a reader posts,
 * votes, sorts, loads more comments, previews, opens Subscribe, edits,
 * deletes or reports a comment, or selects text in the article; when the
 * first live update arrives; and at once on a page with inline feedback (the
 * re-anchoring and highlighting of passages are here). What every reader
 * sees at page load (the thread, its forms and buttons) is drawn by embed.js;
 * this file keeps that one small (issue 13: the widget's size).
 * Language: its words are replaceable through window.AmurMessages like those
 * of embed.js; the keys are those of MORE_MESSAGES below.
 * Safety: as embed.js; every string goes in as text. */
(function () {
  'use strict';
  var W = window, D = document;
  var PENDING_MS = 7 * 864e5;

  function plural(one, many) {
    return function (n) { return n === 1 ? one.replace('#', n) : many.replace('#', n); };
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

  // The text of the article `el` as anchoring sees it (white space runs made one
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

  // X: embed.js's helpers (h, add, t, api, capi, change, token, setBody,
  // editedEl, voteCount, repliesOf, EDIT_MS, store, seq, msgs). Returns the
  // functions embed.js calls on demand.
  W.Amur.more = function (X) {
    var h = X.h, add = X.add, t = X.t;

    // Every word of this part. Replace any of them with window.AmurMessages.
    var MORE_MESSAGES = {
      previewEmpty: 'Nothing to preview yet.',
      editLabel: 'Edit your comment',
      save: 'Save',
      saving: 'Saving\u2026',
      saved: 'Your changes were saved.',
      confirmDelete: 'Delete this comment?',
      yesDelete: 'Yes, delete',
      reportLabel: 'Why are you reporting this comment?',
      reason_spam: 'Spam',
      reason_abuse: 'Abuse or harassment',
      reason_off_topic: 'Off topic',
      reason_other: 'Something else',
      sendReport: 'Send report',
      notifyOf: 'Notify of',
      notifyThread: 'new follow-up comments',
      notifyReplies: 'new replies to my comments',
      subscribeEmail: 'Email',
      checkInbox: 'Check your inbox: follow the link in the email to confirm.',
      posting: 'Posting\u2026',
      posted: 'Your comment was posted.',
      removed: 'Your comment was deleted.',
      sorted: 'Comments sorted: {sort}.',
      loaded: plural('# more comment shown.', '# more comments shown.'),
      fresh: plural('# new comment', '# new comments'),
      changed: 'On a passage that has since changed:',
      passageComments: plural('# comment on this passage', '# comments on this passage'),
      commentPassage: 'Comment on this passage'
    };
    X.msgs(MORE_MESSAGES);

    // A plain-text preview with light formatting, built from text nodes only:
    // paragraphs, quotes, lists, code, bold, italics, strike-through. Link
    // targets are shown as text, never turned into links.
    function preview(src, out) {
      out.textContent = '';
      src.replace(/\r\n?/g, '\n').split(/\n\s*\n/).forEach(function (block) {
        if (!block.trim()) return;
        var lines = block.split('\n'), el;
        var all = function (re) { return lines.every(function (l) { return re.test(l); }); };
        if (/^\s*```/.test(block)) {
          el = h('pre', null, h('code', { text: block.replace(/^\s*```[^\n]*\n?|\n?```\s*$/g, '') }));
        } else if (all(/^\s*>/)) {
          el = h('blockquote', null, inline(h('p'), lines.map(function (l) { return l.replace(/^\s*> ?/, ''); }).join('\n')));
        } else if (all(/^\s*[-*+]\s/) || all(/^\s*\d+[.)]\s/)) {
          el = h(/^\s*\d/.test(block) ? 'ol' : 'ul', null, lines.map(function (l) {
            return inline(h('li'), l.replace(/^\s*([-*+]|\d+[.)])\s+/, ''));
          }));
        } else {
          el = inline(h('p'), block.replace(/^\s*#{1,6}\s+/, ''));
        }
        out.appendChild(el);
      });
      if (!out.firstChild) out.appendChild(h('p', { cls: 'amur-hint', text: t('previewEmpty') }));
    }

    // Split by INLINE, text alternates with its 8 groups.
    var INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_|~~([^~]+)~~|\[([^\]]+)\]\(([^)\s]+)[^)]*\)/;
    function inline(el, text) {
      var p = text.split(INLINE), i, x;
      for (i = 0; i < p.length; i += 9) {
        add(el, p[i]);
        if (i + 1 >= p.length) break;
        x = p[i + 2] || p[i + 3];
        el.appendChild(p[i + 1] != null ? h('code', { text: p[i + 1] })
          : x ? inline(h('strong'), x)
          : (x = p[i + 4] || p[i + 5]) ? inline(h('em'), x)
          : p[i + 6] != null ? inline(h('del'), p[i + 6])
          : h('span', { cls: 'amur-link-preview', title: p[i + 8], text: p[i + 7] }));
      }
      return el;
    }

    // The bell `bell` (embed.js's, for page `key`) opens or closes its "Notify
    // of" panel (new follow-up comments or new replies to my comments, for an
    // address that confirms by email first), made on the first press with the
    // id `id` (the bell's aria-controls from then on).
    function subscribe(bell, key, id) {
      var panel = D.getElementById(id), em = D.getElementById(id + 'e');
      if (!panel) {
        em = h('input', { id: id + 'e', type: 'email', required: true, maxlength: 254, autocomplete: 'email' });
        var msg = h('p', { cls: 'amur-notice', role: 'status' }), go = h('button', { type: 'submit', cls: 'amur-button', text: t('subscribe') });
        var radio = function (v, on) {
          return h('label', null, [h('input', { type: 'radio', name: id + 'k', value: v, checked: on }), ' ', t(v === 'thread' ? 'notifyThread' : 'notifyReplies')]);
        };
        panel = h('form', { cls: 'amur-subscribe-form', id: id, hidden: true, novalidate: true }, [
          h('fieldset', null, [h('legend', { text: t('notifyOf') }), radio('thread', true), radio('replies')]),
          h('div', { cls: 'amur-field' }, [h('label', { for: em.id, text: t('subscribeEmail') }), em]), go, msg]);
        panel.addEventListener('submit', function (e) {
          e.preventDefault();
          var kind = panel.querySelector('input:checked').value;
          msg.className = 'amur-notice';
          msg.textContent = '';
          go.disabled = true;
          X.api('POST', 'subscriptions', { kind: kind, page: key, email: em.value.trim() }).then(function () {
            msg.textContent = t('checkInbox');
            em.value = '';
          }, function (x) {
            msg.className = 'amur-error';
            msg.textContent = x.message;
            em.focus();
          }).then(function () { go.disabled = false; });
        });
        bell.after(panel);
        bell.setAttribute('aria-controls', id);
      }
      var open = panel.hidden;
      panel.hidden = !open;
      bell.setAttribute('aria-expanded', String(open));
      if (open) em.focus();
    }

    // Edit, for the comment `it` ({c, li}) whose Edit button is `btn`; `T`
    // is its thread (embed.js's mount()).
    function edit(it, btn, T) {
      var art = it.li.firstChild, body = art.querySelector('.amur-body');
      if (art.querySelector('.amur-editor')) return;
      var ta = h('textarea', { id: 'amur-e' + X.seq(), rows: 4, maxlength: 10000, readonly: true });
      var err = h('p', { cls: 'amur-error', role: 'alert' });
      var save = h('button', { type: 'submit', cls: 'amur-button', text: t('save') });
      var f = h('form', { cls: 'amur-form amur-editor', novalidate: true }, [
        h('div', { cls: 'amur-field' }, [h('label', { for: ta.id, text: t('editLabel') }), ta]),
        err,
        h('div', { cls: 'amur-form-foot' }, [h('button', { type: 'button', cls: 'amur-link', onclick: close, text: t('cancel') }), save])
      ]);
      function close() {
        f.remove();
        body.hidden = false;
        if (btn.isConnected) btn.focus();
      }
      f.addEventListener('keydown', function (e) { if (e.key === 'Escape') close(); });
      body.hidden = true;
      body.after(f);
      ta.focus();
      X.capi('GET', it, '/versions').then(function (r) {
        var v = r.data.versions;
        ta.value = v.length ? v[v.length - 1].body : '';
        ta.readOnly = false;
      }, function (x) { err.textContent = x.message; });
      f.addEventListener('submit', function (e) {
        e.preventDefault();
        if (ta.readOnly || f.getAttribute('aria-busy') === 'true') return;
        var tok = X.token(it.c.id);
        f.setAttribute('aria-busy', 'true');
        save.textContent = t('saving');
        X.capi('PATCH', it, '', { body: ta.value }, tok || '-').then(function (r) {
          ['body_html', 'edited_at', 'edited_by', 'hash'].forEach(function (k) { it.c[k] = r.data[k]; });
          showEdit(it);
          close();
          T.announce(t('saved'));
        }, function (x) {
          err.textContent = x.message;
          gone(it, x);
        }).then(function () {
          f.removeAttribute('aria-busy');
          save.textContent = t('save');
        });
      });
    }

    // Delete, as edit(), after "Yes, delete".
    function del(it, btn, T) {
      var foot = btn.parentNode;
      if (foot.querySelector('.amur-confirm')) return;
      var no = h('button', { type: 'button', cls: 'amur-link', text: t('cancel') });
      var yes = h('button', { type: 'button', cls: 'amur-link amur-danger', text: t('yesDelete') });
      var box = h('span', { cls: 'amur-confirm', role: 'group', 'aria-label': t('confirmDelete') }, [h('span', { text: t('confirmDelete') }), yes, no]);
      foot.appendChild(box);
      no.focus();
      no.addEventListener('click', function () { box.remove(); btn.focus(); });
      yes.addEventListener('click', function () {
        if (yes.getAttribute('aria-busy')) return;
        yes.setAttribute('aria-busy', 'true');
        X.capi('DELETE', it, '', undefined, X.token(it.c.id) || '-').then(function () { deleted(T, it); }, function (x) {
          box.remove();
          T.problem(it, x.message);
          gone(it, x);
          if (btn.isConnected) btn.focus();
        });
      });
    }

    // Report, as edit(). A report goes to the moderators once; the browser
    // remembers it so the button does not come back on the next visit.
    function report(it, btn, T) {
      var foot = btn.parentNode;
      if (foot.querySelector('.amur-report-box')) return;
      var err = h('p', { cls: 'amur-error', role: 'alert' });
      var pick = h('select', { id: 'amur-r' + X.seq() }, ['spam', 'abuse', 'off_topic', 'other'].map(function (r) {
        return h('option', { value: r, text: t('reason_' + r) });
      }));
      var send = h('button', { type: 'submit', cls: 'amur-link amur-danger', text: t('sendReport') });
      var no = h('button', { type: 'button', cls: 'amur-link', text: t('cancel') });
      var box = h('form', { cls: 'amur-confirm amur-report-box', novalidate: true }, [
        h('label', { for: pick.id, text: t('reportLabel') }), pick, send, no, err]);
      function close() {
        box.remove();
        btn.setAttribute('aria-expanded', 'false');
        if (btn.isConnected) btn.focus();
      }
      foot.appendChild(box);
      btn.setAttribute('aria-expanded', 'true');
      pick.focus();
      no.addEventListener('click', close);
      box.addEventListener('keydown', function (e) { if (e.key === 'Escape') close(); });
      box.addEventListener('submit', function (e) {
        e.preventDefault();
        if (send.getAttribute('aria-busy')) return;
        send.setAttribute('aria-busy', 'true');
        X.capi('POST', it, '/reports', { reason: pick.value }).then(function () {
          X.change(function (s) { s.reported[it.c.id] = 1; });
          var done = h('span', { cls: 'amur-reported', text: t('reported') });
          box.remove();
          btn.replaceWith(done);
          T.announce(t('reported'));
        }, function (x) {
          send.removeAttribute('aria-busy');
          err.textContent = x.message;
        });
      });
    }

    // The page's selection, when it lies inside `art` and outside the thread
    // `root`: {quote: {exact, prefix, suffix}, position: {start, end}}, with
    // `passBtn` ("Comment on this passage") shown below it; else null.
    function selection(art, root, passBtn) {
      var s = W.getSelection(), r = s && s.rangeCount && !s.isCollapsed && s.getRangeAt(0);
      if (!r || !art.contains(r.commonAncestorContainer) || root.contains(r.commonAncestorContainer)) return null;
      var m = textModel(art), a = offsetOf(m, r.startContainer, r.startOffset), b = offsetOf(m, r.endContainer, r.endOffset);
      while (a < b && m.text[a] === ' ') a++;
      while (b > a && m.text[b - 1] === ' ') b--;
      if (b - a < 1 || b - a > 1000) return null;
      var box = r.getBoundingClientRect();
      passBtn.style.top = (box.bottom + W.scrollY + 6) + 'px';
      passBtn.style.left = Math.max(0, box.left + W.scrollX) + 'px';
      passBtn.hidden = false;
      return { quote: { exact: m.text.slice(a, b), prefix: m.text.slice(Math.max(0, a - 64), a), suffix: m.text.slice(b, b + 64) },
        position: { start: a, end: b } };
    }

    // After a selection in the thread T's article: T.sel is selection()'s
    // answer, and T.pass, "Comment on this passage" (made here the first
    // time), puts it into the thread's form.
    function select(T) {
      var pass = T.pass;
      if (!pass) {
        pass = T.pass = h('button', { type: 'button', cls: 'amur-w amur-pass', hidden: true, text: t('commentPassage') });
        D.body.appendChild(pass);
        pass.addEventListener('mousedown', function (e) { e.preventDefault(); });
        pass.addEventListener('click', function () {
          var c = T.composer;
          if (!T.sel || !c) return;
          c.quote(T.sel);
          pass.hidden = true;
          c.el.scrollIntoView({ block: 'center' });
          c.ta.focus({ preventScroll: true });
        });
      }
      pass.hidden = true;
      T.sel = selection(T.art, T.root, pass);
    }

    // The model offset (textModel) of a DOM boundary point.
    function offsetOf(m, node, off) {
      var k = node.nodeType === 3 ? m.nodes.indexOf(node) : -1, i;
      if (k >= 0) {
        for (i = m.first[k]; i < m.mn.length && m.mn[i] === k && m.mo[i] < off; i++);
        return i;
      }
      var r = D.createRange();
      r.setStart(node, off);
      for (k = 0; k < m.nodes.length; k++) if (r.comparePoint(m.nodes[k], 0) >= 0) return m.first[k];
      return m.text.length;
    }

    // ---- the thread's work (T: embed.js's thread, see mount()) ----

    // A press on the thread's button `b` (data-act `a`), of the comment `it`
    // when the button is one of a comment's.
    function act(T, a, it, b) {
      if (b.getAttribute('aria-busy')) return;
      if (a === 'sort') return setSort(T, b.getAttribute('data-sort'), b);
      if (a === 'more' || a === 'all') return more(T, a === 'all');
      if (a === 'inline') return showInline(T, -1);
      if (a === 'fresh') return showFresh(T);
      if (a === 'back') return back(T);
      if (!it) return;
      if (a !== 'up' && a !== 'down') return { edit: edit, del: del, report: report }[a](it, b, T);
      b.setAttribute('aria-busy', 'true');
      vote(T, it, a === 'up' ? 1 : -1).then(function () { b.removeAttribute('aria-busy'); });
    }

    // Posts the form `F` (embed.js's form()): a new comment, a reply, or a
    // comment on a quoted passage.
    function post(T, F) {
      var el = F.form, err = F.err, fields = F.fields, q = F.q;
      if (el.getAttribute('aria-busy') === 'true') return;
      err.textContent = '';
      for (var f in fields) { fields[f].removeAttribute('aria-invalid'); fields[f].removeAttribute('aria-describedby'); }
      var req = { page: T.key, body: F.ta.value };
      if (F.parent) req.parent_id = F.parent.id;
      if (q) { req.quote = q.quote; req.position = q.position; }
      if (fields.author_name.value.trim()) req.author_name = fields.author_name.value;
      if (fields.author_email.value.trim()) req.author_email = fields.author_email.value.trim();
      if (F.notify && F.notify.checked) req.notify_replies = true;
      if (T.url && /^https?:/.test(T.url)) req.page_url = T.url;
      if (T.title) req.page_title = T.title.slice(0, 300);
      el.setAttribute('aria-busy', 'true');
      F.submit.textContent = t('posting');
      X.api('POST', 'comments', req).then(function (r) {
        var c = r.data.comment, pending = r.status === 202 || c.state === 'pending';
        X.change(function (s) {
          s.name = fields.author_name.value.trim();
          if (r.data.edit_token) s.tokens[c.id] = { t: r.data.edit_token, e: Date.now() + X.EDIT_MS };
          if (pending) s.pending.push({ c: c, e: Date.now() + PENDING_MS });
        });
        if (!pending) T.count++;
        F.ta.value = '';
        if (q && !pending) { T.inl.push(c); highlight(T); }
        F.quote(null);
        F.pv.setAttribute('aria-pressed', 'false');
        F.view.hidden = true;
        if (F.parent) T.closeReply(false);
        T.fresh = T.fresh.filter(function (f) { return f.id !== c.id; });
        tell(T);
        T.follow();
        var li = T.place(c, pending);
        li.classList.add('amur-new');
        li.firstChild.focus({ preventScroll: true });
        li.scrollIntoView({ block: 'nearest' });
        T.announce(t(pending ? 'awaiting' : 'posted'));
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
        F.submit.textContent = t('post');
      });
    }

    // The body and "Last edited" line of it.c on screen.
    function showEdit(it) {
      var art = it.li.firstChild, body = art.querySelector('.amur-body'), old = art.querySelector('.amur-main > .amur-edited');
      if (!body) return;
      X.setBody(body, it.c.body_html);
      if (old) old.remove();
      var ed = X.editedEl(it.c);
      if (ed) body.after(ed);
    }

    // The counts of it.c on screen; `mine` (1, -1 or 0), when given, the
    // reader's own vote.
    function showVotes(it, mine) {
      [1, 0].forEach(function (up) {
        var art = it.li.firstChild, span = art.querySelector('.amur-n-' + (up ? 'up' : 'down'));
        if (mine !== undefined) art.querySelector('.amur-vote-' + (up ? 'up' : 'down')).setAttribute('aria-pressed', String(mine === (up || -1)));
        if (span) span.replaceWith(X.voteCount(it.c, up));
      });
    }

    function vote(T, it, dir) {
      var now = X.store().votes[it.c.id] || 0, value = now === dir ? 0 : dir;
      return X.capi('POST', it, '/votes', { value: value }).then(function (r) {
        var d = r.data, c = it.c;
        X.change(function (s) {
          if (d.voter_id) s.voter = d.voter_id;
          if (d.my_vote) s.votes[c.id] = d.my_vote; else delete s.votes[c.id];
        });
        c.upvotes = d.upvotes;
        c.downvotes = d.downvotes;
        showVotes(it, d.my_vote);
        T.problem(it, '');
      }, function (x) { T.problem(it, x.message); });
    }

    function dropToken(id) { X.change(function (s) { delete s.tokens[id]; }); }

    // After Edit or Delete failed with `x`: the buttons go when the server
    // says the comment is no longer the reader's to change.
    function gone(it, x) {
      if (x.code === 'edit_window_closed' || x.code === 'not_allowed') {
        dropToken(it.c.id);
        it.li.firstChild.querySelectorAll('[data-act="edit"],[data-act="del"]').forEach(function (b) { b.remove(); });
      }
    }

    // After the server deleted it.c: gone from the thread, unless the live
    // stream took it away already.
    function deleted(T, it) {
      dropToken(it.c.id);
      if (T.items[it.c.id] === it && it.c.state !== 'deleted') {
        remove(T, it);
        T.count = Math.max(0, T.count - 1);
      }
      T.refresh();
      T.countEl.focus();
      T.announce(t('removed'));
    }

    // Gone from the thread: a tombstone while replies remain; a tombstone
    // without replies disappears too.
    function remove(T, it) {
      var ol = X.repliesOf(it.li);
      if (ol && ol.children.length) {
        it.c.state = 'deleted';
        it.li.replaceChild(T.article(it.c), it.li.firstChild);
        return;
      }
      var up = it.li.parentNode.closest('.amur-item');
      it.li.remove();
      delete T.items[it.c.id];
      if (up) {
        var rest = X.repliesOf(up);
        if (rest && !rest.children.length) rest.remove();
        var p = T.items[up.getAttribute('data-id')];
        if (p && p.c.state === 'deleted' && !X.repliesOf(up)) remove(T, p);
      }
    }

    // Load more (`all`: View all, page after page).
    function more(T, all) {
      var list = T.list;
      if (T.busy || !T.cursor) return;
      T.busy = true;
      list.setAttribute('aria-busy', 'true');
      T.alertEl.textContent = '';
      var before = list.children.length, first = null;
      (function next(rounds) {
        return T.load(T.cursor, all ? 200 : 0).then(function (d) {
          var f = T.fill(d, true);
          first = first || f;
          if (all && T.cursor && rounds < 100) return next(rounds + 1);
        });
      })(0).then(function () {
        T.announce(t('loaded', list.children.length - before));
        if (T.pager.hidden && first) first.firstChild.focus();
      }, function (x) { T.alertEl.textContent = x.message; }).then(function () {
        T.busy = false;
        list.removeAttribute('aria-busy');
      });
    }

    function setSort(T, s, btn) {
      if (T.busy || s === T.sort) return;
      T.busy = true;
      var was = T.sort;
      T.sort = s;
      T.list.setAttribute('aria-busy', 'true');
      T.alertEl.textContent = '';
      T.load().then(function (d) {
        T.sortBar.querySelectorAll('button').forEach(function (b) {
          b.setAttribute('aria-pressed', String(b === btn));
        });
        T.fill(d, false);
        T.announce(t('sorted', { sort: t(s) }));
      }, function (x) {
        T.sort = was;
        T.alertEl.textContent = x.message;
      }).then(function () {
        T.busy = false;
        T.list.removeAttribute('aria-busy');
      });
    }

    // View all comments, from the Inline Feedbacks tab.
    function back(T) {
      T.busy = true;
      T.load().then(function (d) { T.fill(d, false); }, function (x) { T.alertEl.textContent = x.message; })
        .then(function () { T.busy = false; });
    }

    // ---- live updates (GET /api/v1/events; embed.js's follow() listens) ----
    // New comments wait behind a notice, so nothing moves under the reader
    // or their half-typed reply; votes, edits and removals apply in place.
    // `type`: created, edited, voted, deleted, hidden or reset; `data`: the
    // event's data.

    function event(T, type, data) {
      if (type === 'reset') {
        T.fresh = [];
        tell(T);
        return T.load().then(function (d) { T.fill(d, false); });
      }
      var c = JSON.parse(data).comment, it = T.items[c.id];
      if (type === 'created') {
        if (it && it.li.classList.contains('amur-pending')) {
          it.li.classList.remove('amur-pending');
          it.c = c;
          it.li.replaceChild(T.article(c), it.li.firstChild);
        } else if (!it && !T.fresh.some(function (f) { return f.id === c.id; })) {
          T.fresh.push(c);
          tell(T);
        }
      } else if (type === 'edited' || type === 'voted') {
        T.fresh.forEach(function (f, i) { if (f.id === c.id) T.fresh[i] = c; });
        if (!it) return;
        ['body_html', 'edited_at', 'edited_by', 'upvotes', 'downvotes', 'score'].forEach(function (k) { it.c[k] = c[k]; });
        if (type === 'edited') showEdit(it); else showVotes(it);
      } else {
        T.fresh = T.fresh.filter(function (f) { return f.id !== c.id; });
        tell(T);
        if (!it || it.c.state === 'deleted') return;
        remove(T, it);
        T.count = Math.max(0, T.count - 1);
        T.refresh();
      }
    }

    function tell(T) {
      T.notice.hidden = !T.fresh.length;
      T.notice.textContent = t('fresh', T.fresh.length);
    }

    function showFresh(T) {
      var first = null;
      T.fresh.forEach(function (c) {
        if (T.items[c.id] || (c.parent_id && !T.items[c.parent_id])) return;
        var li = T.place(c);
        li.classList.add('amur-new');
        first = first || li;
        T.count++;
      });
      T.fresh = [];
      tell(T);
      T.refresh();
      if (first) first.firstChild.focus({ preventScroll: true });
    }

    // ---- inline feedback: passages of the article ----

    function unmark(art) {
      art.querySelectorAll('.amur-hl-n').forEach(function (x) { x.remove(); });
      art.querySelectorAll('mark.amur-hl').forEach(function (mk) {
        var p = mk.parentNode;
        while (mk.firstChild) p.insertBefore(mk.firstChild, mk);
        mk.remove();
        p.normalize();
      });
    }

    // Places every inline comment (T.inl) on its passage (anchor) and marks
    // each placed passage once, with the number of comments on it; the
    // passages, placed or not, are T.groups.
    function highlight(T) {
      var art = T.art, by = {}, model = null, groups = T.groups = [];
      if (art) {
        if (!T.marked) {
          // Activating a highlight (mouse or keyboard) shows its passage's comments.
          T.marked = function (e) {
            var mk = e.target.closest && e.target.closest('mark.amur-hl'), g = mk && mk.getAttribute('data-amur-g');
            if (!g || g.split(':')[0] !== String(T.n)) return;
            if (e.type === 'keydown' && e.key !== 'Enter' && e.key !== ' ') return;
            e.preventDefault();
            showInline(T, +g.split(':')[1]);
          };
          art.addEventListener('click', T.marked);
          art.addEventListener('keydown', T.marked);
        }
        unmark(art);
        model = textModel(art);
      }
      T.inl.forEach(function (c) {
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
        wrap(model, g, T.n + ':' + gi);
      }
      T.sortBar.lastChild.hidden = T.sortBar.lastChild.previousSibling.hidden = !groups.length;
      T.refresh();
    }

    // Marks the passage of the group `g` in the article (`model`: its
    // textModel), as data-amur-g `id`.
    function wrap(model, g, id) {
      var segs = [], i, k = -1;
      for (i = g.a.start; i < g.a.end; i++) {
        if (model.mn[i] !== k) segs.push({ k: (k = model.mn[i]), from: model.mo[i] });
        segs[segs.length - 1].to = model.mo[i] + 1;
      }
      var marks = segs.reverse().map(function (sg) {
        var node = model.nodes[sg.k];
        if (sg.to < node.data.length) node.splitText(sg.to);
        var part = sg.from ? node.splitText(sg.from) : node;
        var mk = h('mark', { cls: 'amur-hl', 'data-amur-g': id });
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

    // The Inline Feedbacks tab: every passage with its comments; `focus`, a
    // group index, is scrolled to and focused.
    function showInline(T, focus) {
      T.clear('inline');
      var target = null;
      (T.groups || []).forEach(function (g, gi) {
        var li = h('li', { cls: 'amur-passage', tabindex: '-1' }, [
          h('p', { cls: 'amur-hint', text: t(g.a || !T.art ? 'onPassage' : 'changed') }),
          h('blockquote', { cls: 'amur-quote' }, h('p', { text: g.quote.exact })),
          h('ol', { cls: 'amur-replies' }, g.cs.map(function (c) { return T.item(c); }))]);
        T.list.appendChild(li);
        if (gi === focus) target = li;
      });
      T.refresh();
      if (target) {
        target.scrollIntoView({ block: 'start' });
        target.focus({ preventScroll: true });
      }
    }

    return { preview: preview, subscribe: subscribe, select: select, act: act, post: post, event: event, highlight: highlight };
  };
})();
