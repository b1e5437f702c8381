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

Result<RecordedReturn> Store::RecordReturn(const domain::SaleReturn& sale_return, Timestamp now) {
  std::promise<Result<RecordedReturn>> answer;
  auto result = answer.get_future();
  RecordReturnAsync(sale_return, now, [&answer](Result<RecordedReturn> recorded) {
    answer.set_value(std::move(recorded));
  });
  return result.get();
}

}  // namespace loyalty::server
