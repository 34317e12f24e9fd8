#include "transfer/html_to_markdown.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <vector>

namespace amur::transfer {

namespace {

void AppendUtf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

struct Named {
  const char* name;
  std::uint32_t cp;
};
constexpr Named kNamed[] = {
    {"amp", '&'},      {"lt", '<'},        {"gt", '>'},       {"quot", '"'},     {"apos", '\''},
    {"nbsp", 0xA0},    {"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013}, {"lsquo", 0x2018},
    {"rsquo", 0x2019}, {"ldquo", 0x201C},  {"rdquo", 0x201D}, {"laquo", 0xAB},   {"raquo", 0xBB},
    {"copy", 0xA9},    {"reg", 0xAE},      {"trade", 0x2122}, {"euro", 0x20AC},  {"pound", 0xA3},
    {"yen", 0xA5},     {"cent", 0xA2},     {"sect", 0xA7},    {"deg", 0xB0},     {"middot", 0xB7},
    {"bull", 0x2022},  {"times", 0xD7},    {"divide", 0xF7},  {"shy", 0xAD},     {"iexcl", 0xA1},
    {"iquest", 0xBF},  {"eacute", 0xE9},
};

// Decodes the reference at text[i] == '&' into out; returns the bytes it
// used, or 0 when it is not a reference.
std::size_t DecodeOne(std::string_view text, std::size_t i, std::string& out) {
  const std::size_t semi = text.find(';', i + 1);
  if (semi == std::string_view::npos || semi - i > 12 || semi == i + 1) return 0;
  const std::string_view body = text.substr(i + 1, semi - i - 1);
  if (body[0] == '#') {
    std::uint32_t cp = 0;
    const bool hex = body.size() > 1 && (body[1] == 'x' || body[1] == 'X');
    const std::string_view digits = body.substr(hex ? 2 : 1);
    if (digits.empty()) return 0;
    for (const char ch : digits) {
      const int d = std::isdigit(static_cast<unsigned char>(ch)) ? ch - '0'
                    : hex && std::isxdigit(static_cast<unsigned char>(ch))
                        ? std::tolower(static_cast<unsigned char>(ch)) - 'a' + 10
                        : -1;
      if (d < 0) return 0;
      cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
      if (cp > 0x10FFFF) cp = 0x110000;
    }
    AppendUtf8(out, cp);
    return semi - i + 1;
  }
  for (const Named& n : kNamed) {
    if (body == n.name) {
      AppendUtf8(out, n.cp);
      return semi - i + 1;
    }
  }
  return 0;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IStartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && IEquals(s.substr(0, prefix.size()), prefix);
}

struct Tag {
  std::string name;  // lower case
  bool closing = false;
  bool self_closing = false;
  std::string href, src, alt;
};

// Parses a tag starting at html[i] == '<'; returns the end (past '>') or 0
// when this '<' does not start a tag.
std::size_t ParseTag(std::string_view html, std::size_t i, Tag& tag) {
  std::size_t p = i + 1;
  if (p < html.size() && html[p] == '/') {
    tag.closing = true;
    ++p;
  }
  const std::size_t name_start = p;
  while (p < html.size() && std::isalnum(static_cast<unsigned char>(html[p]))) ++p;
  if (p == name_start || !std::isalpha(static_cast<unsigned char>(html[name_start]))) return 0;
  tag.name.assign(html.substr(name_start, p - name_start));
  for (char& ch : tag.name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  while (p < html.size()) {
    const char ch = html[p];
    if (ch == '>') return p + 1;
    if (ch == '/') {
      tag.self_closing = true;
      ++p;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(ch))) {
      ++p;
      continue;
    }
    const std::size_t an = p;
    while (p < html.size() && html[p] != '=' && html[p] != '>' && html[p] != '/' &&
           !std::isspace(static_cast<unsigned char>(html[p]))) {
      ++p;
    }
    const std::string_view attr = html.substr(an, p - an);
    while (p < html.size() && std::isspace(static_cast<unsigned char>(html[p]))) ++p;
    std::string value;
    if (p < html.size() && html[p] == '=') {
      ++p;
      while (p < html.size() && std::isspace(static_cast<unsigned char>(html[p]))) ++p;
      if (p < html.size() && (html[p] == '"' || html[p] == '\'')) {
        const char q = html[p];
        const std::size_t end = html.find(q, p + 1);
        if (end == std::string_view::npos) return 0;
        value.assign(html.substr(p + 1, end - p - 1));
        p = end + 1;
      } else {
        const std::size_t vs = p;
        while (p < html.size() && html[p] != '>' &&
               !std::isspace(static_cast<unsigned char>(html[p])))
          ++p;
        value.assign(html.substr(vs, p - vs));
      }
    }
    if (IEquals(attr, "href"))
      tag.href = DecodeHtmlEntities(value);
    else if (IEquals(attr, "src"))
      tag.src = DecodeHtmlEntities(value);
    else if (IEquals(attr, "alt"))
      tag.alt = DecodeHtmlEntities(value);
  }
  return 0;
}

bool SafeHref(std::string_view href) {
  return IStartsWith(href, "http://") || IStartsWith(href, "https://") ||
         IStartsWith(href, "mailto:");
}

std::string EscapeHref(std::string_view href) {
  std::string out;
  for (const char ch : href) {
    switch (ch) {
      case ' ':
        out += "%20";
        break;
      case '(':
        out += "%28";
        break;
      case ')':
        out += "%29";
        break;
      case '<':
        out += "%3C";
        break;
      case '>':
        out += "%3E";
        break;
      case '\n':
      case '\r':
      case '\t':
        break;
      default:
        out += ch;
    }
  }
  return out;
}

class Writer {
 public:
  explicit Writer(Newlines nl) : newlines_(nl) {}

  // Text as the reader should see it (entities decoded already).
  void Text(std::string_view t) {
    if (skip_ > 0) return;
    if (pre_ > 0) {
      for (const char ch : t) {
        if (ch == '\r') continue;
        if (ch == '\n') {
          out_ += '\n';
          out_ += Prefix();
        } else {
          out_ += ch;
        }
      }
      return;
    }
    std::size_t i = 0;
    while (i < t.size()) {
      const char ch = t[i];
      if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f') {
        int newlines = 0;
        while (i < t.size() &&
               (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r' || t[i] == '\f')) {
          newlines += t[i] == '\n';
          ++i;
        }
        if (newlines_ == Newlines::kBreaks && newlines > 0 && code_ == 0) {
          Break(newlines >= 2 ? 2 : 1);
        } else {
          space_ = true;
        }
        continue;
      }
      // A bare URL is written as it is (the autolink extension links it;
      // escaping its _ or ~ would change it).
      const char lower = static_cast<char>(ch | 0x20);
      if (code_ == 0 && (lower == 'h' || lower == 'w') &&
          (IStartsWith(t.substr(i), "http://") || IStartsWith(t.substr(i), "https://") ||
           IStartsWith(t.substr(i), "www."))) {
        std::size_t end = i;
        while (end < t.size() && !std::isspace(static_cast<unsigned char>(t[end])) &&
               t[end] != '<' && t[end] != '>' && t[end] != '[' && t[end] != ']' && t[end] != '`' &&
               t[end] != '*')
          ++end;
        Flush();
        out_.append(t.substr(i, end - i));
        i = end;
        continue;
      }
      Flush();
      if (code_ > 0) {
        out_ += ch;
      } else {
        Escaped(t, i);
      }
      ++i;
    }
  }

  void Open(const Tag& tag) {
    const std::string& n = tag.name;
    if (n == "script" || n == "style" || n == "iframe" || n == "object" || n == "template") {
      if (!tag.self_closing) ++skip_;
      return;
    }
    if (skip_ > 0) return;
    if (n == "p" || n == "div" || n == "h1" || n == "h2" || n == "h3" || n == "h4" || n == "h5" ||
        n == "h6" || n == "table" || n == "tr" || n == "hr") {
      Break(2);
    } else if (n == "br") {
      Break(1);
    } else if (n == "blockquote") {
      Break(2);
      ++quote_;
    } else if (n == "ul" || n == "ol") {
      Break(2);
      lists_.push_back(n == "ol" ? 1 : 0);
    } else if (n == "li") {
      Break(2);
      Flush();
      space_ = false;
      if (!lists_.empty() && lists_.back() > 0) {
        out_ += std::to_string(lists_.back()++) + ". ";
      } else {
        out_ += "- ";
      }
      line_start_ = true;
    } else if (n == "pre") {
      Break(2);
      Flush();
      out_ += "```\n" + Prefix();
      ++pre_;
    } else if (n == "code" && pre_ == 0) {
      Flush();
      out_ += '`';
      ++code_;
    } else if (n == "b" || n == "strong") {
      Flush();
      out_ += "**";
    } else if (n == "i" || n == "em") {
      Flush();
      out_ += '*';
    } else if (n == "s" || n == "del" || n == "strike") {
      Flush();
      out_ += "~~";
    } else if (n == "a") {
      if (!link_.empty() || tag.href.empty() || !SafeHref(tag.href) || pre_ > 0 || code_ > 0) {
        link_.push_back("");
        return;
      }
      Flush();
      out_ += '[';
      link_start_ = out_.size();
      link_.push_back(tag.href);
    } else if (n == "img") {
      const std::string& src = tag.src;
      if (!SafeHref(src) || !link_.empty() || pre_ > 0 || code_ > 0) {
        if (!tag.alt.empty()) Text(tag.alt);
        return;
      }
      Flush();
      out_ += '[';
      const std::string alt = tag.alt.empty() ? std::string("image") : tag.alt;
      for (std::size_t i = 0; i < alt.size(); ++i) Escaped(alt, i);
      out_ += "](" + EscapeHref(src) + ')';
    } else if (n == "td" || n == "th") {
      space_ = true;
    }
  }

  void Close(const Tag& tag) {
    const std::string& n = tag.name;
    if (n == "script" || n == "style" || n == "iframe" || n == "object" || n == "template") {
      if (skip_ > 0) --skip_;
      return;
    }
    if (skip_ > 0) return;
    if (n == "p" || n == "div" || n == "h1" || n == "h2" || n == "h3" || n == "h4" || n == "h5" ||
        n == "h6" || n == "table" || n == "tr" || n == "li") {
      Break(2);
    } else if (n == "blockquote") {
      Break(2);
      if (quote_ > 0) --quote_;
    } else if (n == "ul" || n == "ol") {
      Break(2);
      if (!lists_.empty()) lists_.pop_back();
    } else if (n == "pre") {
      if (pre_ > 0) {
        --pre_;
        while (!out_.empty() && out_.back() != '\n' &&
               std::isspace(static_cast<unsigned char>(out_.back())))
          out_.pop_back();
        out_ += '\n' + Prefix() + "```";
        Break(2);
      }
    } else if (n == "code" && pre_ == 0) {
      if (code_ > 0) {
        --code_;
        out_ += '`';
      }
    } else if (n == "b" || n == "strong") {
      out_ += "**";
    } else if (n == "i" || n == "em") {
      out_ += '*';
    } else if (n == "s" || n == "del" || n == "strike") {
      out_ += "~~";
    } else if (n == "a") {
      if (link_.empty()) return;
      const std::string href = link_.back();
      link_.pop_back();
      if (href.empty()) return;
      if (out_.size() == link_start_) {
        for (std::size_t i = 0; i < href.size(); ++i) Escaped(href, i);
      }
      out_ += "](" + EscapeHref(href) + ')';
    }
  }

  std::string Finish() {
    // Strip trailing white space and stray blank lines.
    while (!out_.empty() && std::isspace(static_cast<unsigned char>(out_.back()))) out_.pop_back();
    std::size_t start = 0;
    while (start < out_.size() && (out_[start] == '\n' || out_[start] == ' ')) ++start;
    return out_.substr(start);
  }

 private:
  std::string Prefix() const {
    std::string p;
    for (int i = 0; i < quote_; ++i) p += "> ";
    return p;
  }

  void Break(int kind) {
    if (pre_ > 0) return;
    pending_ = std::max(pending_, kind);
    space_ = false;
  }

  // Writes what is pending before the next visible character.
  void Flush() {
    if (pending_ > 0) {
      if (!out_.empty()) {
        while (!out_.empty() && out_.back() == ' ') out_.pop_back();
        if (pending_ == 1 && code_ == 0) {
          out_ += "\\\n";
        } else {
          out_ += '\n';
          std::string bare = Prefix();
          while (!bare.empty() && bare.back() == ' ') bare.pop_back();
          out_ += bare + '\n';
        }
        out_ += Prefix();
      } else {
        out_ += Prefix();
      }
      pending_ = 0;
      space_ = false;
      line_start_ = true;
    } else if (out_.empty() && quote_ > 0) {
      out_ += Prefix();
      line_start_ = true;
    }
    if (space_) {
      if (!line_start_) out_ += ' ';
      space_ = false;
    }
  }

  // Writes t[i], escaped where Markdown would read it as syntax.
  void Escaped(std::string_view t, std::size_t i) {
    const char ch = t[i];
    const bool at_start = line_start_;
    line_start_ = false;
    switch (ch) {
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '<':
      case '~':
        out_ += '\\';
        out_ += ch;
        return;
      case '&': {
        std::size_t j = i + 1;
        while (j < t.size() && (std::isalnum(static_cast<unsigned char>(t[j])) || t[j] == '#')) ++j;
        if (j < t.size() && t[j] == ';' && j > i + 1) out_ += '\\';
        out_ += ch;
        return;
      }
      case '#':
      case '-':
      case '+':
      case '=':
      case '>':
      case '|':
        if (at_start) out_ += '\\';
        out_ += ch;
        return;
      default:
        break;
    }
    if (at_start && std::isdigit(static_cast<unsigned char>(ch))) {
      std::size_t j = i;
      while (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j]))) ++j;
      if (j < t.size() && (t[j] == '.' || t[j] == ')')) {
        out_.append(t.substr(i, j - i));
        out_ += '\\';
        // The caller goes on at j, where the '.' or ')' is written as is;
        // the digits after i are written here, so skip them there.
        skip_digits_ = j - i - 1;
        return;
      }
    }
    if (skip_digits_ > 0) {
      --skip_digits_;
      return;
    }
    out_ += ch;
  }

 public:
  std::size_t skip_digits_ = 0;

 private:
  Newlines newlines_;
  std::string out_;
  int pending_ = 0;  // 1: line break, 2: paragraph
  bool space_ = false;
  bool line_start_ = true;
  int quote_ = 0;
  int pre_ = 0;
  int code_ = 0;
  int skip_ = 0;
  std::vector<int> lists_;  // 0: bullets; n: the next number
  std::vector<std::string> link_;
  std::size_t link_start_ = 0;
};

}  // namespace

std::string DecodeHtmlEntities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '&') {
      const std::size_t used = DecodeOne(text, i, out);
      if (used > 0) {
        i += used;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

std::string HtmlToMarkdown(std::string_view html, Newlines newlines) {
  Writer w(newlines);
  std::string text;
  auto flush_text = [&] {
    if (text.empty()) return;
    w.Text(DecodeHtmlEntities(text));
    text.clear();
  };
  for (std::size_t i = 0; i < html.size();) {
    if (html[i] == '<') {
      if (html.compare(i, 4, "<!--") == 0) {
        flush_text();
        const std::size_t end = html.find("-->", i + 4);
        i = end == std::string_view::npos ? html.size() : end + 3;
        continue;
      }
      Tag tag;
      const std::size_t end = ParseTag(html, i, tag);
      if (end > 0) {
        flush_text();
        if (tag.closing) {
          w.Close(tag);
        } else {
          w.Open(tag);
          if (tag.self_closing && tag.name != "br" && tag.name != "img" && tag.name != "hr") {
            w.Close(tag);
          }
        }
        i = end;
        continue;
      }
    }
    text += html[i++];
  }
  flush_text();
  return w.Finish();
}

}  // namespace amur::transfer
