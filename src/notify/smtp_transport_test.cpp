#include "notify/smtp_transport.hpp"

#include <gtest/gtest.h>

namespace amur::notify {
namespace {

TEST(ParseSmtpUrl, TakesUserAndPasswordOutOfTheUrl) {
  auto u = ParseSmtpUrl("smtp://mailer:p%40ss@mail.example.com:587");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->url, "smtp://mail.example.com:587");
  EXPECT_EQ(u->user, "mailer");
  EXPECT_EQ(u->password, "p@ss");
  EXPECT_FALSE(u->implicit_tls);
  auto s = ParseSmtpUrl("smtps://mail.example.com/");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->url, "smtps://mail.example.com");
  EXPECT_TRUE(s->implicit_tls);
  EXPECT_TRUE(s->user.empty());
}

TEST(ParseSmtpUrl, RefusesOtherSchemesAndPaths) {
  for (const char* bad : {"", "mail.example.com", "http://mail.example.com", "smtp://",
                          "smtp://host/path", "smtp://host?x=1", "smtp://ho st"}) {
    EXPECT_FALSE(ParseSmtpUrl(bad)) << bad;
  }
}

TEST(CurlSmtpTransport, ReportsAServerThatIsNotThere) {
  // Port 1 on loopback: nobody listens; the failure is temporary, not permanent.
  CurlSmtpTransport t(*ParseSmtpUrl("smtp://127.0.0.1:1"), SmtpOptions{});
  const SendResult r = t.Send("a@example.com", "b@example.com", "Subject: x\r\n\r\ny\r\n");
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.permanent);
  EXPECT_FALSE(r.error.empty());
}

}  // namespace
}  // namespace amur::notify
