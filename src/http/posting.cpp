#include "http/posting.hpp"

#include <spdlog/spdlog.h>

#include "http/db_await.hpp"
#include "http/response_cache.hpp"
#include "service/mail_sender.hpp"

namespace amur::http {

boost::asio::awaitable<Result<service::PostOutcome>> PostComment(
    HttpDeps& d, service::PostRequest p, const char* what,
    std::optional<service::SubscribeRequest> subscribe) {
  service::CommentService* svc = d.comments;
  const std::function<Result<service::PreparedPost>()> prepare = [svc, p, what]() {
    try {
      return svc->PreparePost(p);
    } catch (const std::exception& e) {
      spdlog::error("{} failed while screening: {}", what, e.what());
      return Result<service::PreparedPost>(
          MakeError(ErrorCode::kInternal, "The comment could not be checked; please try again."));
    }
  };
  std::optional<Result<service::PreparedPost>> prepared = co_await OnCompute(*d.db, prepare);
  if (!*prepared) co_return prepared->error();
  auto shared = std::make_shared<const service::PreparedPost>(std::move(**prepared));
  service::SubscriptionService* subs = d.subscriptions;
  const std::function<Result<service::PostOutcome>(store::StoreSession&)> job =
      [svc, shared, subs, subscribe](store::StoreSession& s) -> Result<service::PostOutcome> {
    auto out = svc->StorePost(s, *shared);
    if (out && subscribe && subs) {
      if (auto sub = subs->Subscribe(s, *subscribe); !sub) return sub.error();
    }
    return out;
  };
  // The read cache follows the event log (app/); only the screener's
  // in-memory near-duplicate index is told here, once the comment is durable.
  const std::function<void(const Result<service::PostOutcome>&)> after =
      [svc, mail = d.mail,
       subscribing = subscribe.has_value()](const Result<service::PostOutcome>& r) {
        if (r) svc->Remember(*r);
        if (r && subscribing && mail) mail->Notify();
      };
  co_return co_await WriteResult(*d.db, what, job, after);
}

}  // namespace amur::http
