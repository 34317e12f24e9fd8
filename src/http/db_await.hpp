// Awaiting database work from a connection's coroutine: the work runs on the
// DbExecutor's threads, never on an I/O thread, and the coroutine resumes on
// its own executor with the result (or the exception the work threw).
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>

#include <spdlog/spdlog.h>

#include "core/result.hpp"
#include "service/db_executor.hpp"

namespace amur::http {

namespace detail {

// The answer for the exception being handled (call it inside a catch
// block), logged under `what`: kUnavailable for an exception the database
// work threw, kInternal for anything else.
inline Error CurrentFailure(const char* what) {
  try {
    throw;
  } catch (const std::exception& e) {
    spdlog::error("{} failed: {}", what, e.what());
    return MakeError(ErrorCode::kUnavailable,
                     "The database is not answering; please try again shortly.");
  } catch (...) {
    spdlog::error("{} failed with an unknown exception", what);
    return MakeError(ErrorCode::kInternal, "Something went wrong on our side.");
  }
}

template <typename T, typename Handler>
void Complete(std::shared_ptr<Handler> h, std::exception_ptr ep, std::optional<T> value) {
  auto ex = boost::asio::get_associated_executor(*h);
  boost::asio::post(ex, [h, ep, value = std::move(value)]() mutable { (*h)(ep, std::move(value)); });
}

}  // namespace detail

// Runs `fn` on a reader thread inside a read transaction. The awaitable
// yields an engaged optional or rethrows what `fn` threw.
//
// These are plain functions returning the awaitable (not coroutines), and
// callers pass named std::function objects: GCC 12 miscompiles temporaries
// with captures passed by value into a coroutine.
template <typename T>
boost::asio::awaitable<std::optional<T>> OnReader(service::DbExecutor& db,
                                                  std::function<T(store::StoreSession&)> fn) {
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable),
                                                     void(std::exception_ptr, std::optional<T>)>(
      [&db, fn = std::move(fn)](auto handler) mutable {
        using H = decltype(handler);
        auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
        auto h = std::make_shared<H>(std::move(handler));
        db.Read([h, fn = std::move(fn), work = std::move(work)](store::StoreSession& s) mutable {
          std::optional<T> value;
          std::exception_ptr ep;
          try {
            value.emplace(fn(s));
          } catch (...) {
            ep = std::current_exception();
          }
          detail::Complete<T>(h, ep, std::move(value));
          work.reset();
        });
      },
      boost::asio::use_awaitable);
}

// Runs `fn` (CPU work, no database) on a reader thread outside any
// transaction (DbExecutor::Compute): off the I/O threads and off the writer.
// The awaitable yields an engaged optional or rethrows what `fn` threw.
template <typename T>
boost::asio::awaitable<std::optional<T>> OnCompute(service::DbExecutor& db,
                                                   std::function<T()> fn) {
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable),
                                     void(std::exception_ptr, std::optional<T>)>(
      [&db, fn = std::move(fn)](auto handler) mutable {
        using H = decltype(handler);
        auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
        auto h = std::make_shared<H>(std::move(handler));
        db.Compute([h, fn = std::move(fn), work = std::move(work)]() mutable {
          std::optional<T> value;
          std::exception_ptr ep;
          try {
            value.emplace(fn());
          } catch (...) {
            ep = std::current_exception();
          }
          detail::Complete<T>(h, ep, std::move(value));
          work.reset();
        });
      },
      boost::asio::use_awaitable);
}

// The usual shape of a request's database work: a job returning Result<T>.
// WriteResult keeps the job's changes only when it succeeds, runs
// `after_commit` (cache invalidation) once they are durable, and turns an
// exception or a failed commit into kUnavailable, logged under `what`.
// ReadResult does the same for a read. Both are plain functions returning the
// awaitable (see OnReader); `what` must outlive the call (a string literal).
template <typename T>
boost::asio::awaitable<Result<T>> WriteResult(service::DbExecutor& db, const char* what,
                                              std::function<Result<T>(store::StoreSession&)> fn,
                                              std::function<void(const Result<T>&)> after_commit) {
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(Result<T>)>(
      [&db, what, fn = std::move(fn), after_commit = std::move(after_commit)](auto handler) mutable {
        using H = decltype(handler);
        auto work = std::make_shared<decltype(boost::asio::make_work_guard(
            boost::asio::get_associated_executor(handler)))>(
            boost::asio::make_work_guard(boost::asio::get_associated_executor(handler)));
        auto h = std::make_shared<H>(std::move(handler));
        auto value = std::make_shared<std::optional<Result<T>>>();
        service::WriteJob job;
        job.run = [what, fn = std::move(fn), value](store::StoreSession& s) -> bool {
          try {
            value->emplace(fn(s));
            return (*value)->ok();
          } catch (...) {
            value->emplace(detail::CurrentFailure(what));
            return false;
          }
        };
        job.done = [h, value, work, what, after_commit = std::move(after_commit)](bool committed) {
          if (!value->has_value() || (!committed && (*value)->ok())) {
            spdlog::error("{} failed: the database could not commit", what);
            value->emplace(MakeError(ErrorCode::kUnavailable, "The database is not answering; please try again shortly."));
          }
          if ((*value)->ok() && after_commit) {
            try {
              after_commit(**value);  // the write is durable whatever happens here
            } catch (const std::exception& e) {
              spdlog::error("{}: after the commit: {}", what, e.what());
            } catch (...) {
              spdlog::error("{}: after the commit: an unknown exception", what);
            }
          }
          auto ex = boost::asio::get_associated_executor(*h);
          boost::asio::post(ex, [h, value]() mutable { (*h)(std::move(**value)); });
          work->reset();
        };
        db.Write(std::move(job));
      },
      boost::asio::use_awaitable);
}

template <typename T>
boost::asio::awaitable<Result<T>> WriteResult(service::DbExecutor& db, const char* what,
                                              std::function<Result<T>(store::StoreSession&)> fn) {
  return WriteResult<T>(db, what, std::move(fn), std::function<void(const Result<T>&)>());
}

template <typename T>
boost::asio::awaitable<Result<T>> ReadResult(service::DbExecutor& db, const char* what,
                                             std::function<Result<T>(store::StoreSession&)> fn) {
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(Result<T>)>(
      [&db, what, fn = std::move(fn)](auto handler) mutable {
        using H = decltype(handler);
        auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
        auto h = std::make_shared<H>(std::move(handler));
        db.Read([h, what, fn = std::move(fn), work = std::move(work)](store::StoreSession& s) mutable {
          auto value = std::make_shared<std::optional<Result<T>>>();
          try {
            value->emplace(fn(s));
          } catch (...) {
            value->emplace(detail::CurrentFailure(what));
          }
          auto ex = boost::asio::get_associated_executor(*h);
          boost::asio::post(ex, [h, value]() mutable { (*h)(std::move(**value)); });
          work.reset();
        });
      },
      boost::asio::use_awaitable);
}

// ReadResult for the reads behind the read cache (threads, counts, feeds):
// a read replica may serve it (DbExecutor::ReadRouted) when it holds every
// event up to `seen` (the reader's own last write, Request::seen) and up to
// what this node has announced. A replica's failure is never the answer:
// the primary then serves the read.
template <typename T>
boost::asio::awaitable<Result<T>> RoutedReadResult(
    service::DbExecutor& db, const char* what, std::int64_t seen,
    std::function<Result<T>(store::StoreSession&)> fn) {
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(Result<T>)>(
      [&db, what, seen, fn = std::move(fn)](auto handler) mutable {
        using H = decltype(handler);
        auto work = std::make_shared<decltype(boost::asio::make_work_guard(
            boost::asio::get_associated_executor(handler)))>(
            boost::asio::make_work_guard(boost::asio::get_associated_executor(handler)));
        auto h = std::make_shared<H>(std::move(handler));
        auto value = std::make_shared<std::optional<Result<T>>>();
        service::RoutedRead read;
        read.seen = seen;
        read.run = [fn = std::move(fn), value](store::StoreSession& s) {
          value->reset();
          value->emplace(fn(s));
        };
        read.done = [h, value, work, what](std::exception_ptr failure) {
          if (failure) {
            try {
              std::rethrow_exception(failure);
            } catch (...) {
              value->emplace(detail::CurrentFailure(what));
            }
          } else if (!value->has_value()) {
            value->emplace(MakeError(ErrorCode::kInternal, "Something went wrong on our side."));
          }
          auto ex = boost::asio::get_associated_executor(*h);
          boost::asio::post(ex, [h, value]() mutable { (*h)(std::move(**value)); });
          work->reset();
        };
        db.ReadRouted(std::move(read));
      },
      boost::asio::use_awaitable);
}

}  // namespace amur::http
