// The pages behind the links in Amur's mail: a confirmed address, the
// one-click unsubscribe page, and the manage page that lists an address's
// subscriptions with a button to remove each or all. Everything from the
// database is escaped; forms post back to the same link (the token in the
// URL is the authority, so no cookie or session is needed).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace amur::render {

// One subscription as the manage page lists it.
struct SubscriptionLine {
  std::string id;    // "s3"
  std::string what;  // "New comments on “Title”", …
  std::string link;  // where the thread is ("" for none)
  bool confirmed = false;
};

// A short page: a heading, a sentence, and optionally a link onwards.
std::string NoticePageHtml(const std::string& heading, const std::string& text,
                           const std::string& link_text = {}, const std::string& link = {});

// GET of an unsubscribe link: one button that POSTs to `action` (mail
// scanners that follow links must not unsubscribe anyone).
std::string UnsubscribePageHtml(const std::string& action);

// The manage page: the address, each subscription with a remove button, and
// "remove all". `notice` is shown above the list when not empty.
std::string ManagePageHtml(const std::string& email, const std::vector<SubscriptionLine>& lines,
                           const std::string& action, const std::string& notice);

}  // namespace amur::render
