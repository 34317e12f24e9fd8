#include "render/atom_feed.hpp"

#include <algorithm>
#include <cstdint>

#include "render/html_escape.hpp"
#include "render/thread_page.hpp"

namespace amur::render {

namespace {

// The length of the well-formed UTF-8 sequence at s[i] and its code point,
// or 0 when the bytes there are ill-formed (overlong, surrogate, > U+10FFFF,
// truncated).
std::size_t DecodeUtf8(std::string_view s, std::size_t i, std::uint32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len;
  std::uint32_t min;
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    min = 0x80;
    *cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    min = 0x800;
    *cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    min = 0x10000;
    *cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (b & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
  return len;
}

// True for the code points left out of XML text: C0 controls but tab, LF and
// CR (forbidden by XML 1.0), DEL and C1 controls (discouraged), and the
// non-characters U+FFFE and U+FFFF (forbidden).
bool LeftOut(std::uint32_t cp) {
  if (cp < 0x20) return cp != '\t' && cp != '\n' && cp != '\r';
  if (cp >= 0x7F && cp <= 0x9F) return true;
  return cp == 0xFFFE || cp == 0xFFFF;
}

std::string Time(TimeMs t) { return FormatRfc3339Ms(t); }

// "YYYY-MM-DD" of `t` (UTC).
std::string Day(TimeMs t) { return FormatRfc3339Ms(t).substr(0, 10); }

std::string_view PageName(const Page& page) {
  if (page.title && !page.title->empty()) return *page.title;
  return page.key;
}

std::string_view AuthorName(const Comment& c) {
  if (c.author_name && !c.author_name->empty()) return *c.author_name;
  return "Guest";
}

TimeMs Updated(const Comment& c) { return std::max(c.created_at, c.edited_at.value_or(0)); }

void AppendElement(std::string& out, std::string_view indent, std::string_view name,
                   std::string_view text) {
  out += indent;
  out += '<';
  out += name;
  out += '>';
  AppendXmlEscaped(out, text);
  out += "</";
  out += name;
  out += ">\n";
}

void AppendLink(std::string& out, std::string_view indent, std::string_view rel,
                std::string_view type, std::string_view href) {
  out += indent;
  out += "<link rel=\"";
  out += rel;
  out += '"';
  if (!type.empty()) {
    out += " type=\"";
    out += type;
    out += '"';
  }
  out += " href=\"";
  AppendXmlEscaped(out, href);
  out += "\"/>\n";
}

void AppendFeedStart(std::string& out, std::string_view id, std::string_view title,
                     std::string_view self, std::string_view alternate, TimeMs updated) {
  out += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  out += "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
  AppendElement(out, "  ", "id", id);
  AppendElement(out, "  ", "title", title);
  AppendElement(out, "  ", "updated", Time(updated));
  AppendLink(out, "  ", "self", "application/atom+xml", self);
  AppendLink(out, "  ", "alternate", "text/html", alternate);
  out += "  <generator>Amur</generator>\n";
}

void AppendEntry(std::string& out, std::string_view public_url, const Comment& c,
                 const Page& page) {
  out += "  <entry>\n";
  AppendElement(out, "    ", "id", CommentEntryId(public_url, c));
  AppendElement(out, "    ", "title",
                std::string(AuthorName(c)) + " on " + std::string(PageName(page)));
  AppendElement(out, "    ", "published", Time(c.created_at));
  AppendElement(out, "    ", "updated", Time(Updated(c)));
  out += "    <author>\n";
  AppendElement(out, "      ", "name", AuthorName(c));
  out += "    </author>\n";
  AppendLink(out, "    ", "alternate", "text/html", CommentLink(public_url, page, c.id));
  out += "    <content type=\"html\">";
  AppendXmlEscaped(out, c.body_html);
  out += "</content>\n";
  out += "  </entry>\n";
}

// The thread page of `page` on `public_url`: /demo for the demo article.
std::string ThreadLink(std::string_view public_url, const Page& page) {
  std::string out(public_url);
  out += page.key == kDemoPageKey ? std::string("/demo") : ThreadPagePath(page.key);
  return out;
}

}  // namespace

void AppendXmlEscaped(std::string& out, std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const char ch = text[i];
    switch (ch) {
      case '&':
        out += "&amp;";
        ++i;
        continue;
      case '<':
        out += "&lt;";
        ++i;
        continue;
      case '>':
        out += "&gt;";
        ++i;
        continue;
      case '"':
        out += "&quot;";
        ++i;
        continue;
      case '\'':
        out += "&#39;";
        ++i;
        continue;
      default:
        break;
    }
    std::uint32_t cp = 0;
    const std::size_t len = DecodeUtf8(text, i, &cp);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for one ill-formed byte
      ++i;
      continue;
    }
    if (!LeftOut(cp)) out.append(text.substr(i, len));
    i += len;
  }
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  AppendXmlEscaped(out, text);
  return out;
}

std::string TagAuthority(std::string_view public_url) {
  const auto scheme = public_url.find("://");
  if (scheme == std::string_view::npos) return "localhost";
  std::string_view rest = public_url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  rest = rest.substr(0, rest.find(':'));
  std::string host;
  for (char c : rest) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    if (!ok) return "localhost";
    host += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return host.empty() ? "localhost" : host;
}

std::string CommentEntryId(std::string_view public_url, const Comment& c) {
  return "tag:" + TagAuthority(public_url) + "," + Day(c.created_at) + ":amur/" +
         FormatCommentId(c.id);
}

std::string CommentLink(std::string_view public_url, const Page& page, CommentId id) {
  if (page.url && !page.url->empty()) {
    std::string out = page.url->substr(0, page.url->find('#'));
    out += "#amur-";
    out += FormatCommentId(id);
    return out;
  }
  return ThreadLink(public_url, page) + "#" + FormatCommentId(id);
}

std::string PageLink(std::string_view public_url, const Page& page) {
  if (page.url && !page.url->empty()) return *page.url;
  return ThreadLink(public_url, page);
}

std::string PageFeedPath(std::string_view page_key) {
  return "/feeds/comments.atom?page=" + UrlEncode(page_key);
}

std::string RenderPageFeed(std::string_view public_url, const Page& page,
                           const std::vector<Comment>& comments) {
  const std::size_t n = std::min(comments.size(), static_cast<std::size_t>(kFeedEntries));
  TimeMs updated = page.created_at;
  for (std::size_t i = 0; i < n; ++i) updated = std::max(updated, Updated(comments[i]));
  std::string out;
  out.reserve(1024 + n * 1024);
  AppendFeedStart(out,
                  "tag:" + TagAuthority(public_url) + "," + Day(page.created_at) + ":amur/page/" +
                      UrlEncode(page.key),
                  "Comments on " + std::string(PageName(page)),
                  std::string(public_url) + PageFeedPath(page.key), PageLink(public_url, page),
                  updated);
  for (std::size_t i = 0; i < n; ++i) AppendEntry(out, public_url, comments[i], page);
  out += "</feed>\n";
  return out;
}

std::string RenderRecentFeed(std::string_view public_url,
                             const std::vector<FeedComment>& comments) {
  const std::size_t n = std::min(comments.size(), static_cast<std::size_t>(kFeedEntries));
  TimeMs updated = 0;
  for (std::size_t i = 0; i < n; ++i) updated = std::max(updated, Updated(*comments[i].comment));
  std::string out;
  out.reserve(1024 + n * 1024);
  // The date in the id is fixed: the feed's id must never change.
  AppendFeedStart(out, "tag:" + TagAuthority(public_url) + ",2026:amur/recent", "Recent comments",
                  std::string(public_url) + kRecentFeedPath, std::string(public_url) + "/",
                  updated);
  for (std::size_t i = 0; i < n; ++i) {
    AppendEntry(out, public_url, *comments[i].comment, *comments[i].page);
  }
  out += "</feed>\n";
  return out;
}

}  // namespace amur::render
