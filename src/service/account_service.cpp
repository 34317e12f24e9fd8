#include "service/account_service.hpp"

#include "service/events.hpp"
#include "service/moderation_service.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "core/text.hpp"

namespace amur::service {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A hash of a random password, checked when the email is unknown so that a
// login takes as long either way.
const std::string& DummyHash() {
  static const std::string hash = HashPassword("amur-dummy-password-for-timing");
  return hash;
}

}  // namespace

std::string HashPassword(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("out of memory while hashing a password");
  }
  return out;
}

bool VerifyPassword(const std::string& hash, const std::string& password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool LooksLikeSessionToken(std::string_view token) {
  return token.size() > 2 && token[0] == 's' && token[1] == '.';
}

Result<User> RecheckActor(store::StoreSession& s, const User& actor, Role at_least) {
  auto now = s.FindUserById(actor.id);
  if (!now) return MakeError(ErrorCode::kNotAllowed, "Your account no longer exists.");
  if (now->disabled) {
    return MakeError(ErrorCode::kNotAllowed, "Your account is disabled; ask an admin.");
  }
  const bool enough = at_least == Role::kAdmin ? now->role == Role::kAdmin
                      : at_least == Role::kModerator ? now->CanModerate()
                                                     : true;
  if (!enough) {
    return MakeError(ErrorCode::kNotAllowed,
                     at_least == Role::kAdmin ? "Your account is no longer an admin."
                                              : "Your account is no longer a moderator.");
  }
  return std::move(*now);
}

Result<User> AccountService::AddUser(store::StoreSession& s, const std::string& email,
                                     const std::string& name, Role role,
                                     const std::string& password) {
  auto user = PrepareUser(email, name, role, password);
  if (!user) return user.error();
  return InsertUser(s, std::move(*user));
}

Result<User> AccountService::PrepareUser(const std::string& email, const std::string& name,
                                         Role role, const std::string& password) {
  const std::string e = Lower(std::string(TrimUnicodeSpace(email)));
  const auto at = e.find('@');
  if (e.empty() || e.size() > 254 || at == std::string::npos || at == 0 || at + 1 == e.size() ||
      !IsValidUtf8(e) || HasControlChars(e) || e.find(' ') != std::string::npos) {
    return MakeError(ErrorCode::kInvalidField, "The email address does not look like one.", "email");
  }
  const std::string n(TrimUnicodeSpace(name));
  if (n.empty() || !IsValidUtf8(n) || HasControlChars(n) || CountCodePoints(n) > 64) {
    return MakeError(ErrorCode::kInvalidField, "The name must be 1 to 64 characters on one line.",
                     "name");
  }
  if (CountCodePoints(password) < 10 || password.size() > 1024) {
    return MakeError(ErrorCode::kInvalidField, "The password must be at least 10 characters.",
                     "password");
  }
  User u;
  u.email = e;
  u.name = n;
  u.role = role;
  u.password_hash = HashPassword(password);
  u.created_at = clock_.NowMs();
  return u;
}

Result<User> AccountService::InsertUser(store::StoreSession& s, User u) {
  auto id = s.InsertUser(u);
  if (!id) {
    return MakeError(ErrorCode::kInvalidField, "An account with this email exists already.", "email");
  }
  u.id = *id;
  return u;
}

Result<User> AccountService::CheckPassword(store::StoreSession& s, const std::string& email,
                                           const std::string& password) {
  auto user = s.FindUserByEmail(Lower(std::string(TrimUnicodeSpace(email))));
  const bool ok = VerifyPassword(user ? user->password_hash : DummyHash(), password);
  if (!user || !ok) return MakeError(ErrorCode::kUnauthorized, "Wrong email or password.");
  if (user->disabled) {
    return MakeError(ErrorCode::kNotAllowed, "This account is disabled; ask an admin.");
  }
  return std::move(*user);
}

Result<UsersPage> AccountService::ListUsers(store::StoreSession& s, int limit,
                                            const std::string& cursor) {
  std::int64_t after = 0;
  if (!cursor.empty()) {
    auto [p, ec] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), after);
    if (ec != std::errc() || p != cursor.data() + cursor.size() || after <= 0) {
      return MakeError(ErrorCode::kInvalidField, "The cursor is not valid for this query.", "cursor");
    }
  }
  UsersPage out;
  out.users = s.ListUsers(after, limit + 1);
  if (static_cast<int>(out.users.size()) > limit) {
    out.users.resize(static_cast<std::size_t>(limit));
    out.next_cursor = std::to_string(out.users.back().id);
  }
  return out;
}

Result<User> AccountService::UpdateUser(store::StoreSession& s, std::int64_t id,
                                        std::optional<Role> role, std::optional<bool> disabled,
                                        const User& actor) {
  auto user = s.FindUserById(id);
  if (!user) return MakeError(ErrorCode::kNotFound, "No such account.");
  const bool demotes = role && *role != Role::kAdmin;
  const bool disables = disabled && *disabled;
  if (user->id == actor.id && (demotes || disables)) {
    return MakeError(ErrorCode::kNotAllowed, "You cannot demote or disable your own account.");
  }
  if (user->role == Role::kAdmin && !user->disabled && (demotes || disables) &&
      s.CountActiveAdmins() <= 1) {
    return MakeError(ErrorCode::kNotAllowed, "The last active admin cannot be demoted or disabled.");
  }
  if (role && *role != user->role) {
    s.SetUserRole(id, *role);
    user->role = *role;
  }
  if (disabled && *disabled != user->disabled) {
    s.SetUserDisabled(id, *disabled);
    user->disabled = *disabled;
  }
  if (user->disabled) s.DeleteUserSessions(id);
  return std::move(*user);
}

Result<Unit> AccountService::KeepSession(store::StoreSession& s, const Session& session) {
  s.InsertSession(session);
  return Unit{};
}

Result<Unit> AccountService::EndSession(store::StoreSession& s, const std::string& token_hash) {
  s.DeleteSession(token_hash);
  return Unit{};
}

Result<User> AccountService::AddUserAsAdmin(store::StoreSession& s, const User& prepared,
                                            const User& actor) {
  if (auto still = RecheckActor(s, actor, Role::kAdmin); !still) return still.error();
  auto added = InsertUser(s, prepared);
  if (!added) return added.error();
  const TimeMs now = clock_.NowMs();
  AppendAudit(s, now, actor.name, "add_user", std::nullopt,
              "u" + std::to_string(added->id) + " " + added->name + " as " + RoleName(added->role));
  RecordEvent(s, now, UserEvent(event_type::kUserCreated, *added, UserActor(actor.id)));
  return added;
}

Result<User> AccountService::ChangeUserAsAdmin(store::StoreSession& s, std::int64_t id,
                                               std::optional<Role> role,
                                               std::optional<bool> disabled, const User& actor) {
  if (auto still = RecheckActor(s, actor, Role::kAdmin); !still) return still.error();
  auto before = s.FindUserById(id);
  auto updated = UpdateUser(s, id, role, disabled, actor);
  if (!updated) return updated.error();
  std::string what = "u" + std::to_string(updated->id) + " " + updated->name + ":";
  if (before && before->role != updated->role) {
    what += std::string(" role ") + RoleName(before->role) + " to " + RoleName(updated->role);
  }
  if (before && before->disabled != updated->disabled) {
    what += updated->disabled ? " disabled" : " enabled";
  }
  if (what.back() == ':') what += " unchanged";
  const TimeMs now = clock_.NowMs();
  AppendAudit(s, now, actor.name, "update_user", std::nullopt, what);
  RecordEvent(s, now, UserEvent(event_type::kUserChanged, *updated, UserActor(actor.id)));
  return updated;
}

NewSession AccountService::MakeSession(const User& user) {
  NewSession out;
  out.token = "s." + RandomToken(random_, 32);
  out.session.token_hash = Sha256Hex(out.token);
  out.session.user_id = user.id;
  out.session.csrf_token = RandomToken(random_, 24);
  out.session.created_at = clock_.NowMs();
  out.session.expires_at = out.session.created_at + kSessionLifetimeMs;
  return out;
}

std::optional<std::pair<User, Session>> AccountService::Authenticate(store::StoreSession& s,
                                                                    const std::string& token) {
  if (!LooksLikeSessionToken(token)) return std::nullopt;
  auto session = s.FindSession(Sha256Hex(token));
  if (!session || session->expires_at <= clock_.NowMs()) return std::nullopt;
  auto user = s.FindUserById(session->user_id);
  if (!user || user->disabled) return std::nullopt;
  return std::make_pair(std::move(*user), std::move(*session));
}

}  // namespace amur::service
