// Shared parts of the service tests (test code only): a real SQLite store in a
// fresh directory for each test, a write helper that commits only on
// success, accounts added straight to the store, and error checks.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "core/random.hpp"
#include "core/result.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"

namespace amur::service::testing {

inline constexpr TimeMs kT0 = 1'795'000'000'000;  // 2026-11-18T11:06:40.000Z

// Expects `r` to have failed with `code` naming `field` (empty: no field).
template <typename T>
void ExpectError(const Result<T>& r, ErrorCode code, const std::string& field = "") {
  ASSERT_FALSE(r.ok()) << "expected " << ErrorCodeName(code);
  EXPECT_STREQ(ErrorCodeName(r.error().code), ErrorCodeName(code)) << r.error().message;
  EXPECT_EQ(r.error().field, field) << r.error().message;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    static std::mt19937_64 rng(std::random_device{}());
    dir_ = std::filesystem::temp_directory_path() / ("amur-service-" + std::to_string(rng()));
    db_path_ = (dir_ / "amur.db").string();
    store_ = store::OpenSqliteStore(db_path_);
    store_->Migrate();
    s_ = store_->OpenSession();
  }

  void TearDown() override {
    s_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Runs `f` in a write transaction, committed only when it succeeds (as the
  // executor does with its savepoints).
  template <typename F>
  auto Write(F f) {
    store::WriteTransaction tx(*s_);
    auto r = f(*s_);
    if (r.ok()) tx.Commit();
    return r;
  }

  // An account stored as `amur user add` would, without the slow password hash
  // (these tests never sign in).
  User MustAddUser(const std::string& email, const std::string& name, Role role,
                   bool disabled = false) {
    User u;
    u.email = email;
    u.name = name;
    u.role = role;
    u.password_hash = "not a real hash";
    u.created_at = kT0;
    store::WriteTransaction tx(*s_);
    auto id = s_->InsertUser(u);
    if (!id) throw std::runtime_error("could not add " + email);
    if (disabled) s_->SetUserDisabled(*id, true);
    tx.Commit();
    u.id = *id;
    u.disabled = disabled;
    return u;
  }

  std::filesystem::path dir_;
  std::string db_path_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::StoreSession> s_;
};

}  // namespace amur::service::testing
