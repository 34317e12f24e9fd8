// Internet messages as mail servers and readers accept them: RFC 5322
// headers (RFC 2047 encoded words for anything that is not plain ASCII),
// a multipart/alternative body with a plain-text and an HTML part, CRLF
// line ends, and strict checking of the addresses Amur is asked to mail.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"

namespace amur::notify {

// The address lower-cased, when it is one mailbox Amur will write to: at
// most 254 bytes, a dot-atom local part of at most 64 bytes without '%'
// (no source routing) or '*', a domain of letter/digit/hyphen labels with at least
// one dot and an alphabetic top-level label. No quoted local parts, no
// comments, no IP literals, no lists: one request names one address.
std::optional<std::string> NormalizeMailAddress(std::string_view text);

// `text` as a header value: unchanged when it is printable ASCII, else RFC
// 2047 "=?UTF-8?B?…?=" words of at most 75 characters, never splitting a
// UTF-8 sequence, joined by folding whitespace.
std::string EncodeHeaderText(std::string_view text);

// "Name <address>" with the name encoded (or quoted) as needed; the bare
// address when `name` is empty.
std::string FormatMailbox(std::string_view name, std::string_view address);

// Splits "Name <address>" or "address" (the --mail-from forms). Returns
// nullopt when the address is not valid.
std::optional<std::pair<std::string, std::string>> ParseMailbox(std::string_view text);

// RFC 5322 date-time in UTC: "Mon, 07 Dec 2026 03:04:05 +0000".
std::string MailDate(TimeMs at);

struct MailParts {
  std::string from;        // a mailbox as FormatMailbox makes it
  std::string to;          // likewise
  std::string subject;     // UTF-8
  std::string message_id;  // "<…@…>"
  TimeMs date = 0;
  std::vector<std::pair<std::string, std::string>> extra_headers;  // ASCII values
  std::string text;                                                // the plain-text part, UTF-8
  std::string html;  // the HTML part, UTF-8 (empty: text only)
};

// The whole message, CRLF line ends, bodies in base64 lines of 76
// characters. `boundary_seed` makes the MIME boundary (any text; it is
// hashed), so the same parts always give the same bytes.
std::string BuildMessage(const MailParts& parts, std::string_view boundary_seed);

}  // namespace amur::notify
