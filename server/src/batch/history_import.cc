#include "batch/history_import.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "batch/progress.h"
#include "loyalty/core/card_number.h"
#include "loyalty/core/name_based_uuid.h"
#include "loyalty/domain/purchase.h"
#include "targeting/transaction_history.h"

namespace loyalty::server::batch {
namespace {

using targeting::LineProblem;

// The namespace of imported purchase ids (NameBasedUuid): any fixed UUID, never to change,
// or a re-import would store every basket again under new ids.
const Uuid& ImportNamespace() {
  static const Uuid id = Uuid::Parse("5d3c0a52-8f0e-4c1b-9a57-2b8f4e6d7c11").value();
  return id;
}

// The till's terminal id on imported purchases, so reports can tell them apart.
constexpr char kImportTerminal[] = "import";

// ImportProducts takes this many products per transaction.
constexpr std::size_t kProductChunk = 1000;
// CustomersForImportedIds takes this many ids per transaction.
constexpr std::uint32_t kCustomerChunk = 1000;

struct StagedLine {
  std::uint32_t product = 0;
  std::optional<std::int32_t> quantity;
  std::optional<std::int64_t> amount_minor;
  std::size_t line = 0;
};

struct StagedBasket {
  std::uint32_t customer = 0;
  std::string basket_id;
  std::optional<std::int64_t> timestamp;
  std::vector<StagedLine> lines;
};

// What the file says of a product, for one the catalog lacks: the first name and
// category given, and the first price paid.
struct ProductSeen {
  std::string name;
  std::string category;
  std::optional<std::int64_t> unit_price_minor;
};

// Everything read from the file, grouped by basket in the order baskets first appear.
struct StagedFile {
  bool customer_is_card = false;
  targeting::IdDictionary customers;  // the other system's ids, or card numbers
  targeting::IdDictionary products;
  std::vector<ProductSeen> seen;  // by product id
  std::vector<StagedBasket> baskets;
};

std::int64_t RoundedDivision(std::int64_t amount, std::int64_t quantity) {
  const std::int64_t half = quantity / 2;
  return amount >= 0 ? (amount + half) / quantity : (amount - half) / quantity;
}

class Importer {
 public:
  Importer(Store& store, const ImportOptions& options,
           const std::function<void(const LineProblem&)>& problems, std::ostream& progress_out)
      : store_(store), options_(options), problems_(problems), progress_out_(progress_out) {}

  Result<ImportSummary> Run(std::istream& input) {
    auto shop = store_.FindStore(options_.store_id);
    if (!shop.ok()) return shop.error();
    auto currency = Currency::FromCode(shop->currency);
    if (!currency.ok()) return currency.error();
    currency_ = *currency;
    if (auto status = Read(input); !status.ok()) return status.error();
    if (auto status = AddProducts(); !status.ok()) return status.error();
    if (auto status = MapCustomers(); !status.ok()) return status.error();
    Record();
    return summary_;
  }

 private:
  void Problem(std::size_t line, std::string reason) {
    ++summary_.bad_lines;
    problems_(LineProblem{line, std::move(reason)});
  }

  Status Read(std::istream& input) {
    ProgressMeter meter(progress_out_, options_.interactive, "reading", options_.input_bytes,
                        "lines");
    std::unordered_map<std::string, std::uint32_t> basket_index;
    bool refusing = false;  // on_problem hears of a line on_line refused: already counted
    const auto header = targeting::ForEachHistoryLine(
        input, currency_,
        [&](const targeting::HistoryCsvLine& line) -> std::optional<std::string> {
          ++summary_.lines;
          if (summary_.lines % 1024 == 0) {
            meter.Update(static_cast<std::uint64_t>(std::max<std::streamoff>(0, input.tellg())),
                         summary_.lines);
          }
          auto reason = Stage(line, basket_index);
          refusing = reason.has_value();
          return reason;
        },
        [&](LineProblem problem) {
          if (!refusing) ++summary_.lines;
          refusing = false;
          Problem(problem.line, std::move(problem.reason));
        });
    if (!header.ok()) return header.error();
    file_.customer_is_card = header->customer_is_card;
    meter.Finish(options_.input_bytes, summary_.lines);
    return {};
  }

  // Files a good line under its basket; the reason when it cannot belong there.
  std::optional<std::string> Stage(const targeting::HistoryCsvLine& line,
                                   std::unordered_map<std::string, std::uint32_t>& basket_index) {
    const std::uint32_t customer = file_.customers.Intern(line.customer);
    // A basket is one customer's: two customers' baskets with one id are two baskets,
    // as their purchase ids are (see PurchaseId).
    std::string key = std::to_string(customer);
    key += '\x1f';
    key += line.basket;
    auto [found, added] =
        basket_index.try_emplace(std::move(key), static_cast<std::uint32_t>(file_.baskets.size()));
    if (added) {
      file_.baskets.push_back({customer, std::string(line.basket), line.timestamp, {}});
    }
    StagedBasket& basket = file_.baskets[found->second];
    if (basket.timestamp != line.timestamp) {
      return "timestamp: differs from the basket's first line (line " +
             std::to_string(basket.lines.empty() ? line.line : basket.lines.front().line) + ")";
    }
    if (basket.lines.size() >= domain::kMaxPurchaseLines) {
      return "basket_id: basket " + basket.basket_id + " has more than " +
             std::to_string(domain::kMaxPurchaseLines) + " lines";
    }
    const std::uint32_t product = file_.products.Intern(line.product);
    if (product == file_.seen.size()) file_.seen.emplace_back();
    ProductSeen& seen = file_.seen[product];
    if (seen.name.empty() && line.product_name) seen.name = *line.product_name;
    if (seen.category.empty() && line.category) seen.category = *line.category;
    if (!seen.unit_price_minor && line.amount_minor && line.quantity.value_or(1) > 0) {
      seen.unit_price_minor = RoundedDivision(*line.amount_minor, line.quantity.value_or(1));
    }
    basket.lines.push_back({product, line.quantity, line.amount_minor, line.line});
    return std::nullopt;
  }

  // Products the catalog lacks join it when the file names or files them; the lines of
  // the others are refused in Record.
  Status AddProducts() {
    const domain::Catalog catalog = store_.LoadCatalog();
    std::unordered_map<std::string_view, const domain::Product*> by_sku;
    for (const auto& product : catalog.products) by_sku.emplace(product.sku, &product);
    catalog_price_.assign(file_.products.size(), std::nullopt);
    std::vector<domain::Product> added;
    for (std::uint32_t id = 0; id < file_.products.size(); ++id) {
      const std::string_view sku = file_.products.Name(id);
      if (const auto found = by_sku.find(sku); found != by_sku.end()) {
        catalog_price_[id] = found->second->price_minor;
        continue;
      }
      const ProductSeen& seen = file_.seen[id];
      if (seen.name.empty() && seen.category.empty()) continue;
      domain::Product product;
      product.sku = std::string(sku);
      // Shown on receipts and in the portal: the SKU is better than nothing.
      product.name = seen.name.empty() ? product.sku : seen.name;
      product.category = seen.category;
      product.price_minor = std::clamp<std::int64_t>(seen.unit_price_minor.value_or(0), 0,
                                                     domain::kMaxUnitPriceMinor);
      catalog_price_[id] = product.price_minor;
      added.push_back(std::move(product));
    }
    for (std::size_t begin = 0; begin < added.size(); begin += kProductChunk) {
      const std::vector<domain::Product> chunk(
          added.begin() + static_cast<std::ptrdiff_t>(begin),
          added.begin() +
              static_cast<std::ptrdiff_t>(std::min(added.size(), begin + kProductChunk)));
      auto imported = store_.ImportProducts(chunk);
      if (!imported.ok()) return imported.error();
    }
    summary_.products_created = added.size();
    return {};
  }

  // Our customer for each of the other system's ids; cards are left to the store, which
  // makes a card's customer on its first purchase, as at a till.
  //
  // An imported customer gets no card: a card number is printed on plastic the shopper
  // holds, and one made up here would be held by nobody, yet could be printed on a real
  // card later and give its holder this customer's history. The store needs none: a
  // purchase may name its customer (RecordHistoricalPurchaseAsync), and the chain gives
  // the customer a card when they sign up at a till (Store::AddCard).
  Status MapCustomers() {
    customer_ids_.assign(file_.customers.size(), std::nullopt);
    const Timestamp now = Now();
    if (file_.customer_is_card) {
      for (std::uint32_t id = 0; id < file_.customers.size(); ++id) {
        const auto card = CardNumber::Parse(file_.customers.Name(id));
        if (!card.ok()) return card.error();  // checked by the reader already
        const auto lookup = store_.LookupCard(*card, now);
        // A blocked card still has its customer, whom its history joins.
        if (lookup.ok() && !lookup->customer) ++summary_.customers_created;
      }
      return {};
    }
    for (std::uint32_t begin = 0; begin < file_.customers.size(); begin += kCustomerChunk) {
      std::vector<std::string> source_ids;
      const std::uint32_t end =
          std::min<std::uint32_t>(file_.customers.size(), begin + kCustomerChunk);
      for (std::uint32_t id = begin; id < end; ++id) {
        source_ids.emplace_back(file_.customers.Name(id));
      }
      auto mapped = store_.CustomersForImportedIds(source_ids, now);
      if (!mapped.ok()) return mapped.error();
      for (std::uint32_t id = begin; id < end; ++id) {
        const auto& customer = (*mapped)[id - begin];
        customer_ids_[id] = customer.id;
        if (customer.created) ++summary_.customers_created;
      }
    }
    return {};
  }

  // The same customer and basket make the same id in every run: a re-import is a replay.
  Uuid PurchaseId(const StagedBasket& basket) const {
    std::string name = file_.customer_is_card ? "card_number:" : "customer_id:";
    name += file_.customers.Name(basket.customer);
    name += '\n';
    name += basket.basket_id;
    return NameBasedUuid(ImportNamespace(), name);
  }

  // The purchase a basket makes, without the lines of unknown products (reported).
  std::optional<domain::Purchase> BuildPurchase(const StagedBasket& basket, std::size_t index) {
    domain::Purchase purchase;
    purchase.id = PurchaseId(basket);
    purchase.store_id = options_.store_id;
    purchase.terminal_id = kImportTerminal;
    purchase.currency = currency_;
    if (file_.customer_is_card) {
      purchase.card = CardNumber::Parse(file_.customers.Name(basket.customer)).value();
    }
    purchase.occurred_at =
        basket.timestamp
            ? FromUnixSeconds(*basket.timestamp)
            : options_.undated_at -
                  std::chrono::seconds(static_cast<std::int64_t>(file_.baskets.size() - index));
    for (const StagedLine& staged : basket.lines) {
      const auto& price = catalog_price_[staged.product];
      if (!price) {
        Problem(staged.line, "product_id: unknown product " +
                                 std::string(file_.products.Name(staged.product)) +
                                 ", and no product_name or category to add it to the catalog");
        continue;
      }
      domain::PurchaseLine line;
      line.sku = std::string(file_.products.Name(staged.product));
      line.quantity = staged.quantity.value_or(1);
      // The amount paid is the fact the other system recorded (after its discounts);
      // the unit price is what it comes to per item.
      line.amount_minor = staged.amount_minor.value_or(
          domain::LineAmountMinor(line.quantity, *price, std::nullopt));
      line.unit_price_minor = staged.amount_minor && line.quantity > 0
                                  ? RoundedDivision(*staged.amount_minor, line.quantity)
                                  : *price;
      purchase.total_minor += line.amount_minor;
      purchase.lines.push_back(std::move(line));
    }
    if (purchase.lines.empty()) return std::nullopt;
    return purchase;
  }

  // Queues every basket in the store, a bounded number at a time, so the group-commit
  // writer takes many per transaction.
  void Record() {
    struct Answers {
      std::mutex mutex;
      std::condition_variable changed;
      std::size_t in_flight = 0;
      std::size_t done = 0;
      std::size_t stored = 0;
      std::size_t replayed = 0;
      std::vector<LineProblem> refused;
    } answers;
    ProgressMeter meter(progress_out_, options_.interactive, "storing", file_.baskets.size(),
                        "baskets");
    const Timestamp now = Now();
    for (std::size_t index = 0; index < file_.baskets.size(); ++index) {
      const StagedBasket& basket = file_.baskets[index];
      auto purchase = BuildPurchase(basket, index);
      if (!purchase) continue;
      ++summary_.baskets;
      {
        std::unique_lock lock(answers.mutex);
        answers.changed.wait(lock, [&] { return answers.in_flight < options_.max_in_flight; });
        ++answers.in_flight;
        meter.Update(answers.done, answers.done);
      }
      const std::size_t first_line = basket.lines.front().line;
      std::string basket_id = basket.basket_id;
      store_.RecordHistoricalPurchaseAsync(
          std::move(*purchase), customer_ids_[basket.customer], now,
          [&answers, first_line, basket_id](Result<RecordedPurchase> recorded) {
            std::lock_guard lock(answers.mutex);
            --answers.in_flight;
            ++answers.done;
            if (!recorded.ok()) {
              answers.refused.push_back(
                  {first_line, "basket_id: basket " + basket_id + ": " + recorded.error().message});
            } else if (recorded->replay) {
              ++answers.replayed;
            } else {
              ++answers.stored;
            }
            answers.changed.notify_all();
          });
    }
    store_.Flush();
    std::unique_lock lock(answers.mutex);
    answers.changed.wait(lock, [&] { return answers.in_flight == 0; });
    meter.Finish(answers.done, answers.done);
    summary_.stored = answers.stored;
    summary_.already_present = answers.replayed;
    summary_.refused = answers.refused.size();
    std::sort(answers.refused.begin(), answers.refused.end(),
              [](const LineProblem& a, const LineProblem& b) { return a.line < b.line; });
    for (auto& problem : answers.refused) problems_(problem);
  }

  Store& store_;
  const ImportOptions& options_;
  const std::function<void(const LineProblem&)>& problems_;
  std::ostream& progress_out_;
  Currency currency_ = Currency::Usd();
  StagedFile file_;
  std::vector<std::optional<std::int64_t>> catalog_price_;  // by product id; none: unknown
  std::vector<std::optional<std::int64_t>> customer_ids_;   // by customer id; none: by card
  ImportSummary summary_;
};

}  // namespace

Result<ImportSummary> ImportHistory(Store& store, std::istream& input, const ImportOptions& options,
                                    const std::function<void(const LineProblem&)>& problems,
                                    std::ostream& progress_out) {
  return Importer(store, options, problems, progress_out).Run(input);
}

}  // namespace loyalty::server::batch
