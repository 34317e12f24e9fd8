// The words of Amur's mail: the confirmation of an address, the notice of
// new comments (one, or a digest), and the moderators' notice of a held
// comment. Every value that came from a reader is escaped in the HTML part
// and kept to one line in headers.
#pragma once

#include <string>
#include <vector>

#include "core/clock.hpp"
#include "notify/mail_message.hpp"

namespace amur::notify {

// Who sends, and where links point.
struct MailSite {
  std::string public_url;    // "https://comments.example.com", no trailing slash
  std::string from_name;     // display name of the sender (may be empty)
  std::string from_address;  // envelope and header sender
  std::string host;          // the right side of Message-IDs
};

// One comment as a notice shows it.
struct MailComment {
  std::string author;  // display name ("Guest" for none)
  std::string text;    // the Markdown source, shown as plain text
  std::string html;    // the sanitised HTML Amur renders for the page
  std::string link;    // where to read it
  TimeMs at = 0;
  bool reply_to_you = false;  // a reply to the recipient's own comment
};

// Subject and parts of the mail asking to confirm an address. `what` lists
// the pending subscriptions in words ("new comments on “Title”").
MailParts ConfirmationMail(const MailSite& site, const std::string& to,
                           const std::vector<std::string>& what, const std::string& confirm_url,
                           const std::string& message_id, TimeMs date);

// New comments on one page for one subscription: one comment, or several (a
// digest). Carries List-Unsubscribe (RFC 8058 one-click) for the
// subscription and a visible link to the manage page.
MailParts CommentsMail(const MailSite& site, const std::string& to, const std::string& page_title,
                       const std::string& page_link, const std::vector<MailComment>& comments,
                       bool replies_only, const std::string& unsubscribe_url,
                       const std::string& manage_url, const std::string& message_id, TimeMs date);

// A comment held for moderation, for a moderator who asked to be told.
MailParts HeldCommentMail(const MailSite& site, const std::string& to,
                          const std::string& page_title, const MailComment& comment,
                          const std::vector<std::string>& reasons, const std::string& desk_url,
                          const std::string& unsubscribe_url, const std::string& manage_url,
                          const std::string& message_id, TimeMs date);

}  // namespace amur::notify
