#include "transfer/import_pipeline.hpp"

#include <pthread.h>

#include <exception>
#include <utility>

namespace amur::transfer {

namespace {

// Operations per chunk, and chunks queued at most: a few MB of comments in
// flight, enough to keep both threads busy.
constexpr std::size_t kChunkOps = 256;
constexpr std::size_t kMaxChunks = 8;

}  // namespace

ImportPipeline::ImportPipeline(ImportWriter& writer, const ImportOptions& options,
                               ImportSummary* summary)
    : writer_(writer), summary_(summary), strict_(options.strict), source_(writer.source()) {
  filling_.reserve(kChunkOps);
  thread_ = std::thread([this] { RunWriter(); });
}

ImportPipeline::~ImportPipeline() { Close(); }

void ImportPipeline::SetSource(std::string source) {
  source_ = source;
  Push(SourceOp{std::move(source)});
}

bool ImportPipeline::Add(const SourcePage& page, SourceComment c) {
  if (stopped_.load(std::memory_order_relaxed)) return false;
  PrepareComment(&c);
  if (!page_ || page_->key != page.key || page_->title != page.title || page_->url != page.url ||
      page_->closed != page.closed) {
    page_ = std::make_shared<const SourcePage>(page);
  }
  Push(AddOp{page_, std::move(c)});
  return true;
}

bool ImportPipeline::FinishPage(const std::string& page_key) {
  if (stopped_.load(std::memory_order_relaxed)) return false;
  Push(FinishPageOp{page_key});
  return true;
}

bool ImportPipeline::Issue(bool skipped, const std::string& where, const std::string& item,
                           const std::string& reason) {
  if (stopped_.load(std::memory_order_relaxed)) return false;
  Push(IssueOp{skipped, where, item, reason});
  return !strict_;  // the writer stops at it too
}

bool ImportPipeline::Finish() {
  Push(FinishOp{});
  Flush();
  std::unique_lock<std::mutex> lock(mu_);
  finished_.wait(lock, [this] { return finish_done_; });
  return finish_result_;
}

void ImportPipeline::Fail(const std::string& message) { Push(FailOp{message}); }

void ImportPipeline::Close() {
  if (!thread_.joinable()) return;
  Flush();
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  not_empty_.notify_one();
  thread_.join();
}

void ImportPipeline::Push(Op op) {
  filling_.push_back(std::move(op));
  if (filling_.size() >= kChunkOps) Flush();
}

void ImportPipeline::Flush() {
  if (filling_.empty()) return;
  std::deque<Chunk> applied;
  {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [this] { return queue_.size() < kMaxChunks; });
    queue_.push_back(std::move(filling_));
    applied.swap(applied_);
  }
  not_empty_.notify_one();
  if (applied.empty()) {
    filling_ = Chunk();
  } else {
    filling_ = std::move(applied.front());
    filling_.clear();
  }
  filling_.reserve(kChunkOps);
}

void ImportPipeline::RunWriter() {
  pthread_setname_np(pthread_self(), "amur-import-db");
  for (;;) {
    Chunk chunk;
    {
      std::unique_lock<std::mutex> lock(mu_);
      not_empty_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and everything applied
      chunk = std::move(queue_.front());
      queue_.pop_front();
    }
    not_full_.notify_one();
    for (Op& op : chunk) Apply(op);
    std::lock_guard<std::mutex> lock(mu_);
    applied_.push_back(std::move(chunk));
  }
}

void ImportPipeline::Apply(Op& op) {
  if (auto* finish = std::get_if<FinishOp>(&op)) {
    (void)finish;
    bool ok = false;
    if (!writer_stopped_) {
      try {
        ok = writer_.Finish();
      } catch (const std::exception& e) {
        writer_.Abort();
        if (summary_->error.empty()) summary_->error = std::string("database: ") + e.what();
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      finish_done_ = true;
      finish_result_ = ok;
    }
    finished_.notify_all();
    writer_stopped_ = true;
    stopped_.store(true, std::memory_order_relaxed);
    return;
  }
  if (writer_stopped_) return;  // as the writer alone, nothing after a stop
  bool ok = true;
  try {
    if (auto* add = std::get_if<AddOp>(&op)) {
      ok = writer_.Add(*add->page, std::move(add->comment));  // may leave its texts in the op
    } else if (auto* page = std::get_if<FinishPageOp>(&op)) {
      ok = writer_.FinishPage(page->page_key);
    } else if (auto* issue = std::get_if<IssueOp>(&op)) {
      ok = writer_.Issue(issue->skipped, issue->where, issue->item, issue->reason);
    } else if (auto* source = std::get_if<SourceOp>(&op)) {
      writer_.SetSource(std::move(source->source));
    } else if (auto* fail = std::get_if<FailOp>(&op)) {
      writer_.Abort();
      if (summary_->error.empty()) summary_->error = fail->message;
      ok = false;
    }
  } catch (const std::exception& e) {
    writer_.Abort();
    if (summary_->error.empty()) summary_->error = std::string("database: ") + e.what();
    ok = false;
  }
  if (!ok) {
    writer_stopped_ = true;
    stopped_.store(true, std::memory_order_relaxed);
  }
}

}  // namespace amur::transfer
