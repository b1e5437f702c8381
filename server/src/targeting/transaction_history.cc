#include "targeting/transaction_history.h"

#include <algorithm>
#include <cstring>
#include <future>
#include <numeric>

namespace loyalty::server::targeting {

std::uint32_t IdDictionary::Intern(std::string_view name) {
  if (const auto it = ids_.find(name); it != ids_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(names_.size());
  ids_.emplace(names_.emplace_back(name), id);
  return id;
}

std::optional<std::uint32_t> IdDictionary::Find(std::string_view name) const {
  if (const auto it = ids_.find(name); it != ids_.end()) return it->second;
  return std::nullopt;
}

std::optional<std::string> HistoryBuilder::Add(const Line& line) {
  const bool same_basket =
      !staged_product_.empty() && line.basket == last_basket_ && line.customer == last_customer_;
  const auto known_basket =
      same_basket ? std::optional<std::uint32_t>(last_basket_id_) : basket_ids_.Find(line.basket);
  const auto known_customer = same_basket ? std::optional<std::uint32_t>(last_customer_id_)
                                          : history_.customers.Find(line.customer);
  if (known_basket) {
    if (!known_customer || basket_customer_[*known_basket] != *known_customer) {
      return "basket_id: basket " + std::string(line.basket) + " belongs to customer " +
             std::string(history_.customers.Name(basket_customer_[*known_basket]));
    }
    if (basket_time_[*known_basket] != line.timestamp) {
      return "timestamp: differs from the time of basket " + std::string(line.basket) +
             " on its first line";
    }
  }
  const auto known_product = history_.products.Find(line.product);
  // Most lines repeat the category their product was filed under: a comparison, no lookup.
  std::optional<std::uint32_t> known_category;
  if (!line.category.empty()) {
    const std::uint32_t filed =
        known_product ? history_.product_category[*known_product] : kNoCategory;
    known_category = filed != kNoCategory && history_.categories.Name(filed) == line.category
                         ? std::optional<std::uint32_t>(filed)
                         : history_.categories.Find(line.category);
  }
  if (known_product && !line.category.empty()) {
    const std::uint32_t filed = history_.product_category[*known_product];
    if (filed != kNoCategory && (!known_category || filed != *known_category)) {
      return "category: product " + std::string(line.product) + " is in category " +
             std::string(history_.categories.Name(filed)) + " on an earlier line";
    }
  }
  // Line offsets are 32-bit to halve their memory; four billion lines is far beyond a
  // chain's year.
  if (staged_product_.size() >= std::numeric_limits<std::uint32_t>::max()) {
    return "too many lines for one history (more than 4,294,967,295)";
  }

  const std::uint32_t customer =
      known_customer ? *known_customer : history_.customers.Intern(line.customer);
  const std::uint32_t basket = known_basket ? *known_basket : basket_ids_.Intern(line.basket);
  if (basket == basket_customer_.size()) {
    basket_customer_.push_back(customer);
    basket_time_.push_back(line.timestamp);
  }
  if (!same_basket) {
    last_basket_ = line.basket;
    last_customer_ = line.customer;
    last_basket_id_ = basket;
    last_customer_id_ = customer;
  }
  const std::uint32_t product =
      known_product ? *known_product : history_.products.Intern(line.product);
  if (product == history_.product_category.size()) history_.product_category.push_back(kNoCategory);
  if (!line.category.empty()) {
    history_.product_category[product] =
        known_category ? *known_category : history_.categories.Intern(line.category);
  }
  staged_basket_.push_back(basket);
  Stage(product, line.quantity, line.amount_minor);
  return std::nullopt;
}

bool HistoryBuilder::AddStored(const StoredLine& line) {
  // Most lines: a product seen before, without a category or under the one it is filed
  // under, found in its slot.
  const ProductSlot* slot = FindSlot(line.product);
  if (slot != nullptr && !line.category.empty()) {
    if (slot->category_size == 0) {
      slot = nullptr;  // filed under none yet, or its names outgrew the slot
    } else if (std::string_view(slot->text + slot->sku_size, slot->category_size) !=
               line.category) {
      return false;
    }
  }

  std::optional<std::uint32_t> known_product, known_category;
  if (slot == nullptr) {
    known_product = history_.products.Find(line.product);
    if (!line.category.empty()) {
      const std::uint32_t filed =
          known_product ? history_.product_category[*known_product] : kNoCategory;
      if (filed != kNoCategory) {
        if (history_.categories.Name(filed) != line.category) return false;
        known_category = filed;
      } else {
        known_category = history_.categories.Find(line.category);
      }
    }
  }
  if (staged_product_.size() >= std::numeric_limits<std::uint32_t>::max()) return false;

  if (staged_product_.empty() || line.purchase_seq != last_seq_) {
    // Numbered as they come, named at Build, in the order of their ids.
    const auto [found, inserted] = stored_customers_.try_emplace(
        line.customer_id, static_cast<std::uint32_t>(stored_customers_.size()));
    last_customer_id_ = found->second;
    last_basket_id_ = static_cast<std::uint32_t>(basket_customer_.size());
    basket_customer_.push_back(last_customer_id_);
    basket_time_.push_back(line.timestamp);
    basket_first_line_.push_back(static_cast<std::uint32_t>(staged_product_.size()));
    last_seq_ = line.purchase_seq;
  }
  std::uint32_t product = 0;
  if (slot != nullptr) {
    product = slot->product;
  } else {
    product = known_product ? *known_product : history_.products.Intern(line.product);
    if (product == history_.product_category.size()) {
      history_.product_category.push_back(kNoCategory);
    }
    if (!line.category.empty() && !known_category) {
      history_.product_category[product] = history_.categories.Intern(line.category);
    } else if (known_category) {
      history_.product_category[product] = *known_category;
    }
    PutSlot(product);
  }
  Stage(product, line.quantity, line.amount_minor);
  return true;
}

void HistoryBuilder::Stage(std::uint32_t product, std::int32_t quantity,
                           std::int64_t amount_minor) {
  staged_product_.push_back(product);
  history_.read_quantity.push_back(quantity);
  history_.read_amount_minor.push_back(amount_minor);
}

void HistoryBuilder::Reserve(std::size_t lines, std::size_t customers) {
  staged_product_.reserve(lines);
  history_.read_quantity.reserve(lines);
  history_.read_amount_minor.reserve(lines);
  history_.line_product.reserve(lines);
  // A basket has a line at least, so `lines` bounds the baskets. Room no basket takes is
  // address space only: a page costs memory when first written.
  basket_customer_.reserve(lines);
  basket_time_.reserve(lines);
  basket_first_line_.reserve(lines);
  stored_customers_.reserve(customers);
}

void HistoryBuilder::ClaimRoom() {
  // Never past the room: growing would copy what was claimed.
  const std::size_t lines = std::min(staged_product_.size(), history_.line_product.capacity());
  if (lines > history_.line_product.size()) history_.line_product.resize(lines);
}

const HistoryBuilder::ProductSlot* HistoryBuilder::FindSlot(std::string_view sku) const {
  if (product_slots_.empty()) return nullptr;
  const std::size_t mask = product_slots_.size() - 1;
  for (std::size_t i = std::hash<std::string_view>{}(sku) & mask;; i = (i + 1) & mask) {
    const ProductSlot& slot = product_slots_[i];
    if (slot.product == ProductSlot::kEmpty) return nullptr;
    if (slot.sku_size == sku.size() && std::memcmp(slot.text, sku.data(), sku.size()) == 0) {
      return &slot;
    }
  }
}

void HistoryBuilder::PutSlot(std::uint32_t product) {
  const std::string_view sku = history_.products.Name(product);
  const std::uint32_t filed = history_.product_category[product];
  const std::string_view category =
      filed == kNoCategory ? std::string_view() : history_.categories.Name(filed);
  // A slot left without its category sends the product's lines with one the slow way.
  if (sku.size() + category.size() > ProductSlot::kText) return;
  if (FindSlot(sku) == nullptr && (slots_used_ + 1) * 2 > product_slots_.size()) {
    std::vector<ProductSlot> old(std::max<std::size_t>(1024, product_slots_.size() * 2));
    old.swap(product_slots_);
    slots_used_ = 0;
    for (const ProductSlot& moved : old) {
      if (moved.product != ProductSlot::kEmpty) PutSlot(moved.product);
    }
  }
  const std::size_t mask = product_slots_.size() - 1;
  std::size_t i = std::hash<std::string_view>{}(sku) & mask;
  while (product_slots_[i].product != ProductSlot::kEmpty && product_slots_[i].product != product) {
    i = (i + 1) & mask;
  }
  ProductSlot& slot = product_slots_[i];
  if (slot.product == ProductSlot::kEmpty) ++slots_used_;
  slot.product = product;
  slot.sku_size = static_cast<std::uint8_t>(sku.size());
  slot.category_size = static_cast<std::uint8_t>(category.size());
  // An empty view may hold no pointer, which memcpy must not be given even for 0 bytes.
  if (!sku.empty()) std::memcpy(slot.text, sku.data(), sku.size());
  if (!category.empty()) std::memcpy(slot.text + sku.size(), category.data(), category.size());
}

TransactionHistory HistoryBuilder::Build() {
  TransactionHistory history = std::move(history_);
  history_ = TransactionHistory();
  // A store's customers in the order of their ids, which is the order of its tables'
  // keys: the nightly run walks the customers in the order their data lies in memory
  // and writes their rows in the order the tables keep them. Their names are written
  // while the rest is laid out (a million of them took half a second).
  std::future<IdDictionary> stored_names;
  std::uint32_t customers = history.customers.size();
  if (!stored_customers_.empty()) {
    std::vector<std::pair<std::int64_t, std::uint32_t>> by_id(stored_customers_.begin(),
                                                              stored_customers_.end());
    std::sort(by_id.begin(), by_id.end());
    std::vector<std::uint32_t> renumbered(by_id.size());
    for (std::uint32_t i = 0; i < by_id.size(); ++i) renumbered[by_id[i].second] = i;
    for (std::uint32_t& customer : basket_customer_) customer = renumbered[customer];
    customers = static_cast<std::uint32_t>(by_id.size());
    stored_names = std::async(std::launch::async, [by_id = std::move(by_id)] {
      IdDictionary names;
      names.Reserve(by_id.size());
      for (const auto& [customer_id, unused] : by_id) names.Intern(std::to_string(customer_id));
      return names;
    });
  }
  const auto baskets = static_cast<std::uint32_t>(basket_customer_.size());

  history.customer_basket_begin.assign(customers + 1, 0);
  for (std::uint32_t b = 0; b < baskets; ++b)
    ++history.customer_basket_begin[basket_customer_[b] + 1];
  std::partial_sum(history.customer_basket_begin.begin(), history.customer_basket_begin.end(),
                   history.customer_basket_begin.begin());

  // Baskets in their final order: by customer, then time, then first appearance (the
  // staging id is first-appearance order), which is file order when there is no time. A
  // counting sort by customer keeps first appearance; a customer's baskets then need a
  // sort by time only where they came out of time order (a store's scan gives them in the
  // order stored, mostly the order bought).
  std::vector<std::uint32_t> order(baskets);
  {
    std::vector<std::uint32_t> next(history.customer_basket_begin.begin(),
                                    history.customer_basket_begin.end() - 1);
    for (std::uint32_t b = 0; b < baskets; ++b) order[next[basket_customer_[b]]++] = b;
  }
  const auto earlier = [&](std::uint32_t a, std::uint32_t b) {
    return basket_time_[a] < basket_time_[b];
  };
  for (std::uint32_t c = 0; c < customers; ++c) {
    const auto begin = order.begin() + history.customer_basket_begin[c];
    const auto end = order.begin() + history.customer_basket_begin[c + 1];
    if (!std::is_sorted(begin, end, earlier)) std::stable_sort(begin, end, earlier);
  }
  std::vector<std::uint32_t> final_index(baskets);
  for (std::uint32_t i = 0; i < baskets; ++i) final_index[order[i]] = i;

  history.basket_time.resize(baskets);
  for (std::uint32_t b = 0; b < baskets; ++b) history.basket_time[final_index[b]] = basket_time_[b];

  // The lines by final basket, each basket's in the order read. AddStored's baskets
  // keep their lines together, so a basket's products move as one run and its
  // quantities and amounts stay where they were read; Add's are gathered line by line,
  // the quantities and amounts with them.
  const auto lines = static_cast<std::uint32_t>(staged_product_.size());
  const bool together = staged_basket_.empty();
  const auto first_line = [&](std::uint32_t b) {
    return b < baskets ? basket_first_line_[b] : lines;
  };
  history.basket_line_begin.assign(baskets + 1, 0);
  if (together) {
    for (std::uint32_t b = 0; b < baskets; ++b) {
      history.basket_line_begin[final_index[b] + 1] = first_line(b + 1) - first_line(b);
    }
  } else {
    for (const std::uint32_t b : staged_basket_) ++history.basket_line_begin[final_index[b] + 1];
  }
  std::partial_sum(history.basket_line_begin.begin(), history.basket_line_begin.end(),
                   history.basket_line_begin.begin());
  history.line_product.resize(lines);
  history.basket_amount_minor.assign(baskets, 0);
  if (together) {
    history.basket_read_begin.resize(baskets);
    for (std::uint32_t b = 0; b < baskets; ++b) {
      const std::uint32_t to = final_index[b];
      const std::uint32_t begin = first_line(b), end = first_line(b + 1);
      std::copy(staged_product_.begin() + begin, staged_product_.begin() + end,
                history.line_product.begin() + history.basket_line_begin[to]);
      history.basket_read_begin[to] = begin;
      history.basket_amount_minor[to] =
          std::accumulate(history.read_amount_minor.begin() + begin,
                          history.read_amount_minor.begin() + end, std::int64_t{0});
    }
  } else {
    std::vector<std::uint32_t> next(history.basket_line_begin.begin(),
                                    history.basket_line_begin.end() - 1);
    std::vector<std::int32_t> quantity(lines);
    std::vector<std::int64_t> amount_minor(lines);
    for (std::uint32_t line = 0; line < lines; ++line) {
      const std::uint32_t to = final_index[staged_basket_[line]];
      const std::uint32_t at = next[to]++;
      history.line_product[at] = staged_product_[line];
      quantity[at] = history.read_quantity[line];
      amount_minor[at] = history.read_amount_minor[line];
      history.basket_amount_minor[to] += amount_minor[at];
    }
    history.read_quantity = std::move(quantity);
    history.read_amount_minor = std::move(amount_minor);
    history.basket_read_begin.assign(history.basket_line_begin.begin(),
                                     history.basket_line_begin.end() - 1);
  }

  basket_ids_ = IdDictionary();
  stored_customers_ = {};
  product_slots_ = {};
  slots_used_ = 0;
  last_basket_.clear();
  last_customer_.clear();
  basket_customer_ = {};
  basket_time_ = {};
  staged_product_ = {};
  staged_basket_ = {};
  basket_first_line_ = {};
  if (stored_names.valid()) history.customers = stored_names.get();
  return history;
}

}  // namespace loyalty::server::targeting
