// Runs an ImportWriter on a thread of its own, so that a file's parsing,
// converting and rendering (on the caller's thread) overlap with the
// database writes (on the writer's). The caller talks to the pipeline as it
// would to the ImportWriter; every call becomes an operation that the
// writer thread applies in the same order, so the database, the summary and
// where an import stops are the same as with the writer alone. Operations
// travel in chunks through a bounded queue: memory stays constant whatever
// the file's size.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "transfer/import_writer.hpp"

namespace amur::transfer {

class ImportPipeline final {
 public:
  // Starts the writer thread. `writer` and `summary` belong to it until
  // Close (or the destructor) returns.
  ImportPipeline(ImportWriter& writer, const ImportOptions& options, ImportSummary* summary);
  // Close.
  ~ImportPipeline();
  ImportPipeline(const ImportPipeline&) = delete;
  ImportPipeline& operator=(const ImportPipeline&) = delete;

  void SetSource(std::string source);
  const std::string& source() const { return source_; }

  // As ImportWriter's. The comment is prepared (PrepareComment) here, on the
  // caller's thread. A false return means the import stopped (--strict, or
  // the writer failed); the writer may learn of a stop only later, so true
  // does not promise that the comment will be written.
  bool Add(const SourcePage& page, SourceComment c);
  bool FinishPage(const std::string& page_key);
  bool Issue(bool skipped, const std::string& where, const std::string& item,
             const std::string& reason);
  // Applies everything queued, then ImportWriter::Finish; returns its result.
  bool Finish();
  // The file is unusable from here on: the writer drops its current batch and
  // the summary's error becomes `message` unless the import stopped already.
  void Fail(const std::string& message);
  // Applies everything queued and stops the writer thread; idempotent.
  void Close();

 private:
  struct AddOp {
    std::shared_ptr<const SourcePage> page;
    SourceComment comment;
  };
  struct FinishPageOp {
    std::string page_key;
  };
  struct IssueOp {
    bool skipped;
    std::string where, item, reason;
  };
  struct SourceOp {
    std::string source;
  };
  struct FinishOp {};
  struct FailOp {
    std::string message;
  };
  using Op = std::variant<AddOp, FinishPageOp, IssueOp, SourceOp, FinishOp, FailOp>;
  using Chunk = std::vector<Op>;

  void Push(Op op);
  void Flush();  // hands the chunk being filled to the writer thread
  void RunWriter();
  void Apply(Op& op);

  ImportWriter& writer_;
  ImportSummary* summary_;
  const bool strict_;
  std::string source_;
  std::shared_ptr<const SourcePage> page_;  // the page of the last Add
  Chunk filling_;

  std::mutex mu_;
  std::condition_variable not_full_, not_empty_, finished_;
  std::deque<Chunk> queue_;     // guarded by mu_
  // Guarded by mu_: chunks the writer has applied. The caller's thread frees
  // them (their texts were allocated there: freeing them on the writer's
  // thread would contend for the caller's malloc arena) and reuses them.
  std::deque<Chunk> applied_;
  bool closing_ = false;        // guarded by mu_: no more chunks will come
  bool finish_done_ = false;    // guarded by mu_
  bool finish_result_ = false;  // guarded by mu_
  // Written by the writer thread only; read by the caller's without the lock
  // (a stale false costs at most a chunk of wasted work).
  std::atomic<bool> stopped_{false};
  bool writer_stopped_ = false;  // the writer thread's own copy
  std::thread thread_;
};

}  // namespace amur::transfer
