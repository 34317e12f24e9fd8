// Recording what happened: every write appends its events to the durable
// log (store::EventStore) inside its own unit of work, so that a committed
// write has exactly its events and a rolled-back one has none. The types
// and their payloads are documented in docs/events.md.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/model.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace amur::service {

// The event types. Public ones are about what readers can see; staff ones
// (held comments, rejections, reports, bans, accounts, settings) reach
// moderators and admins only.
namespace event_type {
inline constexpr const char* kCommentCreated = "comment.created";
inline constexpr const char* kCommentApproved = "comment.approved";
inline constexpr const char* kCommentEdited = "comment.edited";
inline constexpr const char* kCommentDeleted = "comment.deleted";
inline constexpr const char* kCommentVoted = "comment.voted";
inline constexpr const char* kCommentHidden = "comment.hidden";
inline constexpr const char* kCommentRejected = "comment.rejected";
inline constexpr const char* kCommentSpam = "comment.spam";
inline constexpr const char* kCommentReported = "comment.reported";
inline constexpr const char* kCommentPinned = "comment.pinned";
inline constexpr const char* kCommentUnpinned = "comment.unpinned";
inline constexpr const char* kPageClosed = "page.closed";
inline constexpr const char* kPageReopened = "page.reopened";
inline constexpr const char* kPageModerationChanged = "page.moderation_changed";
inline constexpr const char* kPageChanged = "page.changed";
inline constexpr const char* kPageImported = "page.imported";  // amur import (src/transfer)
inline constexpr const char* kPageMoved = "page.moved";        // amur remap (src/transfer)
inline constexpr const char* kBanCreated = "ban.created";
inline constexpr const char* kBanLifted = "ban.lifted";
inline constexpr const char* kUserCreated = "user.created";
inline constexpr const char* kUserChanged = "user.changed";
inline constexpr const char* kSettingsChanged = "settings.changed";
}  // namespace event_type

// Actors as events name them.
inline constexpr const char* kGuestActor = "guest";
inline constexpr const char* kSystemActor = "system";    // the moderation pipeline, start-up
inline constexpr const char* kReportsActor = "reports";  // readers' reports together
// "user:<id>".
std::string UserActor(std::int64_t user_id);
// The author of a comment: "user:<id>" for a member, else "guest".
std::string AuthorActor(const Comment& c);

// One event before it is stored.
struct EventDraft {
  const char* type = "";
  std::optional<std::string> page_key;
  std::optional<CommentId> comment_id;
  std::string actor;
  EventVisibility visibility = EventVisibility::kPublic;
  boost::json::object data;
};

// This process's node id: 16 random hex digits drawn once, stamped on every
// event it records (Event::origin). Processes sharing a database tell their
// events apart by it.
const std::string& ThisNode();

// Appends `draft` at time `at` in the caller's transaction, stamped with
// ThisNode(); returns its seq.
std::int64_t RecordEvent(store::EventStore& s, TimeMs at, const EventDraft& draft);

// The comment as the public API shows it (docs/api.md, "The Comment
// object"): no email, address or token; a tombstone has no name or body.
boost::json::object PublicCommentJson(const Comment& c, const std::string& page_key);

// A comment event: {"comment": PublicCommentJson}, public when the comment
// is approved, staff otherwise (a held comment's event adds its
// "moderation": {"state", "reasons", "score"}).
EventDraft CommentEvent(const char* type, const Comment& c, const std::string& page_key,
                        std::string actor);

// comment.deleted (public): {"comment": the tombstone as the API shows it,
// "tombstone": true while it stays in the thread for its replies}.
EventDraft DeletedEvent(const Comment& c, const std::string& page_key, std::string actor);

// comment.hidden (public): a comment readers could see is no longer shown
// (rejected, marked spam, held after an edit, hidden by reports). Carries
// only {"comment": {"id", "page"}}: what was hidden is staff business.
EventDraft HiddenEvent(const Comment& c, const std::string& page_key, std::string actor);

// A page event: {"page": {"key", "title", "url", "closed", "premoderate"}}.
EventDraft PageEvent(const char* type, const Page& p, std::string actor, EventVisibility v);

// A ban as staff events show it: {"id": "b3", "comment_id", "reason",
// "created_by", "created_at", "expires_at"} (no address or email hash).
boost::json::object BanEventJson(const Ban& b);

// user.created / user.changed (staff): {"user": {"id": "u3", "name", "role",
// "disabled"}} (no email).
EventDraft UserEvent(const char* type, const User& u, std::string actor);

// A page of the event log for a reader that walks it with a cursor.
struct EventsPage {
  std::vector<Event> events;  // oldest first
  std::int64_t last_seq = 0;  // the greatest seq in the log now (0: empty)
};

// Events with seq > after, oldest first, at most `limit`; staff events too
// unless public_only. Errors: invalid_field (after < 0).
Result<EventsPage> ReadEvents(store::EventStore& s, std::int64_t after, int limit,
                              bool public_only);

// The event as GET /api/v1/admin/events shows it: {"seq", "type", "time",
// "page", "comment_id", "actor", "visibility", "data"}.
boost::json::object EventJson(const Event& e);

}  // namespace amur::service
