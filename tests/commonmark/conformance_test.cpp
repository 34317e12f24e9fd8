// The CommonMark spec's own examples through Amur's real renderer
// (render::MarkdownToSafeHtml, with its link policy). The examples come from
// npm commonmark-spec as JSON written by export_spec_examples.mjs; the path is
// in AMUR_COMMONMARK_EXAMPLES (run_conformance_test.sh sets it).
//
// Counted: every example except those the safety policy renders differently
// on purpose, namely
//   - raw HTML: the sections "HTML blocks" and "Raw HTML", and any other
//     example whose parse holds an HTML block or inline HTML node (Amur shows
//     raw HTML as text);
//   - images: the expected HTML has an <img> (Amur shows images as links);
//   - relative links: the expected HTML has an href that does not start with
//     http:, https: or mailto: (Amur keeps only those and drops the link,
//     keeping its text).
// Both sides are normalised before comparison: white space outside <pre> is
// collapsed and dropped next to block tags, "<br />" is "<br>", &quot; and
// &#39; are the characters, and what the link policy adds or changes on
// purpose is undone: rel="nofollow ugc noopener" is removed and the scheme of
// an href is compared in lower case (Amur writes "MAILTO:" as "mailto:").
// Passes when at least 98% of the counted examples match.
#include <cmark-gfm.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "render/markdown.hpp"

namespace {

namespace json = boost::json;

struct Example {
  int number = 0;
  std::string section;
  std::string markdown;
  std::string html;
};

struct SpecExamples {
  std::string version;
  std::vector<Example> examples;
};

SpecExamples LoadExamples() {
  const char* path = std::getenv("AMUR_COMMONMARK_EXAMPLES");
  if (path == nullptr || *path == '\0') {
    ADD_FAILURE() << "AMUR_COMMONMARK_EXAMPLES is not set (run through run_conformance_test.sh)";
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  const json::value doc = json::parse(buf.str());
  SpecExamples out;
  out.version = json::value_to<std::string>(doc.at("version"));
  for (const json::value& e : doc.at("examples").as_array()) {
    Example ex;
    ex.number = static_cast<int>(e.at("number").to_number<int64_t>());
    ex.section = json::value_to<std::string>(e.at("section"));
    ex.markdown = json::value_to<std::string>(e.at("markdown"));
    ex.html = json::value_to<std::string>(e.at("html"));
    out.examples.push_back(std::move(ex));
  }
  return out;
}

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

bool IsBlockTag(std::string_view tag) {
  // `tag` is what follows '<' up to the name's end, e.g. "/p" or "li".
  if (!tag.empty() && tag.front() == '/') tag.remove_prefix(1);
  for (std::string_view b : {"p", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5",
                             "h6", "hr", "pre", "table", "thead", "tbody", "tr", "th", "td"}) {
    if (tag == b) return true;
  }
  return false;
}

std::string TagNameAt(std::string_view s, std::size_t lt) {
  std::size_t e = lt + 1;
  if (e < s.size() && s[e] == '/') ++e;
  while (e < s.size() && std::isalnum(static_cast<unsigned char>(s[e]))) ++e;
  return std::string(s.substr(lt + 1, e - lt - 1));
}

// The comparison form of an HTML fragment (see the file comment).
std::string Normalize(std::string html) {
  ReplaceAll(html, " rel=\"nofollow ugc noopener\"", "");
  ReplaceAll(html, " />", ">");
  ReplaceAll(html, "&quot;", "\"");
  ReplaceAll(html, "&#39;", "'");
  ReplaceAll(html, "&#x27;", "'");
  static constexpr std::string_view kHref = "href=\"";
  for (std::size_t at = html.find(kHref); at != std::string::npos; at = html.find(kHref, at + 1)) {
    const std::size_t colon = html.find_first_of(":\"", at + kHref.size());
    if (colon == std::string::npos || html[colon] != ':') continue;
    for (std::size_t i = at + kHref.size(); i < colon; ++i) {
      html[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(html[i])));
    }
  }

  // Collapse white space outside <pre>…</pre>.
  std::string collapsed;
  bool in_pre = false;
  bool pending_space = false;
  for (std::size_t i = 0; i < html.size(); ++i) {
    if (html.compare(i, 4, "<pre") == 0) in_pre = true;
    if (html.compare(i, 6, "</pre>") == 0) in_pre = false;
    const char c = html[i];
    if (!in_pre && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
      pending_space = true;
      continue;
    }
    if (pending_space) {
      collapsed += ' ';
      pending_space = false;
    }
    collapsed += c;
  }

  // Drop a space that touches a block tag.
  std::string out;
  for (std::size_t i = 0; i < collapsed.size(); ++i) {
    if (collapsed[i] == ' ') {
      const bool before_block = i + 1 < collapsed.size() && collapsed[i + 1] == '<' &&
                                IsBlockTag(TagNameAt(collapsed, i + 1));
      bool after_block = false;
      if (!out.empty() && out.back() == '>') {
        const std::size_t lt = out.rfind('<');
        after_block = lt != std::string::npos && IsBlockTag(TagNameAt(out, lt));
      }
      if (before_block || after_block || out.empty() || i + 1 == collapsed.size()) continue;
    }
    out += collapsed[i];
  }
  return out;
}

bool HasRawHtmlNode(const std::string& markdown) {
  cmark_node* doc = cmark_parse_document(markdown.data(), markdown.size(), CMARK_OPT_DEFAULT);
  cmark_iter* it = cmark_iter_new(doc);
  bool found = false;
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    const auto t = cmark_node_get_type(cmark_iter_get_node(it));
    if (ev == CMARK_EVENT_ENTER && (t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE)) {
      found = true;
    }
  }
  cmark_iter_free(it);
  cmark_node_free(doc);
  return found;
}

bool HasNonWebHref(const std::string& html) {
  static constexpr std::string_view kHref = "href=\"";
  for (std::size_t at = html.find(kHref); at != std::string::npos; at = html.find(kHref, at + 1)) {
    std::string url = html.substr(at + kHref.size(), 8);
    for (char& c : url) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (url.rfind("http:", 0) != 0 && url.rfind("https:", 0) != 0 && url.rfind("mailto:", 0) != 0) {
      return true;
    }
  }
  return false;
}

// Why an example is not counted, or "" when it is.
std::string Exclusion(const Example& e) {
  if (e.section == "HTML blocks" || e.section == "Raw HTML" || HasRawHtmlNode(e.markdown)) {
    return "raw HTML";
  }
  if (e.html.find("<img") != std::string::npos) return "images";
  if (HasNonWebHref(e.html)) return "relative links";
  return "";
}

TEST(CommonMarkNormalize, KeepsDifferencesThatMatter) {
  EXPECT_EQ(Normalize("<p>a\nb</p>\n<hr />\n"), Normalize("<p>a b</p><hr>"));
  EXPECT_EQ(Normalize("<a href=\"http://x\" rel=\"nofollow ugc noopener\">x</a>"),
            "<a href=\"http://x\">x</a>");
  EXPECT_EQ(Normalize("<a href=\"MAILTO:A@B.C\">x</a>"), "<a href=\"mailto:A@B.C\">x</a>");
  EXPECT_NE(Normalize("<p>a b</p>"), Normalize("<p>ab</p>"));
  EXPECT_NE(Normalize("<p><em>a</em> b</p>"), Normalize("<p><em>a</em>b</p>"));
  EXPECT_NE(Normalize("<pre><code>  a\n</code></pre>"), Normalize("<pre><code>a\n</code></pre>"));
  EXPECT_NE(Normalize("<ul><li>a</li></ul>"), Normalize("<ol><li>a</li></ol>"));
}

TEST(CommonMarkSpec, AtLeast98PercentOfCountedExamplesPass) {
  const SpecExamples spec = LoadExamples();
  ASSERT_FALSE(spec.examples.empty());

  std::map<std::string, int> excluded;
  int counted = 0;
  int passed = 0;
  std::vector<std::string> failures;
  for (const Example& e : spec.examples) {
    const std::string why = Exclusion(e);
    if (!why.empty()) {
      ++excluded[why];
      continue;
    }
    ++counted;
    const std::string actual = amur::render::MarkdownToSafeHtml(e.markdown);
    if (Normalize(actual) == Normalize(e.html)) {
      ++passed;
    } else {
      failures.push_back("example " + std::to_string(e.number) + " (" + e.section +
                         ")\n  markdown: " + json::serialize(json::string(e.markdown)) +
                         "\n  expected: " + json::serialize(json::string(e.html)) +
                         "\n  amur:     " + json::serialize(json::string(actual)));
    }
  }

  for (const std::string& f : failures) std::cout << "FAIL " << f << "\n";
  std::cout << "CommonMark " << spec.version << ": " << passed << " of " << counted
            << " counted examples pass (" << (counted ? 100.0 * passed / counted : 0.0) << "%); "
            << spec.examples.size() << " examples in all, excluded:";
  for (const auto& [why, n] : excluded) std::cout << " " << why << " " << n << ";";
  std::cout << std::endl;

  // The exclusions must leave most of the spec counted (455 of 652 in 0.31.2).
  EXPECT_GE(counted, 400);
  EXPECT_GE(passed * 100, counted * 98) << passed << " of " << counted << " pass";
}

}  // namespace
