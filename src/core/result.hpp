// Expected failures as values: one ErrorCode enum for the whole product and a
// Result<T> that carries either a value or an Error. The HTTP mapping of every
// code lives in src/http/error_mapping.cpp and nowhere else.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace amur {

enum class ErrorCode {
  kInvalidJson,
  kMissingField,
  kInvalidField,
  kTooLong,
  kNotFound,
  kParentNotFound,
  kParentOnOtherPage,
  kConflict,  // the request's precondition no longer holds (someone changed the resource)
  kUnauthorized,
  kNotAllowed,
  kEditWindowClosed,
  kPageClosed,
  kRateLimited,
  kPayloadTooLarge,
  kUnsupportedMediaType,
  kMethodNotAllowed,
  kInvalidCsrfToken,
  kUnavailable,  // the database or another dependency could not answer
  kInternal,     // a bug or an unexpected infrastructure failure
};

// The snake_case name clients see in error.code.
const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;  // a sentence for a person
  std::string field;    // the request field at fault, empty when none
};

inline Error MakeError(ErrorCode code, std::string message, std::string field = {}) {
  return Error{code, std::move(message), std::move(field)};
}

template <typename T>
class [[nodiscard]] Result final {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }

  // REQUIRES: !ok()
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Unit {};
using Status = Result<Unit>;
inline Status Ok() { return Unit{}; }

}  // namespace amur
