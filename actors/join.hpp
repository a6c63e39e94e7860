// Join: wait for N replies, keep the first error, answer once. Every fan-out of a book (a
// market update or a revert to every venue, a reconciliation attempt's queries, a refresh's
// settlements, a resume's re-check, a strategy's stream) counts through it instead of by hand.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

#include "actors/caf_aliases.hpp"
#include "messages/failure.hpp"

namespace tightloop {

template <class Error>
class BasicJoin {
 public:
  // `done` runs once, after the last reply, with the first error (default-constructed: none).
  using Done = std::function<void(const Error& first_error)>;

  static std::shared_ptr<BasicJoin> expect(std::size_t replies, Done done) {
    auto join = std::shared_ptr<BasicJoin>(new BasicJoin(replies, std::move(done)));
    if (replies == 0) join->finish();
    return join;
  }

  void arrive() {
    if (left_ > 0 && --left_ == 0) finish();
  }
  void fail(Error error) {
    if (!failed_) {
      failed_ = true;
      first_error_ = std::move(error);
    }
    arrive();
  }

 private:
  BasicJoin(std::size_t replies, Done done) : left_(replies), done_(std::move(done)) {}
  void finish() {
    auto done = std::move(done_);
    if (done) done(first_error_);
  }

  std::size_t left_;
  Done done_;
  bool failed_ = false;
  Error first_error_{};
};

// Errors as CAF reports them (a dead or silent actor), or as the book codes them.
using Join = BasicJoin<CafError>;
using FailureJoin = BasicJoin<Failure>;

}  // namespace tightloop
