#include "notify/mail_message.hpp"

#include <cctype>
#include <ctime>

#include "core/random.hpp"
#include "core/text.hpp"

namespace amur::notify {

namespace {

bool IsAtext(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  // RFC 5322 atext without '%' (source routing through a relay) and '*'
  // (a wildcard in too many systems).
  static constexpr std::string_view kSpecials = "!#$&'+-/=?^_`{|}~";
  return kSpecials.find(c) != std::string_view::npos;
}

bool ValidLocalPart(std::string_view s) {
  if (s.empty() || s.size() > 64 || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!IsAtext(c)) {
      return false;
    }
    prev = c;
  }
  return true;
}

bool ValidDomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  int labels = 0;
  std::string_view last;
  while (start <= s.size()) {
    const std::size_t dot = s.find('.', start);
    const std::string_view label =
        s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels < 2 || last.size() < 2) return false;
  for (char c : last) {
    if (!std::isalpha(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool PlainAscii(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) return false;
  }
  return true;
}

// Removes CR, LF and other control characters: header values are one line.
std::string OneLine(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      if (!out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    out += c;
  }
  return out;
}

// Length of the UTF-8 sequence that starts with `lead` (1 for a stray byte).
std::size_t Utf8Length(unsigned char lead) {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

// Base64 in lines of 76 characters, CRLF after each.
std::string Base64Lines(std::string_view bytes) {
  const std::string b64 = Base64Encode(bytes);
  std::string out;
  out.reserve(b64.size() + b64.size() / 76 * 2 + 2);
  for (std::size_t i = 0; i < b64.size(); i += 76) {
    out.append(b64, i, 76);
    out += "\r\n";
  }
  return out;
}

// Normalizes line ends of a body to LF (BuildMessage writes CRLF).
std::string Lf(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += '\n';
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string Crlf(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 40);
  for (char c : Lf(s)) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace

std::optional<std::string> NormalizeMailAddress(std::string_view text) {
  if (text.empty() || text.size() > 254) return std::nullopt;
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos || text.find('@', at + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  if (!ValidLocalPart(text.substr(0, at)) || !ValidDomain(text.substr(at + 1))) {
    return std::nullopt;
  }
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string EncodeHeaderText(std::string_view raw) {
  const std::string text = OneLine(raw);
  if (PlainAscii(text)) return text;
  // Each word: "=?UTF-8?B?" + base64 + "?=" within 75 characters, so at
  // most 45 bytes of text (60 characters of base64) per word.
  std::string out;
  std::size_t i = 0;
  const bool valid = IsValidUtf8(text);
  while (i < text.size()) {
    std::size_t end = i;
    while (end < text.size()) {
      const std::size_t len =
          valid ? Utf8Length(static_cast<unsigned char>(text[end])) : std::size_t{1};
      if (end + len - i > 45) break;
      end += len;
    }
    if (end == i) end = i + 1;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64Encode(std::string_view(text).substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string FormatMailbox(std::string_view name, std::string_view address) {
  const std::string n = OneLine(name);
  if (n.empty()) return std::string(address);
  if (PlainAscii(n)) {
    std::string quoted = "\"";
    for (char c : n) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    return quoted + "\" <" + std::string(address) + ">";
  }
  return EncodeHeaderText(n) + " <" + std::string(address) + ">";
}

std::optional<std::pair<std::string, std::string>> ParseMailbox(std::string_view text) {
  if (!IsValidUtf8(text)) return std::nullopt;
  const std::size_t lt = text.rfind('<');
  if (lt == std::string_view::npos) {
    auto a = NormalizeMailAddress(TrimUnicodeSpace(text));
    if (!a) return std::nullopt;
    return std::pair{std::string(), *a};
  }
  if (text.empty() || text.back() != '>') return std::nullopt;
  auto a = NormalizeMailAddress(text.substr(lt + 1, text.size() - lt - 2));
  if (!a) return std::nullopt;
  std::string name(TrimUnicodeSpace(text.substr(0, lt)));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
  }
  return std::pair{name, *a};
}

std::string MailDate(TimeMs at) {
  const std::time_t t = static_cast<std::time_t>(at / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

std::string BuildMessage(const MailParts& p, std::string_view boundary_seed) {
  std::string m;
  m.reserve(p.text.size() * 2 + p.html.size() * 2 + 1024);
  auto header = [&m](std::string_view name, std::string_view value) {
    m.append(name).append(": ").append(value).append("\r\n");
  };
  header("Date", MailDate(p.date));
  header("From", p.from);
  header("To", p.to);
  header("Subject", EncodeHeaderText(p.subject));
  header("Message-ID", p.message_id);
  header("MIME-Version", "1.0");
  header("Auto-Submitted", "auto-generated");
  for (const auto& [name, value] : p.extra_headers) header(name, OneLine(value));
  const std::string text = Base64Lines(Crlf(p.text));
  if (p.html.empty()) {
    header("Content-Type", "text/plain; charset=utf-8");
    header("Content-Transfer-Encoding", "base64");
    m += "\r\n";
    m += text;
    return m;
  }
  const std::string boundary = "=_amur_" + Sha256Hex(boundary_seed).substr(0, 32);
  header("Content-Type", "multipart/alternative; boundary=\"" + boundary + "\"");
  m += "\r\nThis is a message in MIME format.\r\n";
  m += "\r\n--" + boundary + "\r\n";
  m += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += text;
  m += "\r\n--" + boundary + "\r\n";
  m += "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += Base64Lines(Crlf(p.html));
  m += "\r\n--" + boundary + "--\r\n";
  return m;
}

}  // namespace amur::notify
