// Accounts and sessions. Passwords are hashed with argon2id (libsodium's
// crypto_pwhash_str); session tokens are 32 random bytes, shown once and
// stored only as a SHA-256 hash. Session tokens start with "s." so they can
// never be mistaken for a guest's edit token (which has no dot).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/model.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace amur::service {

inline constexpr TimeMs kSessionLifetimeMs = 30LL * 24 * 3600 * 1000;

// argon2id hash of `password` (slow on purpose: call off the I/O threads).
std::string HashPassword(const std::string& password);
// True when `password` matches `hash` (constant time).
bool VerifyPassword(const std::string& hash, const std::string& password);

// True when `token` has the shape of a session token.
bool LooksLikeSessionToken(std::string_view token);

// The acting account as stored now. A staff request is authenticated on a
// reader thread before its write job runs; call this inside that write job
// so that an account disabled, demoted or deleted in between cannot finish a
// request already in flight. Returns the account as stored. Errors:
// not_allowed when the account is gone or disabled, or its role is below
// `at_least` (Role::kModerator: moderators and admins; Role::kAdmin: admins).
Result<User> RecheckActor(store::StoreSession& s, const User& actor, Role at_least);

struct UsersPage {
  std::vector<User> users;  // by id
  std::optional<std::string> next_cursor;
};

struct NewSession {
  Session session;          // as stored (token hashed)
  std::string token;        // the secret for the cookie or bearer header
};

class AccountService final {
 public:
  AccountService(const Clock& clock, Random& random) : clock_(clock), random_(random) {}

  // Validates a new account and hashes its password (slow: call off the I/O
  // threads and outside the write transaction). Errors: invalid_field (email,
  // name, password shorter than 10 characters).
  Result<User> PrepareUser(const std::string& email, const std::string& name, Role role,
                           const std::string& password);
  // Stores an account made by PrepareUser; sets its id. Errors: invalid_field
  // (email taken).
  Result<User> InsertUser(store::StoreSession& s, User user);

  // PrepareUser and InsertUser in one.
  // Validates and stores a new account. Errors: invalid_field (email, name,
  // password shorter than 10 characters, or the email taken already).
  Result<User> AddUser(store::StoreSession& s, const std::string& email, const std::string& name,
                       Role role, const std::string& password);

  // Checks an email and password. Does the same work whether or not the
  // email exists, and answers the same unauthorized error for both. A
  // disabled account with the right password: not_allowed.
  Result<User> CheckPassword(store::StoreSession& s, const std::string& email,
                             const std::string& password);

  // Makes a session for `user` (to be stored by the caller's write).
  NewSession MakeSession(const User& user);

  // Accounts by id, `limit` at a time. Errors: invalid_field (cursor).
  Result<UsersPage> ListUsers(store::StoreSession& s, int limit, const std::string& cursor);

  // Changes an account's role and/or disabled flag (nullopt: unchanged).
  // Disabling ends all of the account's sessions. Errors: not_found;
  // not_allowed when `actor` would demote or disable themselves, or when the
  // change would leave no active admin (whoever asks: the rule holds even
  // for a caller that did not re-check its actor).
  // REQUIRES: the caller checked `actor` in this transaction (RecheckActor
  // with Role::kAdmin) when acting for a signed-in admin.
  Result<User> UpdateUser(store::StoreSession& s, std::int64_t id, std::optional<Role> role,
                          std::optional<bool> disabled, const User& actor);

  // Sign-in and sign-out as units of work: stores a session made by
  // MakeSession (only its token's hash is kept); ends the session with this
  // token hash (nothing when there is none).
  Result<Unit> KeepSession(store::StoreSession& s, const Session& session);
  Result<Unit> EndSession(store::StoreSession& s, const std::string& token_hash);

  // The admin's units of work on accounts. Each first re-checks that `actor`
  // is still an active admin (not_allowed otherwise), then does InsertUser
  // (an account made by PrepareUser) or UpdateUser, writes the audit entry
  // ("add_user", "update_user") and records user.created or user.changed.
  Result<User> AddUserAsAdmin(store::StoreSession& s, const User& prepared, const User& actor);
  Result<User> ChangeUserAsAdmin(store::StoreSession& s, std::int64_t id, std::optional<Role> role,
                                 std::optional<bool> disabled, const User& actor);

  // The user behind a session token, when the session exists, is not
  // expired and the account is not disabled.
  std::optional<std::pair<User, Session>> Authenticate(store::StoreSession& s,
                                                      const std::string& token);

 private:
  const Clock& clock_;
  Random& random_;
};

}  // namespace amur::service
