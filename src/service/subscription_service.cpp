#include "service/subscription_service.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <map>

#include "notify/mail_message.hpp"
#include "render/html_escape.hpp"
#include "service/comment_service.hpp"
#include "service/events.hpp"

namespace amur::service {

namespace {

using std::chrono::milliseconds;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The comment's author's address as subscriptions store them, or "".
std::string AuthorAddress(const Comment& c) {
  return c.author_email ? Lower(*c.author_email) : std::string();
}

// Words for one subscription ("new comments on “Title”").
std::string Describe(const SubscriptionView& v) {
  switch (v.subscription.kind) {
    case SubscriptionKind::kThread: {
      const std::string name = v.page_title && !v.page_title->empty() ? *v.page_title : v.page_key;
      return "new comments on \u201c" + name + "\u201d";
    }
    case SubscriptionKind::kReplies:
      return "replies to your comments";
    case SubscriptionKind::kModeration:
      return "comments held for moderation";
  }
  return "";
}

// True when the event made the comment visible to readers.
bool Publishes(const Event& e) {
  return e.visibility == EventVisibility::kPublic &&
         (e.type == event_type::kCommentCreated || e.type == event_type::kCommentApproved);
}

bool Holds(const Event& e) {
  return e.visibility == EventVisibility::kStaff && e.type == event_type::kCommentCreated;
}

// Queues one notification of `c` for `sub`; false when it had one already.
bool QueueFor(store::StoreSession& s, const Subscription& sub, const Comment& c, const char* reason,
              TimeMs now) {
  Notification n;
  n.email = sub.email;
  n.comment_id = c.id;
  n.subscription_id = sub.id;
  n.page_id = c.page_id;
  n.reason = reason;
  n.created_at = now;
  return s.QueueNotification(n);
}

}  // namespace

SubscriptionService::SubscriptionService(NotifyConfig config, const Clock& clock, Random& random)
    : config_(std::move(config)), clock_(clock), random_(random) {}

std::string SubscriptionService::Link(const char* path, const std::string& token) const {
  return config_.site.public_url + path + "?token=" + token;
}

std::string SubscriptionService::NewToken(store::StoreSession& s, const char* purpose,
                                          const std::string& email,
                                          std::optional<std::int64_t> subscription_id,
                                          milliseconds valid) {
  const std::string token = RandomToken(random_, 32);
  MailToken t;
  t.token_hash = Sha256Hex(token);
  t.purpose = purpose;
  t.email = email;
  t.subscription_id = subscription_id;
  t.created_at = clock_.NowMs();
  t.expires_at = t.created_at + valid.count();
  s.InsertMailToken(t);
  return token;
}

std::int64_t SubscriptionService::QueueMail(store::StoreSession& s, const std::string& email,
                                            const char* kind,
                                            std::optional<std::int64_t> subscription_id,
                                            std::optional<PageId> page_id,
                                            notify::MailParts parts) {
  OutboxMail m;
  m.email = email;
  m.kind = kind;
  m.subscription_id = subscription_id;
  m.page_id = page_id;
  m.created_at = clock_.NowMs();
  m.next_attempt_at = m.created_at;
  const std::int64_t id = s.InsertMail(m);
  // Fixed now, with the text: every retry sends the same Message-ID.
  const std::string message_id =
      "<amur." + std::to_string(id) + "." + RandomToken(random_, 9) + "@" + config_.site.host + ">";
  parts.message_id = message_id;
  parts.date = m.created_at;
  s.SetMailText(id, message_id, notify::BuildMessage(parts, message_id));
  return id;
}

std::pair<std::string, std::string> SubscriptionService::MailLinks(store::StoreSession& s,
                                                                   const Subscription& sub) {
  return {Link("/subscriptions/unsubscribe",
               NewToken(s, "unsubscribe", sub.email, sub.id, config_.link_valid)),
          Link("/subscriptions/manage",
               NewToken(s, "manage", sub.email, std::nullopt, config_.link_valid))};
}

std::vector<SubscriptionView> SubscriptionService::Views(store::StoreSession& s,
                                                         std::vector<Subscription> subs) {
  std::vector<SubscriptionView> out;
  out.reserve(subs.size());
  for (auto& sub : subs) {
    SubscriptionView v;
    if (sub.page_id) {
      if (auto p = s.FindPageById(*sub.page_id)) {
        v.page_key = p->key;
        v.page_title = p->title;
      }
    }
    v.subscription = std::move(sub);
    out.push_back(std::move(v));
  }
  return out;
}

bool SubscriptionService::MaybeSendConfirmation(store::StoreSession& s, const std::string& email) {
  const TimeMs now = clock_.NowMs();
  if (s.CountOpenMailTokens(email, "confirm", now) > 0) return false;
  if (s.CountMailsSince(email, "confirm", now - config_.confirm_gap.count()) > 0) return false;
  std::vector<std::string> what;
  for (const auto& v : Views(s, s.ListSubscriptionsByEmail(email))) {
    if (!v.subscription.confirmed) what.push_back(Describe(v));
  }
  if (what.empty()) return false;
  const std::string token = NewToken(s, "confirm", email, std::nullopt, config_.confirm_valid);
  QueueMail(s, email, "confirm", std::nullopt, std::nullopt,
            notify::ConfirmationMail(config_.site, email, what,
                                     Link("/subscriptions/confirm", token), "", 0));
  return true;
}

Result<SubscribeOutcome> SubscriptionService::Subscribe(store::StoreSession& s,
                                                        const SubscribeRequest& r) {
  if (!config_.enabled) {
    return MakeError(ErrorCode::kNotAllowed, "Email notifications are not enabled on this server.");
  }
  if (r.kind.empty()) return MakeError(ErrorCode::kMissingField, "kind is missing.", "kind");
  const auto kind = ParseSubscriptionKind(r.kind);
  if (!kind) {
    return MakeError(ErrorCode::kInvalidField,
                     "kind must be \"thread\", \"replies\" or \"moderation\".", "kind");
  }
  Subscription sub;
  sub.kind = *kind;
  sub.created_at = clock_.NowMs();
  SubscribeOutcome out;
  if (*kind == SubscriptionKind::kModeration) {
    if (!r.member) {
      return MakeError(ErrorCode::kUnauthorized,
                       "Sign in as a moderator to get held comments by email.");
    }
    if (!r.member->CanModerate()) {
      return MakeError(ErrorCode::kNotAllowed, "Only moderators can get held comments by email.");
    }
  }
  if (*kind == SubscriptionKind::kThread) {
    const std::string key = r.page_key.value_or("");
    if (auto st = ValidatePageKey(key, "page"); !st) return st.error();
    store::UpsertPageRequest up;
    up.key = key;
    up.now = sub.created_at;
    const Page page = s.UpsertPage(up);
    sub.page_id = page.id;
    out.page_key = page.key;
  }
  if (r.member) {
    sub.email = Lower(r.member->email);
    sub.user_id = r.member->id;
    sub.confirmed = true;
  } else {
    if (!r.email || r.email->empty()) {
      return MakeError(ErrorCode::kMissingField, "email is missing.", "email");
    }
    if (r.email->size() > 254) {
      return MakeError(ErrorCode::kTooLong, "The email address is longer than 254 bytes.", "email");
    }
    auto email = notify::NormalizeMailAddress(*r.email);
    if (!email) {
      return MakeError(ErrorCode::kInvalidField,
                       "email must be one plain address such as name@example.com.", "email");
    }
    sub.email = *email;
  }
  const auto before = s.ListSubscriptionsByEmail(sub.email).size();
  out.subscription = s.UpsertSubscription(sub);
  out.created = s.ListSubscriptionsByEmail(sub.email).size() > before;
  out.confirmed = out.subscription.confirmed;
  if (!out.subscription.confirmed) out.confirmation_sent = MaybeSendConfirmation(s, sub.email);
  return out;
}

Result<ConfirmOutcome> SubscriptionService::Confirm(store::StoreSession& s,
                                                    const std::string& token) {
  const TimeMs now = clock_.NowMs();
  auto t = s.FindMailToken(Sha256Hex(token));
  if (!t || t->purpose != "confirm" || t->expires_at < now) {
    return MakeError(ErrorCode::kNotFound,
                     "This confirmation link is unknown or has expired; subscribe again.");
  }
  ConfirmOutcome out;
  out.email = t->email;
  out.confirmed = s.ConfirmSubscriptions(t->email, now);
  s.MarkMailTokenUsed(t->token_hash, now);
  out.manage_token = NewToken(s, "manage", t->email, std::nullopt, config_.link_valid);
  return out;
}

Result<std::string> SubscriptionService::Unsubscribe(store::StoreSession& s,
                                                     const std::string& token) {
  const TimeMs now = clock_.NowMs();
  auto t = s.FindMailToken(Sha256Hex(token));
  if (!t || t->purpose != "unsubscribe" || t->expires_at < now) {
    return MakeError(ErrorCode::kNotFound, "This unsubscribe link is unknown or has expired.");
  }
  if (t->subscription_id) s.DeleteSubscription(*t->subscription_id);
  s.MarkMailTokenUsed(t->token_hash, now);
  return t->email;
}

Result<ManageView> SubscriptionService::Manage(store::StoreSession& s, const std::string& token) {
  auto t = s.FindMailToken(Sha256Hex(token));
  if (!t || t->purpose != "manage" || t->expires_at < clock_.NowMs()) {
    return MakeError(ErrorCode::kNotFound, "This link is unknown or has expired.");
  }
  ManageView v;
  v.email = t->email;
  v.subscriptions = Views(s, s.ListSubscriptionsByEmail(t->email));
  return v;
}

Result<ManageView> SubscriptionService::ManageRemove(store::StoreSession& s,
                                                     const std::string& token,
                                                     const std::string& which) {
  auto view = Manage(s, token);
  if (!view) return view.error();
  if (which == "all") {
    for (const auto& v : view->subscriptions) s.DeleteSubscription(v.subscription.id);
  } else {
    const auto id = ParseSubscriptionId(which);
    const auto it =
        std::find_if(view->subscriptions.begin(), view->subscriptions.end(),
                     [&](const SubscriptionView& v) { return id && v.subscription.id == *id; });
    if (it == view->subscriptions.end()) {
      return MakeError(ErrorCode::kNotFound, "No such subscription of this address.");
    }
    s.DeleteSubscription(it->subscription.id);
  }
  return Manage(s, token);
}

std::vector<SubscriptionView> SubscriptionService::ListMine(store::StoreSession& s,
                                                            const User& member) {
  return Views(s, s.ListSubscriptionsByUser(member.id));
}

Status SubscriptionService::DeleteMine(store::StoreSession& s, const User& member,
                                       const std::string& id_text) {
  const auto id = ParseSubscriptionId(id_text);
  auto sub = id ? s.FindSubscription(*id) : std::nullopt;
  if (!sub || sub->user_id != member.id) {
    return MakeError(ErrorCode::kNotFound, "No such subscription of yours.");
  }
  s.DeleteSubscription(sub->id);
  return Ok();
}

namespace {

// A subscription confirmed after an event is not told of it.
bool ConfirmedAfter(const Subscription& sub, TimeMs at) {
  return sub.confirmed_at && *sub.confirmed_at > at;
}

}  // namespace

FanOutResult SubscriptionService::FanOut(store::StoreSession& s, std::int64_t after_seq,
                                         int max_events) {
  FanOutResult out;
  out.last_seq = after_seq;
  const TimeMs now = clock_.NowMs();
  for (const Event& e : s.ListEvents(after_seq, max_events, false)) {
    out.last_seq = e.seq;
    ++out.events;
    if (!e.comment_id || (!Publishes(e) && !Holds(e))) continue;
    const auto c = s.FindComment(*e.comment_id);
    if (!c) continue;
    if (Publishes(e) && c->state == CommentState::kApproved) {
      const std::string author = AuthorAddress(*c);
      if (c->parent_id) {
        if (const auto parent = s.FindComment(*c->parent_id)) {
          const std::string to = AuthorAddress(*parent);
          if (!to.empty() || parent->author_user_id) {
            for (const auto& sub :
                 s.FindSubscriptionsOf(SubscriptionKind::kReplies, to, parent->author_user_id)) {
              if (sub.email == author ||
                  (c->author_user_id && sub.user_id && *sub.user_id == *c->author_user_id) ||
                  ConfirmedAfter(sub, e.at)) {
                continue;
              }
              out.queued += QueueFor(s, sub, *c, "replies", now) ? 1 : 0;
            }
          }
        }
      }
      out.queued +=
          s.QueueThreadNotifications(c->page_id, c->id, author, c->author_user_id, e.at, now);
    } else if (Holds(e) && c->state == CommentState::kPending) {
      for (const auto& sub : s.ListConfirmedOfKind(SubscriptionKind::kModeration)) {
        const auto user = sub.user_id ? s.FindUserById(*sub.user_id) : std::nullopt;
        if (!user || user->disabled || !user->CanModerate() || ConfirmedAfter(sub, e.at)) continue;
        if (c->author_user_id && *c->author_user_id == user->id) continue;
        out.queued += QueueFor(s, sub, *c, "moderation", now) ? 1 : 0;
      }
    }
  }
  return out;
}

ComposeResult SubscriptionService::Compose(store::StoreSession& s, int max_messages) {
  ComposeResult out;
  const TimeMs now = clock_.NowMs();
  // Groups: one per subscription and page; a held comment's notice alone.
  std::map<std::pair<std::int64_t, PageId>, std::vector<Notification>> groups;
  std::vector<Notification> held;
  for (auto& n : s.ListUncomposedNotifications(20 * max_messages + 100)) {
    if (n.reason == "moderation") {
      held.push_back(std::move(n));
    } else {
      groups[{n.subscription_id, n.page_id}].push_back(std::move(n));
    }
  }
  auto note_due = [&out](TimeMs at) {
    if (!out.next_due || at < *out.next_due) out.next_due = at;
  };
  auto page_link = [this](const Page& p) {
    if (p.url && !p.url->empty()) return *p.url;
    return config_.site.public_url + "/t?page=" + render::UrlEncode(p.key);
  };
  auto comment_link = [&](const Page& p, const Comment& c) {
    if (p.url && !p.url->empty()) return *p.url + "#amur-" + FormatCommentId(c.id);
    return page_link(p) + "#" + FormatCommentId(c.id);
  };
  auto mail_comment = [&](const Page& p, const Comment& c) {
    notify::MailComment m;
    m.author = c.author_name.value_or("Guest");
    m.text = c.body_markdown;
    m.html = c.body_html;
    m.link = comment_link(p, c);
    m.at = c.created_at;
    return m;
  };

  for (auto& [key, items] : groups) {
    if (out.messages >= max_messages) {
      out.more = true;
      break;
    }
    const auto [subscription_id, page_id] = key;
    std::vector<std::int64_t> ids;
    for (const auto& n : items) ids.push_back(n.id);
    const auto sub = subscription_id ? s.FindSubscription(subscription_id) : std::nullopt;
    const auto page = s.FindPageById(page_id);
    if (!sub || !page) {
      s.DropNotifications(ids);
      continue;
    }
    if (const auto last = s.LastMailTime(subscription_id, page_id);
        last && now < *last + config_.digest.count()) {
      note_due(*last + config_.digest.count());
      continue;
    }
    std::vector<notify::MailComment> comments;
    std::vector<std::int64_t> carried;
    std::vector<std::int64_t> dropped;
    bool replies_only = true;
    for (const auto& n : items) {
      const auto c = s.FindComment(n.comment_id);
      if (!c || c->state != CommentState::kApproved) {
        dropped.push_back(n.id);
        continue;
      }
      auto m = mail_comment(*page, *c);
      m.reply_to_you = n.reason == "replies";
      replies_only = replies_only && m.reply_to_you;
      comments.push_back(std::move(m));
      carried.push_back(n.id);
    }
    if (!dropped.empty()) s.DropNotifications(dropped);
    if (carried.empty()) continue;
    const auto [unsubscribe, manage] = MailLinks(s, *sub);
    const std::int64_t mail = QueueMail(
        s, sub->email, comments.size() == 1 ? "notification" : "digest", sub->id, page_id,
        notify::CommentsMail(config_.site, sub->email, page->title.value_or(""), page_link(*page),
                             comments, replies_only, unsubscribe, manage, "", 0));
    s.AssignNotifications(carried, mail);
    ++out.messages;
  }

  for (const auto& n : held) {
    if (out.messages >= max_messages) {
      out.more = true;
      break;
    }
    const auto sub = n.subscription_id ? s.FindSubscription(n.subscription_id) : std::nullopt;
    const auto c = s.FindComment(n.comment_id);
    const auto page = s.FindPageById(n.page_id);
    if (!sub || !c || !page || c->state != CommentState::kPending) {
      s.DropNotifications({n.id});
      continue;
    }
    const auto [unsubscribe, manage] = MailLinks(s, *sub);
    const std::int64_t mail = QueueMail(
        s, sub->email, "moderation", sub->id, n.page_id,
        notify::HeldCommentMail(config_.site, sub->email, page->title.value_or(page->key),
                                mail_comment(*page, *c), c->moderation_reasons,
                                config_.site.public_url + "/admin", unsubscribe, manage, "", 0));
    s.AssignNotifications({n.id}, mail);
    ++out.messages;
  }
  return out;
}

}  // namespace amur::service
