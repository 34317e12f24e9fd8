#include "http/api/admin_json.hpp"

#include <gtest/gtest.h>

namespace amur::http::api {
namespace {

TEST(ParseUserId, ReadsTheOneSpellingOfAnId) {
  EXPECT_EQ(ParseUserId("u1"), 1);
  EXPECT_EQ(ParseUserId("u12"), 12);
  EXPECT_EQ(ParseUserId("u9223372036854775807"), 9223372036854775807LL);
}

// Found by tests/fuzz/tokens_fuzz (corpus/tokens/crash-user-id-leading-zero):
// "u01" was read as u1, a second address for the same account.
TEST(ParseUserId, RefusesLeadingZerosSignsAndOtherText) {
  for (const char* text : {"u01", "u0", "u00", "u+1", "u-1", "u", "", "1", "U1", "u1 ", " u1",
                           "u1x", "u9223372036854775808"}) {
    EXPECT_EQ(ParseUserId(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace amur::http::api
