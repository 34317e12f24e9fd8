// The store contract suite's fixture, shared by its sections: one file per
// part of the store (store/store.hpp), <part>_store_contract_test.cpp, so
// that a new backend can be written and tested part by part. A backend joins
// by adding itself to AllBackends().
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <random>
#include <string>

#include "core/model.hpp"
#include "store/postgresql/postgresql_store.hpp"
#include "store/postgresql/postgresql_test_database.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"

namespace amur::store {

struct Backend {
  std::string name;
  // Makes a fresh, empty, migrated store; the cleanup runs after the test.
  std::function<std::unique_ptr<Store>(std::function<void()>* cleanup)> make;
};

inline std::unique_ptr<Store> MakeSqlite(std::function<void()>* cleanup) {
  static std::mt19937_64 rng(std::random_device{}());
  const auto dir =
      std::filesystem::temp_directory_path() / ("amur-contract-" + std::to_string(rng()));
  *cleanup = [dir] { std::filesystem::remove_all(dir); };
  auto store = OpenSqliteStore((dir / "amur.db").string());
  store->Migrate();
  return store;
}

// A fresh database on the test server (tests/support/pg_cluster.py), copied
// from the migrated template; Migrate() is still called, as on SQLite. Fails
// the test when the server is not there.
inline std::unique_ptr<Store> MakePostgresql(std::function<void()>* cleanup) {
  const std::string url = testing::CreatePgTestDatabase(cleanup);
  auto store = OpenPostgresqlStore(url);
  store->Migrate();
  return store;
}

class StoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    store_ = GetParam().make(&cleanup_);
    s_ = store_->OpenSession();
  }
  void TearDown() override {
    s_.reset();
    store_.reset();
    if (cleanup_) cleanup_();
  }

  Page NewPage(const std::string& key) {
    WriteTransaction tx(*s_);
    Page p = s_->UpsertPage({key, std::nullopt, std::nullopt, 1000});
    tx.Commit();
    return p;
  }

  Comment MakeComment(const Page& p, const std::string& body,
                      std::optional<CommentId> parent = std::nullopt) {
    Comment c;
    c.page_id = p.id;
    c.parent_id = parent;
    c.depth = parent ? 2 : 1;
    c.author_name = "Ann";
    c.author_email = "ann@example.com";
    c.body_markdown = body;
    c.body_html = "<p>" + body + "</p>";
    c.state = CommentState::kApproved;
    c.created_at = 5000;
    c.hash = std::string(64, 'a');
    c.edit_token_hash = std::string(64, 'b');
    c.client_address = "127.0.0.1";
    return c;
  }

  CommentId Insert(const Comment& c) {
    WriteTransaction tx(*s_);
    const CommentId id = s_->InsertComment(c);
    tx.Commit();
    return id;
  }

  std::unique_ptr<Store> store_;
  std::unique_ptr<StoreSession> s_;
  std::function<void()> cleanup_;
};

// Every backend the contract runs against.
inline auto AllBackends() {
  return ::testing::Values(Backend{"sqlite", MakeSqlite}, Backend{"postgresql", MakePostgresql});
}

// How gtest prints a backend (test names and failures say "sqlite").
inline void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

}  // namespace amur::store
