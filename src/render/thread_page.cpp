#include "render/thread_page.hpp"

#include <cstdint>
#include <string_view>

#include "render/demo_article.hpp"
#include "render/html_escape.hpp"
#include "render/relative_time.hpp"

namespace amur::render {
namespace {

constexpr std::string_view kStylesheetHref = "/assets/page.css";

// The one place where server-rendered documents load the embed widget. The
// widget finds the thread section by its data-amur-page attribute and
// replaces it in place with the live thread; without JavaScript the section
// keeps working as it is.
constexpr std::string_view kWidgetScriptTag = "<script src=\"/embed.js\" async></script>";

constexpr std::string_view kFormAction = "/t";
constexpr int kAuthorNameMaxLength = 64;
constexpr int kBodyMaxLength = 10000;
constexpr int kEmailMaxLength = 254;
constexpr int kAvatarPalette = 8;

// The sort named in links: the view's sort when it is one we know, else the
// default.
std::string_view LinkSort(const ThreadView& view) {
  if (view.sort == "newest" || view.sort == "votes") return view.sort;
  return "oldest";
}

// `base_path` followed by the query parameters in `query` (already encoded)
// and `fragment` ("#comments"), HTML-escaped for a double-quoted attribute.
std::string Href(const ThreadView& view, std::string_view query, std::string_view fragment) {
  std::string url = view.base_path;
  if (!query.empty()) {
    url += view.base_has_query ? '&' : '?';
    url += query;
  }
  url += fragment;
  return Escape(url);
}

std::string SortQuery(const ThreadView& view) { return "sort=" + UrlEncode(LinkSort(view)); }

std::string_view DisplayName(const std::optional<std::string>& name) {
  if (!name || name->empty()) return "Guest";
  return *name;
}

// The first code point of `name`, upper-cased when it is ASCII; "?" when the
// text does not start with well-formed UTF-8.
std::string AvatarInitial(std::string_view name) {
  if (name.empty()) return "?";
  const auto lead = static_cast<unsigned char>(name[0]);
  std::size_t len = 0;
  if (lead < 0x80) {
    len = 1;
  } else if ((lead & 0xE0) == 0xC0) {
    len = 2;
  } else if ((lead & 0xF0) == 0xE0) {
    len = 3;
  } else if ((lead & 0xF8) == 0xF0) {
    len = 4;
  }
  if (len == 0 || len > name.size()) return "?";
  for (std::size_t i = 1; i < len; ++i) {
    if ((static_cast<unsigned char>(name[i]) & 0xC0) != 0x80) return "?";
  }
  if (len == 1) {
    char c = name[0];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (static_cast<unsigned char>(c) <= ' ') return "?";
    return std::string(1, c);
  }
  return std::string(name.substr(0, len));
}

// A stable colour slot for a name (FNV-1a), so one author keeps one colour.
int AvatarSlot(std::string_view name) {
  std::uint32_t h = 2166136261u;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return static_cast<int>(h % kAvatarPalette);
}

// "2026-11-29T18:54:43.120Z" -> "2026-11-29 18:54 UTC".
std::string ExactUtc(const std::string& rfc3339) {
  if (rfc3339.size() >= 16 && rfc3339[10] == 'T') {
    return rfc3339.substr(0, 10) + " " + rfc3339.substr(11, 5) + " UTC";
  }
  return rfc3339;
}

void AppendTime(std::string& out, TimeMs t, TimeMs now) {
  const std::string stamp = FormatRfc3339Ms(t);
  out += "<time datetime=\"";
  AppendEscaped(out, stamp);
  out += "\" title=\"";
  AppendEscaped(out, ExactUtc(stamp));
  out += "\">";
  AppendEscaped(out, RelativeTimeEn(t, now));
  out += "</time>";
}

void AppendCount(std::string& out, std::int64_t n, std::string_view one, std::string_view many) {
  out += std::to_string(n);
  out += ' ';
  out += n == 1 ? one : many;
}

void AppendVotes(std::string& out, const CommentView& c) {
  out += "<span class=\"amur-votes\">";
  out += "<span class=\"amur-vote amur-vote-up\"><span aria-hidden=\"true\">\u25B2</span> ";
  out += std::to_string(c.upvotes);
  out += "<span class=\"amur-sr\"> ";
  out += c.upvotes == 1 ? "upvote" : "upvotes";
  out += "</span></span> ";
  out += "<span class=\"amur-vote amur-vote-down\"><span aria-hidden=\"true\">\u25BC</span> ";
  out += std::to_string(c.downvotes);
  out += "<span class=\"amur-sr\"> ";
  out += c.downvotes == 1 ? "downvote" : "downvotes";
  out += "</span></span></span>";
}

void AppendComment(std::string& out, const ThreadView& view, const CommentView& c) {
  out += "<li class=\"amur-item";
  if (c.deleted) out += " amur-item-deleted";
  out += "\" id=\"";
  AppendEscaped(out, c.id);
  out += "\">\n";

  if (c.deleted) {
    out +=
        "<article class=\"amur-comment amur-comment-deleted\">"
        "<p class=\"amur-tombstone\">This comment was deleted.</p></article>\n";
  } else {
    const std::string_view name = DisplayName(c.author_name);
    out += "<article class=\"amur-comment\">\n<header class=\"amur-comment-head\">";
    out += "<span class=\"amur-avatar amur-av-";
    out += std::to_string(AvatarSlot(name));
    out += "\" aria-hidden=\"true\">";
    AppendEscaped(out, AvatarInitial(name));
    out += "</span><span class=\"amur-author\">";
    AppendEscaped(out, name);
    out += "</span> <a class=\"amur-permalink\" href=\"#";
    AppendEscaped(out, c.id);
    out += "\">";
    AppendTime(out, c.created_at, view.now);
    out += "</a></header>\n";

    if (c.quote && !c.quote->empty()) {
      out += "<blockquote class=\"amur-quote\"><p>";
      AppendEscaped(out, *c.quote);
      out += "</p></blockquote>\n";
    }

    out += "<div class=\"amur-body\">";
    out += c.body_html;  // sanitised by MarkdownToSafeHtml when written
    out += "</div>\n";

    if (c.edited_at) {
      out += "<p class=\"amur-edited\">Last edited ";
      AppendTime(out, *c.edited_at, view.now);
      if (c.edited_by && !c.edited_by->empty()) {
        out += " by ";
        AppendEscaped(out, *c.edited_by);
      }
      out += "</p>\n";
    }

    out += "<footer class=\"amur-comment-foot\">";
    AppendVotes(out, c);
    if (!view.closed) {
      out += " <a class=\"amur-reply\" href=\"";
      out += Href(view, "reply=" + UrlEncode(c.id) + "&" + SortQuery(view), "#amur-form");
      out += "\">Reply<span class=\"amur-sr\"> to ";
      AppendEscaped(out, name);
      out += "</span></a>";
    }
    out += "</footer>\n</article>\n";
  }

  if (!c.replies.empty()) {
    out += "<ol class=\"amur-replies\">\n";
    for (const CommentView& reply : c.replies) AppendComment(out, view, reply);
    out += "</ol>\n";
  }
  out += "</li>\n";
}

void AppendHiddenInput(std::string& out, std::string_view name, std::string_view value) {
  out += "<input type=\"hidden\" name=\"";
  out += name;
  out += "\" value=\"";
  AppendEscaped(out, value);
  out += "\">\n";
}

// The no-JS Subscribe control: "Notify of" new follow-up comments or new
// replies to my comments, an address, one button (POST /t/subscribe).
void AppendSubscribeForm(std::string& out, const ThreadView& view) {
  out +=
      "<details class=\"amur-subscribe\" id=\"amur-subscribe\"><summary>Subscribe</summary>\n"
      "<form method=\"post\" action=\"/t/subscribe\" class=\"amur-subscribe-form\">\n";
  AppendHiddenInput(out, "page", view.page_key);
  AppendHiddenInput(out, "csrf_token", view.form.csrf_token);
  AppendHiddenInput(out, "return_to", view.base_path);
  out +=
      "<fieldset><legend>Notify of</legend>\n"
      "<label><input type=\"radio\" name=\"kind\" value=\"thread\" checked> new follow-up "
      "comments</label>\n"
      "<label><input type=\"radio\" name=\"kind\" value=\"replies\"> new replies to my "
      "comments</label></fieldset>\n"
      "<div class=\"amur-field\"><label for=\"amur-subscribe-email\">Email</label>\n"
      "<input id=\"amur-subscribe-email\" name=\"email\" type=\"email\" required "
      "autocomplete=\"email\" maxlength=\"254\"></div>\n"
      "<button type=\"submit\" class=\"amur-button\">Subscribe</button>\n"
      "<p class=\"amur-hint\">We email a link to confirm first; every email has a link to "
      "stop.</p>\n</form></details>\n";
}

void AppendForm(std::string& out, const ThreadView& view) {
  const FormState& form = view.form;
  const bool replying = form.reply_to_id.has_value() && !form.reply_to_id->empty();

  out += "<div class=\"amur-compose\">\n";
  out += "<h3 class=\"amur-compose-title\">";
  out += replying ? "Leave a reply" : "Join the discussion";
  out += "</h3>\n";
  if (form.error) {
    out += "<p class=\"amur-error\" role=\"alert\">";
    AppendEscaped(out, *form.error);
    out += "</p>\n";
  }
  if (form.notice) {
    out += "<p class=\"amur-notice\" role=\"status\">";
    AppendEscaped(out, *form.notice);
    out += "</p>\n";
  }
  if (form.notify_enabled) AppendSubscribeForm(out, view);
  out += "<form method=\"post\" action=\"";
  out += kFormAction;
  out += "\" id=\"amur-form\" class=\"amur-form\">\n";
  AppendHiddenInput(out, "page", view.page_key);
  AppendHiddenInput(out, "csrf_token", form.csrf_token);
  if (replying) AppendHiddenInput(out, "parent_id", *form.reply_to_id);
  AppendHiddenInput(out, "return_to", view.base_path);

  if (replying) {
    out += "<p class=\"amur-replying\">Replying to <strong>";
    AppendEscaped(out, DisplayName(form.reply_to_name));
    out += "</strong> <a class=\"amur-cancel\" href=\"";
    out += Href(view, SortQuery(view), "#comments");
    out += "\">Cancel reply</a></p>\n";
  }

  out +=
      "<div class=\"amur-field amur-field-body\">"
      "<label for=\"amur-body\">Comment</label>\n"
      "<textarea id=\"amur-body\" name=\"body\" rows=\"5\" required maxlength=\"";
  out += std::to_string(kBodyMaxLength);
  out += "\" placeholder=\"";
  out += replying ? "Write your reply" : "Share your view";
  // The newline after the start tag is dropped by parsers; it keeps a body
  // that starts with a newline intact.
  out += "\">\n";
  AppendEscaped(out, form.body);
  out += "</textarea></div>\n";

  out +=
      "<div class=\"amur-field-row\">\n"
      "<div class=\"amur-field\"><label for=\"amur-name\">Name</label>\n"
      "<input id=\"amur-name\" name=\"author_name\" type=\"text\" placeholder=\"guest\" "
      "autocomplete=\"nickname\" maxlength=\"";
  out += std::to_string(kAuthorNameMaxLength);
  out += "\" value=\"";
  AppendEscaped(out, form.author_name);
  out +=
      "\"></div>\n"
      "<div class=\"amur-field\"><label for=\"amur-email\">Email (optional, never shown)</label>\n"
      "<input id=\"amur-email\" name=\"author_email\" type=\"email\" autocomplete=\"email\" "
      "maxlength=\"";
  out += std::to_string(kEmailMaxLength);
  out += "\" value=\"";
  AppendEscaped(out, form.author_email);
  out += "\"></div>\n</div>\n";

  if (form.notify_enabled) {
    out +=
        "<div class=\"amur-field amur-field-check\"><label><input type=\"checkbox\" "
        "name=\"notify_replies\" value=\"1\"> Notify me of replies by email (give your "
        "email above)</label></div>\n";
  }
  out +=
      "<div class=\"amur-form-foot\">"
      "<p class=\"amur-hint\">Markdown supported</p>"
      "<button type=\"submit\" class=\"amur-button\">Post Comment</button></div>\n"
      "</form>\n</div>\n";
}

void AppendSortNav(std::string& out, const ThreadView& view) {
  struct Tab {
    std::string_view value;
    std::string_view label;
  };
  static constexpr Tab kTabs[] = {
      {"oldest", "Oldest"}, {"newest", "Newest"}, {"votes", "Most Voted"}};
  const std::string_view current = LinkSort(view);
  out += "<nav class=\"amur-sort\" aria-label=\"Sort comments\"><ul>";
  bool first = true;
  for (const Tab& tab : kTabs) {
    out += "<li>";
    if (!first) out += "<span class=\"amur-sep\" aria-hidden=\"true\">\u00B7</span> ";
    first = false;
    out += "<a href=\"";
    out += Href(view, "sort=" + UrlEncode(tab.value), "#comments");
    out += "\"";
    if (tab.value == current) out += " aria-current=\"true\"";
    out += ">";
    out += tab.label;
    out += "</a></li>";
  }
  out += "</ul></nav>\n";
}

void AppendPager(std::string& out, const ThreadView& view) {
  if (!view.next_cursor) return;
  out += "<nav class=\"amur-pager\" aria-label=\"More comments\">";
  out += "<a class=\"amur-button amur-button-secondary\" href=\"";
  out += Href(view, SortQuery(view) + "&cursor=" + UrlEncode(*view.next_cursor), "#comments");
  out += "\">Load more comments</a> <a class=\"amur-all\" href=\"";
  out += Href(view, SortQuery(view) + "&all=1", "#comments");
  out += "\">View all comments</a></nav>\n";
}

std::string_view PageName(const ThreadView& view) {
  if (view.page_title && !view.page_title->empty()) return *view.page_title;
  return view.page_key;
}

// The document's head and the opening of its body; the head links the
// page's feed when the view has one. The link's title is fixed: the feed
// names the page itself, and no user text goes into <head> attributes.
void AppendDocumentStart(std::string& out, std::string_view title, std::string_view body_class,
                         const ThreadView& view) {
  out +=
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"color-scheme\" content=\"light dark\">\n<title>";
  AppendEscaped(out, title);
  // An empty icon: browsers ask for /favicon.ico otherwise, and log its 404.
  out += "</title>\n<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"";
  out += kStylesheetHref;
  out += "\">\n";
  if (!view.feed_href.empty()) {
    out +=
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Comments (Atom)\" href=\"";
    AppendEscaped(out, view.feed_href);
    out += "\">\n";
  }
  out += "</head>\n<body class=\"";
  out += body_class;
  out += "\">\n<a class=\"amur-skip\" href=\"#comments\">Skip to comments</a>\n";
}

void AppendDocumentEnd(std::string& out) {
  if (!kWidgetScriptTag.empty()) {
    out += kWidgetScriptTag;
    out += '\n';
  }
  out += "</body>\n</html>\n";
}

}  // namespace

std::string ThreadPagePath(std::string_view page_key) { return "/t?page=" + UrlEncode(page_key); }

std::string RenderThreadSection(const ThreadView& view) {
  std::string out;
  out.reserve(8192 + view.comments.size() * 1024);

  out +=
      "<section class=\"amur-thread\" id=\"comments\" aria-labelledby=\"amur-count\" "
      "data-amur-page=\"";
  AppendEscaped(out, view.page_key);
  out +=
      "\">\n"
      "<header class=\"amur-thread-head\"><h2 class=\"amur-count\" id=\"amur-count\">";
  AppendCount(out, view.comment_count, "Comment", "Comments");
  out += "</h2>";
  if (view.chain_verified) {
    out +=
        "<p class=\"amur-integrity amur-integrity-ok\" title=\"Every version of every "
        "comment on this page is recorded in a hash chain, and the chain checks out.\">"
        "<span aria-hidden=\"true\">\u2713</span> hash: verified</p>";
  } else {
    out +=
        "<p class=\"amur-integrity amur-integrity-failed\" title=\"The hash chain of "
        "this page does not check out: a stored comment differs from what was "
        "recorded.\"><span aria-hidden=\"true\">\u2717</span> hash: failed</p>";
  }
  out += "</header>\n";

  if (view.closed) {
    out += "<p class=\"amur-closed\">Comments are closed.</p>\n";
  } else {
    AppendForm(out, view);
  }

  if (view.comments.empty() && !view.next_cursor) {
    if (!view.closed) {
      out += "<p class=\"amur-empty\">No comments yet. Start the conversation.</p>\n";
    }
  } else {
    AppendSortNav(out, view);
    out += "<ol class=\"amur-comments\">\n";
    for (const CommentView& c : view.comments) AppendComment(out, view, c);
    out += "</ol>\n";
    AppendPager(out, view);
  }
  out += "</section>\n";
  return out;
}

std::string RenderThreadDocument(const ThreadView& view) {
  const std::string_view name = PageName(view);
  std::string out;
  out.reserve(10240 + view.comments.size() * 1024);
  AppendDocumentStart(out, std::string(name) + " \u2014 Comments", "amur-page amur-thread-page",
                      view);
  out +=
      "<header class=\"amur-page-head\"><div class=\"amur-wrap\">"
      "<p class=\"amur-kicker\">Discussion</p><h1>";
  AppendEscaped(out, name);
  out += "</h1>";
  if (name != view.page_key) {
    out += "<p class=\"amur-page-key\">";
    AppendEscaped(out, view.page_key);
    out += "</p>";
  }
  out += "</div></header>\n<main class=\"amur-wrap\" id=\"main\">\n";
  out += RenderThreadSection(view);
  out +=
      "</main>\n<footer class=\"amur-page-foot\"><div class=\"amur-wrap\">"
      "Comments powered by Amur</div></footer>\n";
  AppendDocumentEnd(out);
  return out;
}

std::string RenderDemoDocument(const ThreadView& view) {
  std::string out;
  out.reserve(32768 + view.comments.size() * 1024);
  AppendDocumentStart(out, std::string(kDemoArticleTitle) + " \u2014 The Confluence",
                      "amur-page amur-demo", view);
  out += DemoMastheadHtml();
  out += "<main class=\"amur-wrap\" id=\"main\">\n";
  out += DemoArticleHtml();
  out += RenderThreadSection(view);
  out += "</main>\n";
  out += DemoFooterHtml();
  AppendDocumentEnd(out);
  return out;
}

}  // namespace amur::render
