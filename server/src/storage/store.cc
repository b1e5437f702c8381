#include "storage/store.h"

#include <future>

namespace loyalty::server {

Result<RecordedPurchase> Store::RecordPurchase(const domain::Purchase& purchase, Timestamp now) {
  std::promise<Result<RecordedPurchase>> answer;
  auto result = answer.get_future();
  RecordPurchaseAsync(purchase, now, [&answer](Result<RecordedPurchase> recorded) {
    answer.set_value(std::move(recorded));
  });
  return result.get();
}

}  // namespace loyalty::server
