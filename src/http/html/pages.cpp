#include "http/html/pages.hpp"

#include <spdlog/spdlog.h>

#include "core/random.hpp"
#include "http/api/subscriptions_api.hpp"
#include "http/db_await.hpp"
#include "http/error_mapping.hpp"
#include "http/html/form_token.hpp"
#include "http/posting.hpp"
#include "http/routes.hpp"
#include "notify/mail_message.hpp"
#include "render/admin_page.hpp"
#include "render/atom_feed.hpp"
#include "render/html_escape.hpp"
#include "render/subscription_pages.hpp"
#include "render/thread_page.hpp"
#include "service/mail_sender.hpp"

namespace amur::http::html {

namespace asio = boost::asio;
using service::CommentService;
using store::StoreSession;

struct Pages::FormInput {
  std::string page;
  std::string parent_id;
  std::string author_name;
  std::string author_email;
  std::string body;
  std::string csrf_token;
  std::string return_to;
  bool notify_replies = false;
};

namespace {

render::CommentView ToView(const service::ThreadNode& node) {
  const Comment& c = node.comment;
  render::CommentView v;
  v.id = FormatCommentId(c.id);
  v.deleted = c.state == CommentState::kDeleted;
  if (!v.deleted) {
    v.author_name = c.author_name;
    v.body_html = c.body_html;
  }
  v.created_at = c.created_at;
  v.edited_at = c.edited_at;
  v.edited_by = c.edited_by;
  v.upvotes = c.upvotes;
  v.downvotes = c.downvotes;
  v.hash = c.hash;
  if (c.quote) v.quote = c.quote->exact;
  for (const auto& r : node.replies) v.replies.push_back(ToView(r));
  return v;
}

const render::CommentView* FindView(const std::vector<render::CommentView>& list,
                                    const std::string& id) {
  for (const auto& v : list) {
    if (v.id == id) return &v;
    if (const auto* f = FindView(v.replies, id)) return f;
  }
  return nullptr;
}

struct Loaded {
  service::ThreadPage page;
  bool verified = true;
};

// `frame_ancestors` is who may frame the page: the threads themselves, but
// nobody the desk (clickjacking a moderator).
Response HtmlResponse(beast_http::status status, std::string body,
                      std::string_view frame_ancestors = "'self'") {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "same-origin");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                         "script-src 'self'; frame-ancestors " +
                             std::string(frame_ancestors) +
                             "; base-uri 'none'; form-action 'self'; object-src 'none'");
  return r;
}

}  // namespace

Pages::Pages(HttpDeps& deps) : d_(deps) {}

namespace {
constexpr std::int64_t kVerdictLifetimeMs = 60'000;
constexpr std::size_t kMaxVerdicts = 10'000;
}  // namespace

std::optional<bool> Pages::KnownVerdict(const std::string& page_key, std::uint64_t generation) {
  const std::int64_t now = d_.clock->NowMs();
  std::lock_guard lock(verdicts_mu_);
  auto it = verdicts_.find(page_key);
  if (it == verdicts_.end() || it->second.generation != generation ||
      now - it->second.at_ms >= kVerdictLifetimeMs) {
    return std::nullopt;
  }
  return it->second.verified;
}

void Pages::RememberVerdict(const std::string& page_key, std::uint64_t generation, bool verified) {
  const std::int64_t now = d_.clock->NowMs();
  std::lock_guard lock(verdicts_mu_);
  if (verdicts_.size() >= kMaxVerdicts) verdicts_.clear();
  verdicts_[page_key] = Verdict{generation, now, verified};
}

Response Pages::Admin() const {
  Response r = HtmlResponse(beast_http::status::ok, std::string(render::AdminPageHtml()), "'none'");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  return r;
}

struct Pages::RenderInput {
  std::string page_key;
  std::string sort = "oldest";
  std::string cursor;
  bool all = false;
  std::string reply_to;
  bool demo = false;
  bool held = false;
  bool subscribed = false;  // "check your inbox" after the Subscribe form
  const FormInput* refused = nullptr;
  const Error* error = nullptr;
  std::string form_cookie;  // empty or malformed: a new one is set
  std::int64_t seen = 0;    // the reader's last write (SeenSeq)
};

namespace {

// Stands for the per-request form token in a cached page; letters and digits
// only, so it reaches the HTML unescaped.
constexpr std::string_view kTokenSlot = "AmurFormTokenSlot7f3c9e1b";
// Where the slot sits: inside the form's hidden input. Readers' text cannot
// forge this (every '"' they write is escaped), so a title or comment that
// holds the slot's letters is left alone.
constexpr std::string_view kTokenInputPrefix = "name=\"csrf_token\" value=\"";

// Fills the form token into a cached page; false when the page has no slot.
bool FillTokenSlot(std::string& html, const std::string& token) {
  const std::string needle = std::string(kTokenInputPrefix) + std::string(kTokenSlot) + "\"";
  bool filled = false;
  // Every form of the page (the comment form, the Subscribe form).
  for (auto at = html.find(needle); at != std::string::npos;
       at = html.find(needle, at + kTokenInputPrefix.size() + token.size())) {
    html.replace(at + kTokenInputPrefix.size(), kTokenSlot.size(), token);
    filled = true;
  }
  return filled;
}

std::string FormCookieHeader(const std::string& value, bool secure) {
  return std::string(kFormCookieName) + "=" + value + "; Path=/; HttpOnly; SameSite=Lax" +
         (secure ? "; Secure" : "");
}

Response ErrorPage(const Error& e) {
  return HtmlResponse(HttpStatusOf(e.code),
                      "<!doctype html><title>Amur</title><p>" + render::Escape(e.message) + "</p>");
}

}  // namespace

asio::awaitable<Response> Pages::Thread(const Request& req, const Params& params, bool demo) {
  RenderInput in;
  in.page_key = demo ? render::kDemoPageKey : FirstParam(params, "page").value_or("");
  if (!demo) {
    if (auto st = service::ValidatePageKey(in.page_key, "page"); !st)
      co_return ErrorPage(st.error());
  }
  in.sort = FirstParam(params, "sort").value_or("oldest");
  in.cursor = FirstParam(params, "cursor").value_or("");
  in.all = FirstParam(params, "all").value_or("") == "1";
  in.reply_to = FirstParam(params, "reply").value_or("");
  in.demo = demo;
  in.held = FirstParam(params, "held").has_value();
  in.subscribed = FirstParam(params, "subscribed").has_value();
  in.form_cookie = CookieValue(req, kFormCookieName).value_or("");
  in.seen = SeenSeq(req);
  co_return co_await Render(std::move(in));
}

asio::awaitable<Response> Pages::Render(RenderInput in) {
  std::vector<std::pair<std::string, std::string>> cookie;
  if (!ValidFormCookie(in.form_cookie)) {
    in.form_cookie = RandomToken(*d_.random, 32);
    cookie.emplace_back("Set-Cookie", FormCookieHeader(in.form_cookie, d_.secure_cookies));
  }
  const std::string token = IssueFormToken(d_.form_key, in.form_cookie, d_.clock->NowMs());
  // Only the pages every reader asks for are cached: the first page or all of
  // it, without a reply form or an error; a cursor page is rendered as asked.
  const bool plain = !in.refused && !in.error && !in.held && !in.subscribed &&
                     in.reply_to.empty() && in.cursor.empty();
  std::string html;
  beast_http::status status = beast_http::status::ok;
  if (plain) {
    Result<std::string> cached = co_await PlainThreadHtml(in);
    if (!cached) co_return ErrorPage(cached.error());
    html = std::move(*cached);
    if (!FillTokenSlot(html, token)) spdlog::error("a cached thread page has no form token slot");
  } else {
    Result<std::string> rendered = co_await RenderThread(in, token);
    if (!rendered) co_return ErrorPage(rendered.error());
    html = std::move(*rendered);
    if (in.error) status = HttpStatusOf(in.error->code);
  }
  Response r = HtmlResponse(status, std::move(html));
  for (auto& h : cookie) r.headers.push_back(std::move(h));
  co_return r;
}

asio::awaitable<Result<std::string>> Pages::PlainThreadHtml(const RenderInput& in) {
  const std::int64_t minute = d_.clock->NowMs() / 60'000;
  // The sort as understood (an unknown one means oldest), so made-up values
  // cannot fill the cache with copies; the page key last, after its length.
  const auto sort = service::ParseSortOrder(in.sort).value_or(service::SortOrder::kOldest);
  const std::string key = "html|" + std::to_string(minute) + "|" + (in.demo ? "d" : "t") + "|" +
                          std::string(service::SortOrderName(sort)) + "|" + (in.all ? "a" : "-") +
                          "|" + std::to_string(in.page_key.size()) + ":" + in.page_key;
  if (!d_.NodeBehind(in.seen)) {
    if (auto hit = d_.cache->Get(key, in.page_key)) co_return hit->body;
  }
  const std::uint64_t generation = d_.cache->Generation(in.page_key);
  Result<std::string> html = co_await RenderThread(in, std::string(kTokenSlot));
  if (!html) co_return html.error();
  auto answer = std::make_shared<CachedAnswer>();
  answer->body = *html;
  answer->content_type = "text/html; charset=utf-8";
  d_.cache->Put(key, in.page_key, generation, std::move(answer));
  co_return html;
}

asio::awaitable<Result<std::string>> Pages::RenderThread(const RenderInput& in,
                                                         const std::string& token) {
  service::ThreadQuery q;
  q.page_key = in.page_key;
  q.sort = service::ParseSortOrder(in.sort).value_or(service::SortOrder::kOldest);
  // "View all comments" reads the thread once, whatever its size (it used to
  // follow up to 50 cursors, re-reading the page each time: issue 12,
  // finding 5).
  constexpr int kAllLimit = 10'000;
  q.limit = in.all ? kAllLimit : service::kDefaultLimit;
  q.cursor = in.cursor;
  CommentService* svc = d_.comments;
  const std::uint64_t generation = d_.cache->Generation(in.page_key);
  const std::optional<bool> known = KnownVerdict(in.page_key, generation);
  const std::function<Result<Loaded>(StoreSession&)> job1 =
      [svc, q, known](StoreSession& s) -> Result<Loaded> {
    service::ThreadQuery query = q;
    auto first = svc->ListThread(s, query);
    if (!first) {
      query.cursor.clear();  // a stale or foreign cursor shows the first page
      first = svc->ListThread(s, query);
      if (!first) return first.error();
    }
    Loaded out{std::move(*first), true};
    if (out.page.chain) {
      out.verified = out.page.chain->verified;  // checked by ListThread already
    } else {
      out.verified = known ? *known : svc->VerifyPage(s, query.page_key).verified;
    }
    return out;
  };
  Result<Loaded> loaded = co_await RoutedReadResult(*d_.db, "rendering a thread", in.seen, job1);
  if (!loaded) co_return loaded.error();
  if (!known) RememberVerdict(in.page_key, generation, loaded->verified);
  render::ThreadView view;
  view.page_key = in.page_key;
  if (loaded->page.page) {
    view.page_title = loaded->page.page->title;
    view.closed = loaded->page.page->closed;
    view.feed_href = d_.public_url + render::PageFeedPath(in.page_key);
  }
  view.comment_count = loaded->page.comment_count;
  view.sort = service::SortOrderName(q.sort);
  for (const auto& n : loaded->page.comments) view.comments.push_back(ToView(n));
  view.next_cursor = loaded->page.next_cursor;
  view.chain_verified = loaded->verified;
  view.now = d_.clock->NowMs();
  view.base_path = in.demo ? std::string("/demo") : "/t?page=" + render::UrlEncode(in.page_key);
  view.base_has_query = !in.demo;
  view.form.csrf_token = token;
  const std::string reply = in.refused ? in.refused->parent_id : in.reply_to;
  if (!reply.empty()) {
    if (const auto* target = FindView(view.comments, reply); target && !target->deleted) {
      view.form.reply_to_id = reply;
      view.form.reply_to_name = target->author_name.value_or("Guest");
    }
  }
  if (in.refused) {
    view.form.author_name = in.refused->author_name;
    view.form.author_email = in.refused->author_email;
    view.form.body = in.refused->body;
  }
  if (in.error) view.form.error = in.error->message;
  if (in.held) view.form.notice = "Your comment is awaiting moderation.";
  view.form.notify_enabled = d_.subscriptions && d_.subscriptions->config().enabled;
  if (in.subscribed) {
    view.form.notice =
        "Check your inbox: follow the link in the email to confirm your subscription.";
  }
  co_return in.demo ? render::RenderDemoDocument(view) : render::RenderThreadDocument(view);
}

bool Pages::FromThisSite(const Request& req) const {
  // Browsers send Sec-Fetch-Site on every request; "none" is a typed address
  // or a bookmark. The form is only ever sent from Amur's own pages.
  // A page cannot make a browser lie in Sec-Fetch-Site, so when it is sent it
  // decides (and a proxy that rewrites Host does not refuse real posts).
  const std::string_view site = Header(req, "Sec-Fetch-Site");
  if (!site.empty()) return site == "same-origin" || site == "none";
  const std::string_view origin = Header(req, "Origin");
  if (origin.empty()) return true;  // older browsers; the cookie-bound token still holds
  if (!d_.public_url.empty() && boost::beast::iequals(origin, UrlOrigin(d_.public_url)))
    return true;
  // Behind a proxy that terminates TLS the scheme may differ; the host a
  // browser addressed must not.
  const auto scheme = origin.find("://");
  if (scheme == std::string_view::npos) return false;  // "null" and other opaque origins
  const std::string_view host = Header(req, "Host");
  return !host.empty() && boost::beast::iequals(origin.substr(scheme + 3), host);
}

asio::awaitable<Response> Pages::PostForm(const Request& req, std::string client) {
  std::string_view ct = Header(req, "Content-Type");
  ct = ct.substr(0, ct.find(';'));
  if (!boost::beast::iequals(ct, "application/x-www-form-urlencoded")) {
    co_return ErrorResponse(MakeError(ErrorCode::kUnsupportedMediaType,
                                      "Send the form as application/x-www-form-urlencoded."));
  }
  auto fields = ParseQuery(req.message.body());
  if (!fields) {
    co_return ErrorResponse(
        MakeError(ErrorCode::kInvalidField, "The form data is not correctly encoded."));
  }
  FormInput in;
  in.page = FirstParam(*fields, "page").value_or("");
  in.parent_id = FirstParam(*fields, "parent_id").value_or("");
  in.author_name = FirstParam(*fields, "author_name").value_or("");
  in.author_email = FirstParam(*fields, "author_email").value_or("");
  in.body = FirstParam(*fields, "body").value_or("");
  in.csrf_token = FirstParam(*fields, "csrf_token").value_or("");
  in.return_to = FirstParam(*fields, "return_to").value_or("");
  in.notify_replies = FirstParam(*fields, "notify_replies").value_or("") == "1";
  if (auto st = service::ValidatePageKey(in.page, "page"); !st) co_return ErrorResponse(st.error());
  const bool demo = in.page == render::kDemoPageKey && in.return_to == "/demo";

  const std::string form_cookie = CookieValue(req, kFormCookieName).value_or("");
  auto refuse = [&](const Error& e) -> asio::awaitable<Response> {
    RenderInput r;
    r.page_key = in.page;
    r.demo = demo;
    r.refused = &in;
    r.error = &e;
    r.form_cookie = form_cookie;
    return Render(std::move(r));
  };
  if (!FromThisSite(req)) {
    const Error e = MakeError(ErrorCode::kInvalidCsrfToken,
                              "This form was sent from another site. Your text is kept below; "
                              "please post it again from here.");
    co_return co_await refuse(e);
  }
  if (!CheckFormToken(d_.form_key, form_cookie, in.csrf_token, d_.clock->NowMs())) {
    const Error e = MakeError(ErrorCode::kInvalidCsrfToken,
                              "The form has expired or did not come from this site. Your text is "
                              "kept below; please post it again.");
    co_return co_await refuse(e);
  }
  service::PostRequest p;
  p.page_key = in.page;
  p.body = in.body;
  if (!in.parent_id.empty()) p.parent_id = in.parent_id;
  if (!in.author_name.empty()) p.author_name = in.author_name;
  if (!in.author_email.empty()) p.author_email = in.author_email;
  p.client_address = client;

  const auto decision = d_.post_limiter->Acquire(client);
  if (!decision.allowed) {
    const Error e = MakeError(ErrorCode::kRateLimited,
                              "You are posting too fast; please wait a moment and try again.");
    Response r = co_await refuse(e);
    r.headers.emplace_back("Retry-After", std::to_string(decision.retry_after_seconds));
    co_return r;
  }
  std::optional<service::SubscribeRequest> subscribe;
  if (in.notify_replies && d_.subscriptions && d_.subscriptions->config().enabled) {
    auto address = notify::NormalizeMailAddress(in.author_email);
    if (!address) {
      const Error e =
          MakeError(ErrorCode::kInvalidField, "Give one plain email address to be told of replies.",
                    "author_email");
      d_.post_limiter->Release(client, decision.slot);
      co_return co_await refuse(e);
    }
    service::SubscribeRequest r;
    r.kind = "replies";
    r.email = *address;
    subscribe = std::move(r);
  }
  Result<service::PostOutcome> out =
      co_await PostComment(d_, std::move(p), "a form post", std::move(subscribe));
  if (!out) {
    d_.post_limiter->Release(client, decision.slot);
    co_return co_await refuse(out.error());
  }
  Response r;
  r.status = beast_http::status::see_other;
  // A held comment is not shown; the page says so instead.
  const bool held = out->comment.state == CommentState::kPending;
  const std::string anchor = held ? std::string("#amur-form") : "#" + FormatCommentId(out->comment.id);
  r.headers.emplace_back("Location", demo ? (held ? "/demo?held=1" : "/demo") + anchor
                                          : "/t?page=" + render::UrlEncode(in.page) +
                                                (held ? "&held=1" : "") + anchor);
  r.headers.emplace_back("Cache-Control", "no-store");
  co_return r;
}

asio::awaitable<Response> Pages::Subscribe(const Request& req, std::string client) {
  std::string_view ct = Header(req, "Content-Type");
  ct = ct.substr(0, ct.find(';'));
  if (!boost::beast::iequals(ct, "application/x-www-form-urlencoded")) {
    co_return ErrorResponse(MakeError(ErrorCode::kUnsupportedMediaType,
                                      "Send the form as application/x-www-form-urlencoded."));
  }
  auto fields = ParseQuery(req.message.body());
  if (!fields) {
    co_return ErrorPage(
        MakeError(ErrorCode::kInvalidField, "The form data is not correctly encoded."));
  }
  const std::string page = FirstParam(*fields, "page").value_or("");
  const bool demo =
      page == render::kDemoPageKey && FirstParam(*fields, "return_to").value_or("") == "/demo";
  const std::string back = demo ? std::string("/demo") : "/t?page=" + render::UrlEncode(page);
  auto refuse = [&](const Error& e) {
    Response r = HtmlResponse(
        HttpStatusOf(e.code),
        render::NoticePageHtml("Subscribe", e.message, "Back to the comments", back + "#comments"));
    return r;
  };
  if (auto st = service::ValidatePageKey(page, "page"); !st) co_return refuse(st.error());
  const std::string form_cookie = CookieValue(req, kFormCookieName).value_or("");
  if (!FromThisSite(req) ||
      !CheckFormToken(d_.form_key, form_cookie, FirstParam(*fields, "csrf_token").value_or(""),
                      d_.clock->NowMs())) {
    co_return refuse(MakeError(ErrorCode::kInvalidCsrfToken,
                               "The form has expired or did not come from this site; please "
                               "subscribe again from the comments."));
  }
  service::SubscribeRequest r;
  r.kind = FirstParam(*fields, "kind").value_or("");
  r.page_key = page;
  r.email = FirstParam(*fields, "email").value_or("");
  const auto address = notify::NormalizeMailAddress(*r.email);
  if (auto retry = api::SubscribeRateLimited(d_, client, address.value_or(""))) {
    Response res = refuse(MakeError(ErrorCode::kRateLimited,
                                    "Too many subscription requests; please try again later."));
    res.headers.emplace_back("Retry-After", std::to_string(*retry));
    co_return res;
  }
  service::SubscriptionService* subs = d_.subscriptions;
  if (!subs) co_return refuse(MakeError(ErrorCode::kNotAllowed, "Email notifications are off."));
  const std::function<Result<service::SubscribeOutcome>(StoreSession&)> job =
      [subs, r](StoreSession& s) { return subs->Subscribe(s, r); };
  const std::function<void(const Result<service::SubscribeOutcome>&)> after =
      [mail = d_.mail](const Result<service::SubscribeOutcome>&) {
        if (mail) mail->Notify();
      };
  auto out = co_await WriteResult(*d_.db, "subscribing from a form", job, after);
  if (!out) co_return refuse(out.error());
  Response res;
  res.status = beast_http::status::see_other;
  res.headers.emplace_back("Location", back + (demo ? "?" : "&") + "subscribed=1#amur-subscribe");
  res.headers.emplace_back("Cache-Control", "no-store");
  co_return res;
}

}  // namespace amur::http::html
