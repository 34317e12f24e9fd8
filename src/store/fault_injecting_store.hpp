// A store that fails on purpose, for tests: it wraps a real store and throws
// StoreError at the points a FaultPlan names (beginning a write, a savepoint,
// appending an event, inserting a comment, the commit of a write
// transaction), as a full disk or a lost connection would. Everything else
// goes to the real store, so a test sees exactly what a real failure leaves
// behind (LevelDB's SpecialEnv does the same for its environment).
//
// `amur serve` wraps its store in one when AMUR_FAULTS_FILE names a file:
// each line written there, "commit 1" or "append_event 2", makes that many
// of the next calls at that point fail; the file is emptied once read. For
// black-box tests only.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "store/store.hpp"

namespace amur::store {

enum class FaultPoint { kBeginWrite, kSavepoint, kAppendEvent, kInsertComment, kCommit, kCount };

// Which calls fail. Thread-safe.
class FaultPlan final {
 public:
  // `control_file`: re-read before each check (see above); empty: none.
  explicit FaultPlan(std::string control_file = "");

  // The next `times` calls at `point` throw.
  void FailNext(FaultPoint point, int times = 1);

  // Throws StoreError when a failure is due at `point` (and counts it down).
  void Check(FaultPoint point);

  // How many failures were injected so far.
  int Injected() const;

 private:
  void ReadControlFile();  // REQUIRES: mu_ held

  std::string control_file_;
  mutable std::mutex mu_;
  std::array<int, static_cast<std::size_t>(FaultPoint::kCount)> pending_{};
  int injected_ = 0;
};

// The name used in the control file: "begin_write", "savepoint",
// "append_event", "insert_comment", "commit".
const char* FaultPointName(FaultPoint p);

// Wraps `inner`; every session it opens consults `plan`.
std::unique_ptr<Store> WrapWithFaults(std::unique_ptr<Store> inner,
                                      std::shared_ptr<FaultPlan> plan);

}  // namespace amur::store
