// Awaiting database work from a connection's coroutine: the work runs on the
// DbExecutor's threads, never on an I/O thread, and the coroutine resumes on
// its own executor with the result (or the exception the work threw).
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <optional>

#include "service/db_executor.hpp"

namespace amur::http {

namespace detail {

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

// Runs `fn` on the writer thread inside a savepoint of a group commit. The
// job's changes are kept when `keep(result)` is true. `after_commit` runs on
// the writer thread once the changes are durable (cache invalidation), before
// the coroutine resumes. A failed commit throws store::StoreError.
template <typename T>
boost::asio::awaitable<std::optional<T>> OnWriter(service::DbExecutor& db,
                                                  std::function<T(store::StoreSession&)> fn,
                                                  std::function<bool(const T&)> keep,
                                                  std::function<void(const T&)> after_commit) {
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable),
                                                     void(std::exception_ptr, std::optional<T>)>(
      [&db, fn = std::move(fn), keep = std::move(keep),
       after_commit = std::move(after_commit)](auto handler) mutable {
        using H = decltype(handler);
        auto work = std::make_shared<decltype(boost::asio::make_work_guard(
            boost::asio::get_associated_executor(handler)))>(
            boost::asio::make_work_guard(boost::asio::get_associated_executor(handler)));
        auto h = std::make_shared<H>(std::move(handler));
        auto value = std::make_shared<std::optional<T>>();
        auto error = std::make_shared<std::exception_ptr>();
        service::WriteJob job;
        job.run = [fn = std::move(fn), keep = std::move(keep), value,
                   error](store::StoreSession& s) -> bool {
          try {
            value->emplace(fn(s));
            return keep(**value);
          } catch (...) {
            *error = std::current_exception();
            return false;
          }
        };
        job.done = [h, value, error, work, after_commit = std::move(after_commit)](bool committed) {
          std::exception_ptr ep = *error;
          if (!committed && !ep) {
            ep = std::make_exception_ptr(store::StoreError("the database could not commit"));
          }
          if (!ep && value->has_value() && after_commit) after_commit(**value);
          detail::Complete<T>(h, ep, std::move(*value));
          work->reset();
        };
        db.Write(std::move(job));
      },
      boost::asio::use_awaitable);
}

}  // namespace amur::http
