/* Amur comment widget, the part fetched on first use: served by amur at
 * /embed-more.js?v=HASH and loaded by /embed.js (its function later()) the
 * first time a reader previews a comment, opens Subscribe, edits, deletes or
 * reports a comment, or selects text in the article. Everything a reader sees when the
 * page loads (the thread, votes, replying, sorting, live updates, the
 * highlighted passages) is in embed.js; this file keeps that one small
 * (issue 13: the widget's size).
 * Language: its words are replaceable through window.AmurMessages like those
 * of embed.js; the keys are those of MORE_MESSAGES below.
 * Safety: as embed.js; every string goes in as text. */
(function () {
  'use strict';
  var W = window, D = document;

  // X: embed.js's helpers (h, add, t, api, capi, change, token, textModel,
  // seq, msgs). Returns the functions embed.js calls on demand.
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
      checkInbox: 'Check your inbox: follow the link in the email to confirm.'
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
    // is its thread's (announce, showEdit, gone, problem, deleted).
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
          T.showEdit(it);
          close();
          T.announce(t('saved'));
        }, function (x) {
          err.textContent = x.message;
          T.gone(it, x);
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
        X.capi('DELETE', it, '', undefined, X.token(it.c.id) || '-').then(function () { T.deleted(it); }, function (x) {
          box.remove();
          T.problem(it, x.message);
          T.gone(it, x);
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
    function select(art, root, passBtn) {
      var s = W.getSelection(), r = s && s.rangeCount && !s.isCollapsed && s.getRangeAt(0);
      if (!r || !art.contains(r.commonAncestorContainer) || root.contains(r.commonAncestorContainer)) return null;
      var m = X.textModel(art), a = offsetOf(m, r.startContainer, r.startOffset), b = offsetOf(m, r.endContainer, r.endOffset);
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

    return { preview: preview, subscribe: subscribe, edit: edit, del: del, report: report, select: select };
  };
})();
