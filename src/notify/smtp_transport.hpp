// Handing whole messages to a mail server over SMTP (libcurl): smtp:// with
// STARTTLS whenever the server offers it, or smtps://; user and password
// from the URL. One transport keeps its connection open between messages.
#pragma once

#include <string>

#include "core/result.hpp"

namespace amur::notify {

// What the server said about one message.
struct SendResult {
  bool ok = false;         // the server answered 250 to the message
  bool permanent = false;  // a 5xx answer: trying again will not help
  int code = 0;            // the last SMTP reply code, 0 when none came
  std::string error;       // for the log and the outbox
};

class MailTransport {
 public:
  virtual ~MailTransport() = default;
  // Sends `message` (RFC 5322, CRLF) from `from` to the one address `to`.
  virtual SendResult Send(const std::string& from, const std::string& to,
                          const std::string& message) = 0;
};

// The parts of --smtp, checked: "smtp://[user:pass@]host[:port]" or
// "smtps://…". Errors: invalid_field.
struct SmtpUrl {
  std::string url;  // without the user and password
  std::string user;
  std::string password;
  bool implicit_tls = false;
};
Result<SmtpUrl> ParseSmtpUrl(const std::string& text);

struct SmtpOptions {
  std::string ca_file;        // trust these CAs instead of the system's (--smtp-ca)
  long timeout_seconds = 30;  // per message, connection included
};

// libcurl's SMTP client. Not thread-safe: one sender thread uses it.
class CurlSmtpTransport final : public MailTransport {
 public:
  CurlSmtpTransport(SmtpUrl url, SmtpOptions options);
  ~CurlSmtpTransport() override;
  CurlSmtpTransport(const CurlSmtpTransport&) = delete;
  CurlSmtpTransport& operator=(const CurlSmtpTransport&) = delete;
  SendResult Send(const std::string& from, const std::string& to,
                  const std::string& message) override;

 private:
  SmtpUrl url_;
  SmtpOptions options_;
  void* curl_;  // CURL*, kept so that its connection is reused
};

}  // namespace amur::notify
