#include "actors/ingress.hpp"

#include <type_traits>

namespace tightloop {

namespace {

using Self = ingress_actor::stateful_pointer<IngressState>;

// One request on to its book; `fill` moves the answer into the reply.
template <class T, class Handle, class Fill, class... Args>
void forward(Self self, const Handle& handle, std::shared_ptr<IngressRequest> request, Fill fill,
             Args&&... args) {
  // Orders carry no CAF timeout (its clock costs as much as the hop, see caf_aliases.hpp): the
  // execution manager answers every order by its own step deadlines.
  const bool on_order_path = std::is_same_v<Handle, execution_manager_actor>;
  self->request(handle, on_order_path ? no_timeout() : millis(self->state.timeout_ms),
                std::forward<Args>(args)...)
      .then(
          [request, fill](T& answer) {
            IngressReply reply;
            fill(reply, answer);
            request->done(std::move(reply));
          },
          [self, request](const CafError& error) {
            IngressReply reply;
            reply.error = self->system().render(error);
            request->done(std::move(reply));
          });
}

void dispatch(Self self, IngressRequest& incoming) {
  auto request = std::make_shared<IngressRequest>(std::move(incoming));
  auto it = self->state.books.find(request->book);
  if (it == self->state.books.end()) {
    IngressReply reply;
    reply.error = "no book '" + request->book + "'";
    request->done(std::move(reply));
    return;
  }
  const auto& book = it->second;
  auto take_book = [](IngressReply& r, BookResult& x) { r.book = std::move(x); };
  switch (request->kind) {
    case IngressKind::batch:
      forward<BookResult>(self, book.manager, request, take_book, submit_atom::value,
                          std::move(request->orders));
      return;
    case IngressKind::positions:
      forward<BookResult>(self, book.manager, request, take_book, submit_atom::value,
                          std::vector<Order>{});
      return;
    case IngressKind::order: {
      Order order = request->orders.empty() ? Order{} : std::move(request->orders.front());
      forward<OrderResult>(
          self, book.manager, request,
          [](IngressReply& r, OrderResult& x) { r.order = std::move(x); }, execute_atom::value,
          std::move(order));
      return;
    }
    case IngressKind::status:
      forward<BookStatus>(
          self, book.supervisor, request,
          [](IngressReply& r, BookStatus& x) { r.status = std::move(x); }, status_atom::value);
      return;
    case IngressKind::resume:
      forward<ResumeResult>(
          self, book.supervisor, request,
          [](IngressReply& r, ResumeResult& x) { r.resume = std::move(x); }, resume_atom::value);
      return;
    case IngressKind::refresh:
      forward<RefreshResult>(
          self, book.manager, request,
          [](IngressReply& r, RefreshResult& x) { r.refresh = std::move(x); },
          refresh_atom::value);
      return;
    case IngressKind::market:
      forward<bool>(
          self, book.manager, request, [](IngressReply&, bool) {}, market_atom::value,
          std::move(request->market));
      return;
    case IngressKind::drain:
      forward<bool>(
          self, book.manager, request, [](IngressReply&, bool) {}, drain_atom::value);
      return;
  }
}

}  // namespace

ingress_actor::behavior_type ingress(ingress_actor::stateful_pointer<IngressState> self,
                                     IngressBooks books, std::int64_t timeout_ms) {
  self->state.books = std::move(books);
  self->state.timeout_ms = timeout_ms;
  return {
      [self](const IngressBatch& batch) {
        for (auto& request : *batch) dispatch(self, request);
      },
  };
}

}  // namespace tightloop
