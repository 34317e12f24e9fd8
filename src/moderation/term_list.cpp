#include "moderation/term_list.hpp"

#include <set>
#include <utility>

#include "core/text.hpp"

namespace amur::moderation {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

ParsedTermList ParseTermList(std::string_view text) {
  ParsedTermList out;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::set<std::pair<std::string, bool>> seen;
  int line_no = 0;
  bool reported_limit = false;
  while (!text.empty()) {
    ++line_no;
    std::size_t eol = text.find_first_of("\r\n");
    std::string_view line = text.substr(0, eol);
    if (eol == std::string_view::npos) {
      text = {};
    } else {
      const bool crlf = text[eol] == '\r' && eol + 1 < text.size() && text[eol + 1] == '\n';
      text.remove_prefix(eol + (crlf ? 2 : 1));
    }
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = Trim(line);
    if (line.empty()) continue;
    if (!IsValidUtf8(line)) {
      out.errors.push_back({line_no, "not valid UTF-8; the line was skipped"});
      continue;
    }
    bool prefix = false;
    if (line.back() == '*') {
      prefix = true;
      line.remove_suffix(1);
      line = Trim(line);
    }
    if (line.empty()) {
      out.errors.push_back({line_no, "a \"*\" needs a term before it; the line was skipped"});
      continue;
    }
    if (line.size() > kMaxTermBytes) {
      out.errors.push_back({line_no, "the term is longer than " + std::to_string(kMaxTermBytes) +
                                         " bytes; the line was skipped"});
      continue;
    }
    if (out.terms.size() >= kMaxTermsPerList) {
      if (!reported_limit) {
        out.errors.push_back({line_no, "the list has more than " +
                                           std::to_string(kMaxTermsPerList) +
                                           " terms; the rest were skipped"});
        reported_limit = true;
      }
      continue;
    }
    if (!seen.emplace(std::string(line), prefix).second) continue;
    out.terms.push_back(Term{std::string(line), prefix, line_no});
  }
  return out;
}

std::string FormatTermList(const std::vector<Term>& terms) {
  std::string out;
  for (const Term& t : terms) {
    out += t.text;
    if (t.prefix) out += '*';
    out += '\n';
  }
  return out;
}

}  // namespace amur::moderation
