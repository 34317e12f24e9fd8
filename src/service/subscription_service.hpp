// Email subscriptions as units of work (docs/notifications.md): subscribing
// (double opt-in for guests), confirming, unsubscribing and managing by the
// tokens of links in mail; turning the event log into notifications (the
// fan-out) and notifications into messages in the outbox (composing,
// digests included). Every function runs inside the caller's transaction;
// sending is notify::MailSender's business.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/model.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "notify/mail_templates.hpp"
#include "store/store.hpp"

namespace amur::service {

// The settings key of the fan-out's cursor in the event log.
inline constexpr const char* kNotifyCursorSetting = "notify_cursor";

struct NotifyConfig {
  bool enabled = false;  // an SMTP server is configured
  notify::MailSite site;
  std::chrono::milliseconds digest{std::chrono::minutes(10)};
  std::chrono::milliseconds confirm_valid{std::chrono::hours(24 * 7)};
  std::chrono::milliseconds confirm_gap{std::chrono::hours(24)};       // between two to one address
  std::chrono::milliseconds link_valid{std::chrono::hours(24 * 365)};  // manage, unsubscribe
};

struct SubscribeRequest {
  std::string kind;                     // "thread", "replies", "moderation"
  std::optional<std::string> page_key;  // "thread": required
  std::optional<std::string> email;     // guests: required; members: their account's
  std::optional<User> member;           // a signed-in caller
};

struct SubscribeOutcome {
  Subscription subscription;
  std::string page_key;            // "" for none
  bool confirmed = false;          // a member's: active at once
  bool created = false;            // false when it existed already
  bool confirmation_sent = false;  // a confirmation mail was queued (never shown to guests)
};

// A subscription as the manage page and the members' API show it.
struct SubscriptionView {
  Subscription subscription;
  std::string page_key;  // "" when none
  std::optional<std::string> page_title;
};

struct ConfirmOutcome {
  std::string email;
  std::int64_t confirmed = 0;  // subscriptions confirmed by this click
  std::string manage_token;    // a fresh link to the manage page
};

struct ManageView {
  std::string email;
  std::vector<SubscriptionView> subscriptions;
};

struct FanOutResult {
  std::int64_t last_seq = 0;  // the cursor after this pass
  std::int64_t events = 0;    // events read
  std::int64_t queued = 0;    // notifications queued
};

struct ComposeResult {
  std::int64_t messages = 0;       // messages put in the outbox
  std::optional<TimeMs> next_due;  // when gathered notifications are due next
  bool more = false;               // stopped at max_messages
};

class SubscriptionService final {
 public:
  SubscriptionService(NotifyConfig config, const Clock& clock, Random& random);

  const NotifyConfig& config() const { return config_; }
  // Sets the base of links in mail. REQUIRES: before any other call.
  void SetPublicUrl(std::string url) { config_.site.public_url = std::move(url); }

  // Errors: not_allowed (mail is off; "moderation" for a non-moderator),
  // unauthorized ("moderation" without a session), missing_field /
  // invalid_field / too_long (kind, page, email). A guest's subscription waits
  // for confirmation; one confirmation mail covers every pending
  // subscription of the address, and an address gets at most one per
  // confirm_gap and none while an earlier one is still open.
  Result<SubscribeOutcome> Subscribe(store::StoreSession& s, const SubscribeRequest& r);

  // Errors: not_found (unknown, expired or wrong kind of token).
  Result<ConfirmOutcome> Confirm(store::StoreSession& s, const std::string& token);

  // One-click unsubscribe: the token's subscription is gone at once. A
  // token whose subscription is already gone succeeds. Errors: not_found.
  Result<std::string> Unsubscribe(store::StoreSession& s, const std::string& token);

  // The address's subscriptions. Errors: not_found (bad token).
  Result<ManageView> Manage(store::StoreSession& s, const std::string& token);
  // Removes one subscription of the token's address ("s3"), or every one
  // ("all"). Errors: not_found (bad token, or not this address's).
  Result<ManageView> ManageRemove(store::StoreSession& s, const std::string& token,
                                  const std::string& which);

  // A member's own subscriptions, and removing one. Errors: not_found.
  std::vector<SubscriptionView> ListMine(store::StoreSession& s, const User& member);
  Status DeleteMine(store::StoreSession& s, const User& member, const std::string& id);

  // Reads at most `max_events` events after `after_seq` and queues the
  // notifications they cause: a comment published (at once, or on
  // approval) to its page's thread subscribers and to the reply subscriber
  // of its parent's author; a comment held to the moderators who asked. Never
  // to the comment's own author, never twice for one comment and recipient.
  FanOutResult FanOut(store::StoreSession& s, std::int64_t after_seq, int max_events);

  // Puts due notifications into messages: the first for a subscription and
  // page at once, later ones gathered until `digest` after the previous
  // message. Notifications of comments no longer shown are dropped.
  // Composes at most `max_messages` messages per call (a short write job);
  // `more` says whether due notifications are left.
  ComposeResult Compose(store::StoreSession& s, int max_messages = 100);

 private:
  std::string NewToken(store::StoreSession& s, const char* purpose, const std::string& email,
                       std::optional<std::int64_t> subscription_id,
                       std::chrono::milliseconds valid);
  std::int64_t QueueMail(store::StoreSession& s, const std::string& email, const char* kind,
                         std::optional<std::int64_t> subscription_id, std::optional<PageId> page_id,
                         notify::MailParts parts);
  std::string Link(const char* path, const std::string& token) const;
  // Fresh unsubscribe and manage links for one message to `sub`.
  std::pair<std::string, std::string> MailLinks(store::StoreSession& s, const Subscription& sub);
  bool MaybeSendConfirmation(store::StoreSession& s, const std::string& email);
  std::vector<SubscriptionView> Views(store::StoreSession& s, std::vector<Subscription> subs);

  NotifyConfig config_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace amur::service
