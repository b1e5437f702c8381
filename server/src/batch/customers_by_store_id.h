// The history's customers by their store id, for the nightly run's steps that meet the
// store: its lists (cardholders, birthdays, earlier offers) name a million customers by
// id, and looking each one's text up in the history's dictionary took most of a second
// of the main thread at that scale; its tables take rows fastest in their key's order.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "targeting/transaction_history.h"

namespace loyalty::server::batch {

class CustomersByStoreId {
 public:
  explicit CustomersByStoreId(const targeting::TransactionHistory& history) {
    store_ids_.reserve(history.customer_count());
    ids_.reserve(history.customer_count());
    for (std::uint32_t c = 0; c < history.customer_count(); ++c) {
      // The history read from a store names each customer by its id (HistoryBuilder).
      const std::string_view name = history.customers.Name(c);
      std::int64_t id = 0;
      std::from_chars(name.data(), name.data() + name.size(), id);
      store_ids_.push_back(id);
      ids_.emplace_back(id, c);
    }
    std::sort(ids_.begin(), ids_.end());
  }

  // History customer `customer`'s store id.
  std::int64_t StoreId(std::uint32_t customer) const { return store_ids_[customer]; }

  std::optional<std::uint32_t> Find(std::int64_t customer_id) const {
    const auto found = std::lower_bound(ids_.begin(), ids_.end(),
                                        std::pair<std::int64_t, std::uint32_t>{customer_id, 0});
    if (found == ids_.end() || found->first != customer_id) return std::nullopt;
    return found->second;
  }

  // Every customer as (store id, history id), by store id.
  const std::vector<std::pair<std::int64_t, std::uint32_t>>& in_id_order() const { return ids_; }

 private:
  std::vector<std::int64_t> store_ids_;  // by history id
  std::vector<std::pair<std::int64_t, std::uint32_t>> ids_;
};

}  // namespace loyalty::server::batch
