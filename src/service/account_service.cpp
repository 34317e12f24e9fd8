#include "service/account_service.hpp"

#include <sodium.h>

#include <algorithm>
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

Result<User> AccountService::AddUser(store::StoreSession& s, const std::string& email,
                                     const std::string& name, Role role,
                                     const std::string& password) {
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
  auto id = s.InsertUser(u);
  if (!id) return MakeError(ErrorCode::kNotAllowed, "An account with this email exists already.", "email");
  u.id = *id;
  return u;
}

Result<User> AccountService::CheckPassword(store::StoreSession& s, const std::string& email,
                                           const std::string& password) {
  auto user = s.FindUserByEmail(Lower(std::string(TrimUnicodeSpace(email))));
  const bool ok = VerifyPassword(user ? user->password_hash : DummyHash(), password);
  if (!user || !ok) return MakeError(ErrorCode::kUnauthorized, "Wrong email or password.");
  return std::move(*user);
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
  if (!user) return std::nullopt;
  return std::make_pair(std::move(*user), std::move(*session));
}

}  // namespace amur::service
