#include "notify/mail_message.hpp"

#include <gtest/gtest.h>

#include "core/random.hpp"

namespace amur::notify {
namespace {

TEST(NormalizeMailAddress, AcceptsPlainAddressesLowerCased) {
  EXPECT_EQ(NormalizeMailAddress("Reader.One+news@Example.COM"), "reader.one+news@example.com");
  EXPECT_EQ(NormalizeMailAddress("o'brien_x@mail.example.co.uk"), "o'brien_x@mail.example.co.uk");
}

TEST(NormalizeMailAddress, RefusesAnythingButOneMailbox) {
  for (const char* bad : {"",
                          "plain",
                          "@example.com",
                          "a@",
                          "a@b",
                          "a@localhost",
                          "a@example.c",
                          "a@example.123",
                          "a%b@example.com",
                          "*@example.com",
                          "a*@example.com",
                          "a@b.com,c@d.com",
                          "a@b.com c@d.com",
                          "a@b.com\r\nBcc: x@y.com",
                          "<a@b.com>",
                          "\"a b\"@example.com",
                          "a@@example.com",
                          "a..b@example.com",
                          ".a@example.com",
                          "a.@example.com",
                          "a@-x.com",
                          "a@x-.com",
                          "a@[127.0.0.1]",
                          "a@example..com",
                          "ä@example.com",
                          "a@exämple.com",
                          "a@b.com\n"}) {
    EXPECT_FALSE(NormalizeMailAddress(bad)) << bad;
  }
  EXPECT_FALSE(NormalizeMailAddress(std::string(65, 'a') + "@example.com"));
  EXPECT_FALSE(NormalizeMailAddress("a@" + std::string(250, 'b') + ".com"));
}

TEST(EncodeHeaderText, LeavesAsciiAndEncodesTheRest) {
  EXPECT_EQ(EncodeHeaderText("Ann commented"), "Ann commented");
  const std::string enc = EncodeHeaderText("Ólafur commented on “Höfn”");
  EXPECT_EQ(enc.rfind("=?UTF-8?B?", 0), 0u);
  // Every encoded word decodes to whole characters and fits in 75 characters.
  std::string decoded;
  std::size_t start = 0;
  while (start < enc.size()) {
    const auto end = enc.find("?=", start + 10);
    ASSERT_NE(end, std::string::npos);
    const std::string word = enc.substr(start, end + 2 - start);
    EXPECT_LE(word.size(), 75u);
    std::string bytes;
    ASSERT_TRUE(Base64Decode(word.substr(10, word.size() - 12), &bytes));
    decoded += bytes;
    start = end + 2;
    if (enc.compare(start, 3, "\r\n ") == 0) start += 3;
  }
  EXPECT_EQ(decoded, "Ólafur commented on “Höfn”");
  const std::string longer = EncodeHeaderText(std::string(200, 'x') + "é");
  EXPECT_NE(longer.find("\r\n "), std::string::npos);
}

TEST(EncodeHeaderText, NeverLetsALineBreakThrough) {
  EXPECT_EQ(EncodeHeaderText("hi\r\nBcc: evil@example.com"), "hi Bcc: evil@example.com");
  EXPECT_EQ(EncodeHeaderText("a\nb"), "a b");
}

TEST(FormatMailbox, QuotesOrEncodesTheName) {
  EXPECT_EQ(FormatMailbox("", "a@example.com"), "a@example.com");
  EXPECT_EQ(FormatMailbox("Amur \"Comments\"", "a@example.com"),
            "\"Amur \\\"Comments\\\"\" <a@example.com>");
  EXPECT_EQ(FormatMailbox("Ärger", "a@example.com").rfind("=?UTF-8?B?", 0), 0u);
}

TEST(ParseMailbox, ReadsBothForms) {
  auto a = ParseMailbox("Amur Comments <Comments@Example.com>");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first, "Amur Comments");
  EXPECT_EQ(a->second, "comments@example.com");
  auto b = ParseMailbox("comments@example.com");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->first, "");
  EXPECT_FALSE(ParseMailbox("Amur <not an address>"));
  EXPECT_FALSE(ParseMailbox("Amur <a@b.com"));
}

TEST(MailDate, IsRfc5322) { EXPECT_EQ(MailDate(1796612645000), "Mon, 07 Dec 2026 03:04:05 +0000"); }

TEST(BuildMessage, HasHeadersBothPartsAndCrlfLines) {
  MailParts p;
  p.from = "\"Amur\" <comments@example.com>";
  p.to = "ann@example.com";
  p.subject = "Bjørn replied";
  p.message_id = "<amur.1.x@example.com>";
  p.date = 1796612645000;
  p.extra_headers = {{"List-Unsubscribe", "<https://c.example/u?token=t>"}};
  p.text = "line one\nline two é";
  p.html = "<p>line &amp; one</p>";
  const std::string m = BuildMessage(p, "seed");
  EXPECT_EQ(m, BuildMessage(p, "seed"));  // the same bytes on every retry
  EXPECT_NE(m.find("Date: Mon, 07 Dec 2026 03:04:05 +0000\r\n"), std::string::npos);
  EXPECT_NE(m.find("Message-ID: <amur.1.x@example.com>\r\n"), std::string::npos);
  EXPECT_NE(m.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(m.find("List-Unsubscribe: <https://c.example/u?token=t>\r\n"), std::string::npos);
  EXPECT_NE(m.find("Content-Type: multipart/alternative; boundary="), std::string::npos);
  EXPECT_NE(m.find("Content-Type: text/plain; charset=utf-8"), std::string::npos);
  EXPECT_NE(m.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  // No bare LF, no line over 998 characters.
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i] == '\n') {
      ASSERT_GT(i, 0u);
      EXPECT_EQ(m[i - 1], '\r') << "bare LF at " << i;
      EXPECT_LE(i - line_start, 998u);
      line_start = i + 1;
    }
  }
  // The text part decodes back, with CRLF line ends.
  const auto start = m.find("\r\n\r\n", m.find("text/plain")) + 4;
  const auto end = m.find("\r\n--", start);
  std::string b64;
  for (char c : m.substr(start, end - start)) {
    if (c != '\r' && c != '\n') b64 += c;
  }
  std::string text;
  ASSERT_TRUE(Base64Decode(b64, &text));
  EXPECT_EQ(text, "line one\r\nline two é");
}

}  // namespace
}  // namespace amur::notify
