#include "http/html/pages.hpp"

#include <spdlog/spdlog.h>

#include "http/db_await.hpp"
#include "http/posting.hpp"
#include "http/error_mapping.hpp"
#include "http/html/form_token.hpp"
#include "http/routes.hpp"
#include "render/admin_page.hpp"
#include "render/html_escape.hpp"
#include "render/thread_page.hpp"

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

Response HtmlResponse(beast_http::status status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "same-origin");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                         "script-src 'self'; frame-ancestors 'self'; base-uri 'none'; "
                         "form-action 'self'");
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
  return HtmlResponse(beast_http::status::ok, std::string(render::AdminPageHtml()));
}

asio::awaitable<Response> Pages::Thread(const Request& req, const Params& params, bool demo) {
  (void)req;
  std::string page_key = demo ? render::kDemoPageKey : FirstParam(params, "page").value_or("");
  if (!demo) {
    if (auto st = service::ValidatePageKey(page_key, "page"); !st) {
      co_return HtmlResponse(HttpStatusOf(st.error().code),
                             "<!doctype html><title>Amur</title><p>" +
                                 render::Escape(st.error().message) + "</p>");
    }
  }
  Response r = co_await Render(page_key, FirstParam(params, "sort").value_or("oldest"),
                               FirstParam(params, "cursor").value_or(""),
                               FirstParam(params, "all").value_or("") == "1",
                               FirstParam(params, "reply").value_or(""), demo, nullptr, nullptr,
                               FirstParam(params, "held").has_value());
  co_return r;
}

asio::awaitable<Response> Pages::Render(std::string page_key, std::string sort_text,
                                        std::string cursor, bool all, std::string reply_to,
                                        bool demo, const FormInput* refused, const Error* error,
                                        bool held) {
  service::ThreadQuery q;
  q.page_key = page_key;
  q.sort = service::ParseSortOrder(sort_text).value_or(service::SortOrder::kOldest);
  // "View all comments" reads the thread once, whatever its size (it used to
  // follow up to 50 cursors, re-reading the page each time: issue 12,
  // finding 5).
  constexpr int kAllLimit = 10'000;
  q.limit = all ? kAllLimit : service::kDefaultLimit;
  q.cursor = cursor;
  CommentService* svc = d_.comments;
  const std::uint64_t generation = d_.cache->Generation(page_key);
  const std::optional<bool> known = KnownVerdict(page_key, generation);
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
    out.verified = known ? *known : svc->VerifyPage(s, query.page_key).verified;
    return out;
  };
  Result<Loaded> loaded = co_await ReadResult(*d_.db, "rendering a thread", job1);
  if (loaded && !known) RememberVerdict(page_key, generation, loaded->verified);
  if (!loaded) {
    co_return HtmlResponse(HttpStatusOf(loaded.error().code),
                           "<!doctype html><title>Amur</title><p>" +
                               render::Escape(loaded.error().message) + "</p>");
  }
  render::ThreadView view;
  view.page_key = page_key;
  if (loaded->page.page) {
    view.page_title = loaded->page.page->title;
    view.closed = loaded->page.page->closed;
  }
  view.comment_count = loaded->page.comment_count;
  view.sort = service::SortOrderName(q.sort);
  for (const auto& n : loaded->page.comments) view.comments.push_back(ToView(n));
  view.next_cursor = loaded->page.next_cursor;
  view.chain_verified = loaded->verified;
  view.now = d_.clock->NowMs();
  view.base_path = demo ? std::string("/demo") : "/t?page=" + render::UrlEncode(page_key);
  view.base_has_query = !demo;
  view.form.csrf_token = IssueFormToken(d_.form_key, view.now);
  const std::string reply = refused ? refused->parent_id : reply_to;
  if (!reply.empty()) {
    if (const auto* target = FindView(view.comments, reply); target && !target->deleted) {
      view.form.reply_to_id = reply;
      view.form.reply_to_name = target->author_name.value_or("Guest");
    }
  }
  if (refused) {
    view.form.author_name = refused->author_name;
    view.form.author_email = refused->author_email;
    view.form.body = refused->body;
  }
  if (error) view.form.error = error->message;
  if (held) view.form.notice = "Your comment is awaiting moderation.";
  std::string html = demo ? render::RenderDemoDocument(view) : render::RenderThreadDocument(view);
  co_return HtmlResponse(error ? HttpStatusOf(error->code) : beast_http::status::ok,
                         std::move(html));
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
  if (auto st = service::ValidatePageKey(in.page, "page"); !st) co_return ErrorResponse(st.error());
  const bool demo = in.page == render::kDemoPageKey && in.return_to == "/demo";

  auto refuse = [&](const Error& e) -> asio::awaitable<Response> {
    return Render(in.page, "oldest", "", false, "", demo, &in, &e);
  };
  if (!CheckFormToken(d_.form_key, in.csrf_token, d_.clock->NowMs())) {
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
  Result<service::PostOutcome> out = co_await PostComment(d_, std::move(p), "a form post");
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

}  // namespace amur::http::html
