// Purchase history held for targeting: every customer's baskets, oldest first, with
// customers, products and categories mapped to dense integer ids. Laid out as flat
// arrays (compressed sparse rows) so a chain's year, 1M customers and 30M lines, fits in
// well under a gigabyte and the model's loops touch integers only.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace loyalty::server::targeting {

// Each distinct external id (a card number, a SKU, a category name) gets the next dense
// id 0, 1, 2... in first-seen order. Not thread-safe for Intern; Find and Name may be
// called from many threads once interning is done.
class IdDictionary {
 public:
  IdDictionary() = default;
  // The map holds views into names_, whose deque storage never moves a string, so the
  // dictionary must not be copied (the views would point into the source); moving the
  // deque keeps the strings where they are.
  IdDictionary(const IdDictionary&) = delete;
  IdDictionary& operator=(const IdDictionary&) = delete;
  IdDictionary(IdDictionary&&) = default;
  IdDictionary& operator=(IdDictionary&&) = default;

  std::uint32_t Intern(std::string_view name);
  void Reserve(std::size_t names) { ids_.reserve(names); }
  std::optional<std::uint32_t> Find(std::string_view name) const;
  std::string_view Name(std::uint32_t id) const { return names_[id]; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(names_.size()); }

 private:
  std::deque<std::string> names_;
  std::unordered_map<std::string_view, std::uint32_t> ids_;
};

inline constexpr std::uint32_t kNoCategory = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::int64_t kNoTimestamp = std::numeric_limits<std::int64_t>::min();

// Immutable once built (by HistoryBuilder); safe to read from many threads.
struct TransactionHistory {
  IdDictionary customers;
  IdDictionary products;
  IdDictionary categories;

  // Customer c's baskets are [customer_basket_begin[c], customer_basket_begin[c + 1]),
  // oldest first. Size customers.size() + 1.
  std::vector<std::uint32_t> customer_basket_begin;
  // Basket b's lines are [basket_line_begin[b], basket_line_begin[b + 1]), in file order.
  // Size baskets + 1.
  std::vector<std::uint32_t> basket_line_begin;
  // When basket b was bought, Unix seconds UTC; kNoTimestamp when the file had none.
  std::vector<std::int64_t> basket_time;

  // Per line. A product may appear on several lines of one basket.
  std::vector<std::uint32_t> line_product;

  // What basket b cost: the sum of its lines' amounts (0 when the file had none).
  std::vector<std::int64_t> basket_amount_minor;

  // Each line's quantity and amount, in the order the lines were read: basket b's are at
  // [basket_read_begin[b], basket_read_begin[b] + its lines), in the order of its
  // products. Unlike the products they are not laid out again by customer: few steps
  // read them, and for a store's million customers that copy was half a gigabyte of
  // fresh memory in the read, dear on a virtual machine (docs/benchmarks.md). Read them
  // through LineQuantity and LineAmountMinor.
  std::vector<std::uint32_t> basket_read_begin;
  std::vector<std::int32_t> read_quantity;
  std::vector<std::int64_t> read_amount_minor;  // 0 when the file had no amount

  // Per product: its category id, or kNoCategory.
  std::vector<std::uint32_t> product_category;

  std::uint32_t customer_count() const { return customers.size(); }
  std::uint32_t product_count() const { return products.size(); }
  std::uint32_t basket_count() const { return static_cast<std::uint32_t>(basket_time.size()); }
  std::uint32_t BasketsOf(std::uint32_t customer) const {
    return customer_basket_begin[customer + 1] - customer_basket_begin[customer];
  }
  std::span<const std::uint32_t> ProductsIn(std::uint32_t basket) const {
    return {line_product.data() + basket_line_begin[basket],
            line_product.data() + basket_line_begin[basket + 1]};
  }
  // Of line `line` of basket `basket` (basket_line_begin[basket] <= line <
  // basket_line_begin[basket + 1]).
  std::int32_t LineQuantity(std::uint32_t basket, std::uint32_t line) const {
    return read_quantity[basket_read_begin[basket] + (line - basket_line_begin[basket])];
  }
  std::int64_t LineAmountMinor(std::uint32_t basket, std::uint32_t line) const {
    return read_amount_minor[basket_read_begin[basket] + (line - basket_line_begin[basket])];
  }
};

// Collects lines in any order and builds the history. Lines of one basket need not be
// adjacent; a basket belongs to the customer of its first line.
class HistoryBuilder {
 public:
  struct Line {
    std::string_view customer;
    std::string_view basket;
    std::string_view product;
    std::string_view category;  // empty: unknown
    std::int64_t timestamp = kNoTimestamp;
    std::int32_t quantity = 1;
    std::int64_t amount_minor = 0;
  };

  // Adds a line, or says why it cannot belong to the history (its basket is another
  // customer's, or was bought at another time, or its product is filed under another
  // category), leaving the builder as it was.
  std::optional<std::string> Add(const Line& line);

  // A line of a store's scan (Store::ScanPurchaseHistoryKeys): its purchase named by an
  // integer, a purchase's lines together, so a basket needs no dictionary and a customer
  // is looked up once a basket. Not to be mixed with Add in one builder. A line whose
  // product is filed under another category on an earlier line is dropped (the first
  // one seen stands), as Add refuses it.
  struct StoredLine {
    std::int64_t customer_id = 0;
    std::int64_t purchase_seq = 0;
    std::string_view product;
    std::string_view category;  // empty: unknown
    std::int64_t timestamp = kNoTimestamp;
    std::int32_t quantity = 1;
    std::int64_t amount_minor = 0;
  };
  // False when the line was dropped.
  bool AddStored(const StoredLine& line);

  // Room for about `lines` lines of `customers` customers, when the caller knows (the
  // nightly run: the night before's counts): growing by doubling, the staged lines of a
  // million customers were copied and their fresh pages cleared twice over.
  void Reserve(std::size_t lines, std::size_t customers);
  // Lays out the built history's products per line for the lines staged so far, within
  // the room Reserve set aside (none without it). Their fresh pages cost as much to clear
  // as the staging's, and Build ran alone when it cleared them all at once: called
  // between a scan's chunks, while the builder waits for the next, it clears them as
  // they come.
  void ClaimRoom();

  // Orders each customer's baskets by time (ties and files without time: by the first
  // line's position) and lays out the arrays. Customers are numbered in the order they
  // first appear, those of a store's scan (AddStored) in the order of their ids. The
  // builder is empty afterwards.
  TransactionHistory Build();

 private:
  // Puts a line's product, quantity and amount after the lines read before it.
  void Stage(std::uint32_t product, std::int32_t quantity, std::int64_t amount_minor);

  TransactionHistory history_;  // its read_ arrays filled as lines come
  IdDictionary basket_ids_;
  std::vector<std::uint32_t> basket_customer_;
  std::vector<std::int64_t> basket_time_;
  // The lines' products in the order read, laid out by customer at Build. Add's lines
  // of one basket may come apart, so each keeps its basket; AddStored's come together,
  // so each basket keeps its first line instead (one of the two is empty).
  std::vector<std::uint32_t> staged_product_;
  std::vector<std::uint32_t> staged_basket_;
  std::vector<std::uint32_t> basket_first_line_;
  // The previous line's basket and customer: a basket's lines come together in a store's
  // scan and in a file, and finding them again costs two hash lookups per line.
  std::string last_basket_, last_customer_;
  std::uint32_t last_basket_id_ = 0, last_customer_id_ = 0;
  // AddStored's: the customers by their store id, and the purchase of the previous line
  // kept (a basket is made at its purchase's first line kept).
  std::unordered_map<std::int64_t, std::uint32_t> stored_customers_;
  std::int64_t last_seq_ = 0;

  // AddStored's look-up of a line's product and of the category it is filed under: one
  // 64-byte slot a product holding both names, so a line costs one cache line where the
  // dictionaries' node maps cost three or four misses (most of the read's time above the
  // scan, docs/benchmarks.md). Open addressing, linear probing, at most half full. A
  // product whose SKU and category do not fit, or filed under no category yet, takes the
  // dictionaries' way.
  struct ProductSlot {
    static constexpr std::uint32_t kEmpty = std::numeric_limits<std::uint32_t>::max();
    static constexpr std::size_t kText = 58;
    std::uint32_t product = kEmpty;
    std::uint8_t sku_size = 0;
    std::uint8_t category_size = 0;  // 0: filed under no category
    char text[kText];                // the SKU, then the category's name
  };
  const ProductSlot* FindSlot(std::string_view sku) const;
  void PutSlot(std::uint32_t product);
  std::vector<ProductSlot> product_slots_;
  std::size_t slots_used_ = 0;
};

}  // namespace loyalty::server::targeting
