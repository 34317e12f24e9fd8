#include "notify/smtp_transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>

namespace amur::notify {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a URL's user or password.
std::string Unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = HexDigit(s[i + 1]);
      const int lo = HexDigit(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

struct Upload {
  const std::string* data;
  std::size_t offset = 0;
};

std::size_t ReadUpload(char* buffer, std::size_t size, std::size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  const std::size_t room = size * n;
  const std::size_t left = up->data->size() - up->offset;
  const std::size_t take = std::min(room, left);
  std::memcpy(buffer, up->data->data() + up->offset, take);
  up->offset += take;
  return take;
}

}  // namespace

Result<SmtpUrl> ParseSmtpUrl(const std::string& text) {
  SmtpUrl out;
  std::string rest;
  if (text.rfind("smtp://", 0) == 0) {
    rest = text.substr(7);
  } else if (text.rfind("smtps://", 0) == 0) {
    rest = text.substr(8);
    out.implicit_tls = true;
  } else {
    return MakeError(ErrorCode::kInvalidField, "--smtp must start with smtp:// or smtps://");
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (const auto at = rest.rfind('@'); at != std::string::npos) {
    const std::string info = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = info.find(':');
    out.user = Unescape(info.substr(0, colon));
    if (colon != std::string::npos) out.password = Unescape(info.substr(colon + 1));
  }
  if (rest.empty() || rest.find('/') != std::string::npos ||
      rest.find_first_of(" \t\r\n?#") != std::string::npos) {
    return MakeError(ErrorCode::kInvalidField,
                     "--smtp must be smtp://[user:password@]host[:port] (or smtps://)");
  }
  out.url = std::string(out.implicit_tls ? "smtps://" : "smtp://") + rest;
  return out;
}

CurlSmtpTransport::CurlSmtpTransport(SmtpUrl url, SmtpOptions options)
    : url_(std::move(url)), options_(std::move(options)), curl_(curl_easy_init()) {}

CurlSmtpTransport::~CurlSmtpTransport() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

SendResult CurlSmtpTransport::Send(const std::string& from, const std::string& to,
                                   const std::string& message) {
  SendResult r;
  CURL* curl = static_cast<CURL*>(curl_);
  if (!curl) {
    r.error = "libcurl could not start";
    return r;
  }
  // Options are set again for each message; the handle keeps its
  // connection to the server between messages.
  Upload up{&message};
  const std::string mail_from = "<" + from + ">";
  const std::string rcpt = "<" + to + ">";
  curl_slist* recipients = curl_slist_append(nullptr, rcpt.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url_.url.c_str());
  if (!url_.user.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, url_.user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, url_.password.c_str());
  }
  if (!url_.implicit_tls)
    curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &up);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, options_.timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_slist_free_all(recipients);
  r.code = static_cast<int>(code);
  if (rc == CURLE_OK) {
    r.ok = true;
    return r;
  }
  r.permanent = code >= 500 && code <= 599;
  r.error = std::string(curl_easy_strerror(rc));
  if (error[0]) r.error += std::string(": ") + error;
  if (code) r.error += " (SMTP " + std::to_string(code) + ")";
  return r;
}

}  // namespace amur::notify
