#include "notify/mail_templates.hpp"

#include <ctime>

#include "render/html_escape.hpp"

namespace amur::notify {

namespace {

using render::Escape;

std::string From(const MailSite& site) { return FormatMailbox(site.from_name, site.from_address); }

// "7 Dec 2026, 03:04 UTC".
std::string ShortDate(TimeMs at) {
  const std::time_t t = static_cast<std::time_t>(at / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%d %b %Y, %H:%M UTC", &tm);
  return buf;
}

// The text quoted for the plain part: each line after "> ".
std::string Quoted(const std::string& text) {
  std::string out = "> ";
  for (char c : text) {
    out += c;
    if (c == '\n') out += "> ";
  }
  return out;
}

std::string Title(const std::string& page_title) {
  return page_title.empty() ? std::string("an article") : "\u201c" + page_title + "\u201d";
}

constexpr const char* kHtmlHead =
    "<!doctype html>\n<html><head><meta charset=\"utf-8\"></head>\n"
    "<body style=\"font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;"
    "line-height:1.5;color:#1f2328;max-width:40em\">\n";

void AppendFooter(std::string& text, std::string& html, const std::string& unsubscribe_url,
                  const std::string& manage_url, const std::string& why) {
  text += "\n-- \n" + why + "\n";
  if (!unsubscribe_url.empty()) text += "Unsubscribe: " + unsubscribe_url + "\n";
  if (!manage_url.empty()) text += "Manage your subscriptions: " + manage_url + "\n";
  html +=
      "<hr style=\"border:0;border-top:1px solid #d0d7de\">\n<p style=\"color:#59636e;font-size:"
      "90%\">" +
      Escape(why) + "<br>";
  if (!unsubscribe_url.empty()) {
    html += "<a href=\"" + Escape(unsubscribe_url) + "\">Unsubscribe</a>";
  }
  if (!manage_url.empty()) {
    if (!unsubscribe_url.empty()) html += " \u00b7 ";
    html += "<a href=\"" + Escape(manage_url) + "\">Manage your subscriptions</a>";
  }
  html += "</p>\n</body></html>\n";
}

void AppendComment(std::string& text, std::string& html, const MailComment& c) {
  const std::string who = c.author + (c.reply_to_you ? " replied to you" : " wrote");
  text +=
      who + " (" + ShortDate(c.at) + "):\n\n" + Quoted(c.text) + "\n\nRead it: " + c.link + "\n\n";
  html += "<p style=\"margin:1.5em 0 .25em\"><strong>" + Escape(c.author) + "</strong>" +
          (c.reply_to_you ? " replied to you" : " wrote") + " <span style=\"color:#59636e\">" +
          Escape(ShortDate(c.at)) +
          "</span></p>\n<blockquote style=\"margin:0;padding:0 1em;"
          "border-left:3px solid #d0d7de\">" +
          c.html + "</blockquote>\n<p><a href=\"" + Escape(c.link) +
          "\">Read it in the thread</a></p>\n";
}

std::vector<std::pair<std::string, std::string>> UnsubscribeHeaders(const std::string& url) {
  if (url.empty()) return {};
  return {{"List-Unsubscribe", "<" + url + ">"},
          {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
}

}  // namespace

MailParts ConfirmationMail(const MailSite& site, const std::string& to,
                           const std::vector<std::string>& what, const std::string& confirm_url,
                           const std::string& message_id, TimeMs date) {
  MailParts p;
  p.from = From(site);
  p.to = to;
  p.subject = "Please confirm: email notifications of comments";
  p.message_id = message_id;
  p.date = date;
  std::string list_text;
  std::string list_html;
  for (const auto& w : what) {
    list_text += "  - " + w + "\n";
    list_html += "<li>" + Escape(w) + "</li>";
  }
  p.text =
      "Someone, probably you, asked to be emailed about:\n\n" + list_text +
      "\nTo confirm, open this link:\n" + confirm_url +
      "\n\nIf it was not you, ignore this message: nothing more will be sent, and this address "
      "gets no other confirmation request for a week.\n";
  p.html = std::string(kHtmlHead) +
           "<p>Someone, probably you, asked to be emailed about:</p>\n<ul>" + list_html +
           "</ul>\n<p><a href=\"" + Escape(confirm_url) +
           "\" style=\"display:inline-block;padding:.5em 1em;background:#0969da;color:#fff;"
           "border-radius:6px;text-decoration:none\">Confirm</a></p>\n"
           "<p style=\"color:#59636e\">If it was not you, ignore this message: nothing more will "
           "be sent, and this address gets no other confirmation request for a week.</p>\n"
           "</body></html>\n";
  return p;
}

MailParts CommentsMail(const MailSite& site, const std::string& to, const std::string& page_title,
                       const std::string& page_link, const std::vector<MailComment>& comments,
                       bool replies_only, const std::string& unsubscribe_url,
                       const std::string& manage_url, const std::string& message_id, TimeMs date) {
  MailParts p;
  p.from = From(site);
  p.to = to;
  p.message_id = message_id;
  p.date = date;
  p.extra_headers = UnsubscribeHeaders(unsubscribe_url);
  const std::size_t n = comments.size();
  const std::string title = Title(page_title);
  if (n == 1) {
    p.subject = comments[0].reply_to_you ? comments[0].author + " replied to you on " + title
                                         : comments[0].author + " commented on " + title;
  } else {
    p.subject = std::to_string(n) +
                (replies_only ? " new replies to you on " : " new comments on ") + title;
  }
  p.text = (n == 1 ? std::string("A new comment on ") : std::to_string(n) + " new comments on ") +
           title + ":\n" + page_link + "\n\n";
  p.html = std::string(kHtmlHead) + "<p>" +
           (n == 1 ? std::string("A new comment on ") : std::to_string(n) + " new comments on ") +
           "<a href=\"" + Escape(page_link) + "\">" + Escape(title) + "</a>:</p>\n";
  for (const auto& c : comments) AppendComment(p.text, p.html, c);
  AppendFooter(p.text, p.html, unsubscribe_url, manage_url,
               replies_only
                   ? "You get this because you asked to be told of replies to your comments."
                   : "You get this because you follow the comments on " + title + ".");
  return p;
}

MailParts HeldCommentMail(const MailSite& site, const std::string& to,
                          const std::string& page_title, const MailComment& comment,
                          const std::vector<std::string>& reasons, const std::string& desk_url,
                          const std::string& unsubscribe_url, const std::string& manage_url,
                          const std::string& message_id, TimeMs date) {
  MailParts p;
  p.from = From(site);
  p.to = to;
  p.message_id = message_id;
  p.date = date;
  p.extra_headers = UnsubscribeHeaders(unsubscribe_url);
  const std::string title = Title(page_title);
  p.subject = "Held for moderation: a comment by " + comment.author + " on " + title;
  std::string why;
  for (const auto& r : reasons) why += (why.empty() ? "" : ", ") + r;
  p.text = "A comment on " + title + " is held for moderation" +
           (why.empty() ? std::string() : " (" + why + ")") + ".\n\n";
  p.html = std::string(kHtmlHead) + "<p>A comment on " + Escape(title) + " is held for moderation" +
           (why.empty() ? std::string() : " (" + Escape(why) + ")") + ".</p>\n";
  MailComment c = comment;
  c.link = desk_url;
  AppendComment(p.text, p.html, c);
  AppendFooter(p.text, p.html, unsubscribe_url, manage_url,
               "You get this because you asked to be told of comments held for moderation.");
  return p;
}

}  // namespace amur::notify
