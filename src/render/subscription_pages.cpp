#include "render/subscription_pages.hpp"

#include "render/html_escape.hpp"

namespace amur::render {

namespace {

std::string Start(const std::string& title) {
  std::string out =
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"color-scheme\" content=\"light dark\">\n"
      "<meta name=\"robots\" content=\"noindex\">\n<title>";
  AppendEscaped(out, title);
  out +=
      "</title>\n<link rel=\"icon\" href=\"data:,\">\n"
      "<link rel=\"stylesheet\" href=\"/assets/page.css\">\n</head>\n<body>\n"
      "<main class=\"amur-wrap amur-mail-page\" id=\"main\">\n<h1>";
  AppendEscaped(out, title);
  out += "</h1>\n";
  return out;
}

constexpr const char* kEnd = "</main>\n</body>\n</html>\n";

}  // namespace

std::string NoticePageHtml(const std::string& heading, const std::string& text,
                           const std::string& link_text, const std::string& link) {
  std::string out = Start(heading);
  out += "<p class=\"amur-notice\">";
  AppendEscaped(out, text);
  out += "</p>\n";
  if (!link.empty()) {
    out += "<p><a href=\"";
    AppendEscaped(out, link);
    out += "\">";
    AppendEscaped(out, link_text);
    out += "</a></p>\n";
  }
  return out + kEnd;
}

std::string UnsubscribePageHtml(const std::string& action) {
  std::string out = Start("Unsubscribe");
  out += "<p>Stop the email these notices come from?</p>\n<form method=\"post\" action=\"";
  AppendEscaped(out, action);
  out +=
      "\">\n<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\n"
      "<button class=\"amur-button\" type=\"submit\">Unsubscribe</button>\n</form>\n";
  return out + kEnd;
}

std::string ManagePageHtml(const std::string& email, const std::vector<SubscriptionLine>& lines,
                           const std::string& action, const std::string& notice) {
  std::string out = Start("Your email notifications");
  if (!notice.empty()) {
    out += "<p class=\"amur-notice\" role=\"status\">";
    AppendEscaped(out, notice);
    out += "</p>\n";
  }
  out += "<p>For <strong>";
  AppendEscaped(out, email);
  out += "</strong>:</p>\n";
  if (lines.empty()) {
    out += "<p>No subscriptions: this address gets no notices.</p>\n";
    return out + kEnd;
  }
  out += "<ul class=\"amur-subscriptions\">\n";
  for (const auto& l : lines) {
    out += "<li><form method=\"post\" action=\"";
    AppendEscaped(out, action);
    out += "\">";
    if (!l.link.empty()) {
      out += "<a href=\"";
      AppendEscaped(out, l.link);
      out += "\">";
      AppendEscaped(out, l.what);
      out += "</a>";
    } else {
      AppendEscaped(out, l.what);
    }
    if (!l.confirmed) out += " <em>(waiting for confirmation)</em>";
    out += " <input type=\"hidden\" name=\"remove\" value=\"";
    AppendEscaped(out, l.id);
    out +=
        "\"><button class=\"amur-button amur-button-secondary\" type=\"submit\">Remove</button>"
        "</form></li>\n";
  }
  out += "</ul>\n<form method=\"post\" action=\"";
  AppendEscaped(out, action);
  out +=
      "\"><input type=\"hidden\" name=\"remove\" value=\"all\">"
      "<button class=\"amur-button\" type=\"submit\">Remove all</button></form>\n";
  return out + kEnd;
}

}  // namespace amur::render
