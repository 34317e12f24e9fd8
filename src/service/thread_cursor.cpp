#include "service/thread_cursor.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "service/comment_service.hpp"

namespace amur::service {

namespace {

std::string Base64Url(const std::string& raw) {
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

bool FromBase64Url(const std::string& text, std::string* raw) {
  raw->assign(text.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw->data()), raw->size(), text.data(),
                        text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return false;
  }
  raw->resize(len);
  return true;
}

bool ParseInt(std::string_view s, std::int64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? s.npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

Error BadCursor() {
  return MakeError(ErrorCode::kInvalidField, "The cursor is not valid for this query.", "cursor");
}

}  // namespace

bool ThreadCursor::Admits(const Comment& c) const {
  if (first) return true;
  if (c.pinned) return false;  // pinned comments were shown on the first page
  switch (sort) {
    case SortOrder::kOldest:
      return c.id > last_id;
    case SortOrder::kNewest:
      return c.id < last_id;
    case SortOrder::kVotes:
      if (by_position) {
        return c.score() < last_score || (c.score() == last_score && c.id > last_id);
      }
      return shown_ids.count(c.id) == 0;
  }
  return true;
}

std::string ThreadCursor::Next(const std::vector<const Comment*>& shown_in) const {
  if (shown_in.empty()) return {};
  // Pinned comments stand outside the order; the position is the last other one.
  std::vector<const Comment*> shown;
  for (const Comment* c : shown_in) {
    if (!c->pinned) shown.push_back(c);
  }
  if (shown.empty()) {
    // A first page of pinned comments only: the next page starts at the beginning.
    switch (sort) {
      case SortOrder::kOldest: return Base64Url("o:0");
      case SortOrder::kNewest: return Base64Url("n:" + std::to_string(std::numeric_limits<CommentId>::max()));
      case SortOrder::kVotes: return Base64Url("v:");
    }
  }
  const Comment& last = *shown.back();
  switch (sort) {
    case SortOrder::kOldest:
      return Base64Url("o:" + std::to_string(last.id));
    case SortOrder::kNewest:
      return Base64Url("n:" + std::to_string(last.id));
    case SortOrder::kVotes: {
      if (by_position || shown_ids.size() + shown.size() > kMaxRememberedIds) {
        return Base64Url("w:" + std::to_string(last.score()) + ":" + std::to_string(last.id));
      }
      std::vector<CommentId> ids(shown_ids.begin(), shown_ids.end());
      for (const Comment* c : shown) ids.push_back(c->id);
      std::sort(ids.begin(), ids.end());
      std::string text = "v:";
      CommentId prev = 0;
      for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i) text += '.';
        text += std::to_string(ids[i] - prev);
        prev = ids[i];
      }
      return Base64Url(text);
    }
  }
  return {};
}

Result<ThreadCursor> DecodeThreadCursor(const std::string& text, SortOrder sort) {
  ThreadCursor c;
  c.sort = sort;
  if (text.empty()) return c;
  std::string raw;
  if (text.size() > 16384 || !FromBase64Url(text, &raw) || raw.size() < 2 || raw[1] != ':') {
    return BadCursor();
  }
  c.first = false;
  const char kind = raw[0];
  const std::string_view rest = std::string_view(raw).substr(2);
  if (kind == 'o' || kind == 'n') {
    if ((kind == 'o') != (sort == SortOrder::kOldest) || (kind == 'n') != (sort == SortOrder::kNewest)) {
      return BadCursor();
    }
    if (!ParseInt(rest, &c.last_id) || c.last_id < 0) return BadCursor();
    return c;
  }
  if (sort != SortOrder::kVotes) return BadCursor();
  if (kind == 'w') {
    const auto parts = Split(rest, ':');
    if (parts.size() != 2 || !ParseInt(parts[0], &c.last_score) || !ParseInt(parts[1], &c.last_id)) {
      return BadCursor();
    }
    c.by_position = true;
    return c;
  }
  if (kind != 'v') return BadCursor();
  if (rest.empty()) return c;
  CommentId prev = 0;
  for (std::string_view part : Split(rest, '.')) {
    std::int64_t delta;
    if (!ParseInt(part, &delta) || delta <= 0) return BadCursor();
    if (prev > std::numeric_limits<CommentId>::max() - delta) return BadCursor();
    prev += delta;
    c.shown_ids.insert(prev);
  }
  return c;
}

}  // namespace amur::service
