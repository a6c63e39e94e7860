// Join: wait for N replies, keep the first error, answer once. The fan-outs of a book (every
// venue takes a market update or reverts a group) share it instead of counting by hand.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

#include "actors/caf_aliases.hpp"

namespace tightloop {

class Join {
 public:
  // `done` runs once, after the last reply, with the first error (or none).
  using Done = std::function<void(const CafError& first_error)>;

  static std::shared_ptr<Join> expect(std::size_t replies, Done done) {
    auto join = std::shared_ptr<Join>(new Join(replies, std::move(done)));
    if (replies == 0) join->finish();
    return join;
  }

  void arrive() {
    if (left_ > 0 && --left_ == 0) finish();
  }
  void fail(const CafError& error) {
    if (!first_error_) first_error_ = error;
    arrive();
  }

 private:
  Join(std::size_t replies, Done done) : left_(replies), done_(std::move(done)) {}
  void finish() {
    auto done = std::move(done_);
    if (done) done(first_error_);
  }

  std::size_t left_;
  Done done_;
  CafError first_error_;
};

}  // namespace tightloop
