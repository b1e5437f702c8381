#include "bench/batch/synthetic_chain.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "loyalty/core/card_number.h"
#include "loyalty/core/money.h"
#include "loyalty/core/time.h"
#include "loyalty/domain/campaign.h"
#include "loyalty/sqlite/sqlite.h"
#include "storage/catalog_import.h"
#include "storage/open_store.h"
#include "targeting/next_visit_planner.h"

namespace loyalty::bench {
namespace {

constexpr int kStores = 20;
constexpr double kDay = 86'400;

// The catalog as the generator draws from it: products by popularity, and per category.
struct Catalog {
  std::vector<domain::Product> products;
  std::discrete_distribution<std::uint32_t> any_product;
  std::vector<std::uint32_t> category_of;  // product -> category
  std::discrete_distribution<std::uint32_t> any_category;  // by the popularity of its products
  std::vector<std::vector<std::uint32_t>> category_products;
  std::vector<std::discrete_distribution<std::uint32_t>> in_category;  // index into the above
};

Catalog LoadCatalog(const ChainOptions& options) {
  std::ifstream csv(options.catalog_csv);
  if (!csv) throw std::runtime_error("cannot read the catalog " + options.catalog_csv);
  auto read = server::ReadCatalogCsv(csv, Currency::FromCode("USD").value());
  if (!read.ok()) throw std::runtime_error(read.error().ToString());
  Catalog catalog;
  catalog.products = std::move(read->products);
  if (catalog.products.empty()) throw std::runtime_error("the catalog has no products");

  // Real popularity where the history knows the product; a small floor elsewhere, so
  // the long tail is bought now and then, as in a real store.
  std::unordered_map<std::string, double> sold;
  if (!options.popularity_csv.empty()) {
    std::ifstream history(options.popularity_csv);
    if (!history) throw std::runtime_error("cannot read " + options.popularity_csv);
    std::string line;
    std::getline(history, line);
    std::size_t column = 0;
    {
      std::istringstream header(line);
      std::string name;
      while (std::getline(header, name, ',') && name != "product_id") ++column;
    }
    while (std::getline(history, line)) {
      std::size_t start = 0;
      for (std::size_t i = 0; i < column && start != std::string::npos; ++i) {
        start = line.find(',', start);
        if (start != std::string::npos) ++start;
      }
      if (start == std::string::npos) continue;
      sold[line.substr(start, line.find(',', start) - start)] += 1;
    }
  }
  std::vector<double> weight(catalog.products.size());
  std::map<std::string, std::uint32_t> category_ids;
  for (std::size_t p = 0; p < catalog.products.size(); ++p) {
    const auto found = sold.find(catalog.products[p].sku);
    weight[p] = 0.2 + (found == sold.end() ? 0 : found->second);
    const auto [it, added] = category_ids.emplace(
        catalog.products[p].category, static_cast<std::uint32_t>(category_ids.size()));
    if (added) catalog.category_products.emplace_back();
    catalog.category_of.push_back(it->second);
    catalog.category_products[it->second].push_back(static_cast<std::uint32_t>(p));
  }
  catalog.any_product = {weight.begin(), weight.end()};
  std::vector<double> category_weight(catalog.category_products.size(), 0);
  for (std::size_t c = 0; c < catalog.category_products.size(); ++c) {
    std::vector<double> within;
    for (const std::uint32_t p : catalog.category_products[c]) {
      within.push_back(weight[p]);
      category_weight[c] += weight[p];
    }
    catalog.in_category.emplace_back(within.begin(), within.end());
  }
  catalog.any_category = {category_weight.begin(), category_weight.end()};
  return catalog;
}

struct Basket {
  std::int64_t at = 0;  // Unix seconds
  std::uint32_t customer = 0;
  std::uint32_t first_line = 0;
  std::uint16_t lines = 0;
  std::uint16_t store = 0;
};

struct Generated {
  std::vector<Basket> baskets;
  std::vector<std::uint32_t> line_product;
  std::vector<std::uint8_t> line_quantity;
};

// Basket size over the year: largest in the weeks before Christmas, smallest in early
// summer; a fifth larger at weekends.
double SeasonFactor(std::int64_t at) {
  const double day_of_year = std::fmod(static_cast<double>(at) / kDay, 365.2425);
  const double weekday = std::fmod(static_cast<double>(at) / kDay + 4, 7);  // 0: Sunday
  constexpr double kPi = 3.141592653589793;
  // Day 0 of the epoch year is 1 January; day 355 is 21 December.
  const double year = 1 + 0.15 * std::cos(2 * kPi * (day_of_year - 355) / 365.2425);
  return year * (weekday < 1 || weekday >= 6 ? 1.2 : 1.0);
}

Generated Generate(Catalog& catalog, const ChainOptions& options, std::int64_t end,
                   const ChainProgress& progress) {
  Generated out;
  const auto expected_lines =
      static_cast<std::size_t>(static_cast<double>(options.customers) * options.lines_per_customer);
  out.line_product.reserve(expected_lines + expected_lines / 8);
  out.line_quantity.reserve(expected_lines + expected_lines / 8);
  out.baskets.reserve(expected_lines / 5);
  constexpr double kLinesSigma = 0.8;
  const double lines_mu = std::log(options.lines_per_customer) - kLinesSigma * kLinesSigma / 2;
  std::vector<std::uint32_t> repertoire;
  std::vector<double> affinity;
  std::vector<std::int64_t> visits;
  for (std::int64_t c = 0; c < options.customers; ++c) {
    std::mt19937_64 rng(options.seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(c));
    std::uniform_real_distribution<double> unit(0, 1);
    const auto lognormal = [&](double median, double sigma) {
      return median * std::exp(sigma * std::normal_distribution<double>(0, 1)(rng));
    };
    // Taste: two to five favourite categories, most of the repertoire from them.
    std::vector<std::uint32_t> favourites(2 + rng() % 4);
    for (auto& category : favourites) category = catalog.any_category(rng);
    const auto size = static_cast<std::size_t>(std::clamp(lognormal(20, 0.5), 4.0, 150.0));
    repertoire.clear();
    affinity.clear();
    while (repertoire.size() < size) {
      std::uint32_t product;
      if (unit(rng) < 0.65) {
        const std::uint32_t category = favourites[rng() % favourites.size()];
        product = catalog.category_products[category][catalog.in_category[category](rng)];
      } else {
        product = catalog.any_product(rng);
      }
      if (std::find(repertoire.begin(), repertoire.end(), product) != repertoire.end()) continue;
      repertoire.push_back(product);
      const double u = unit(rng);
      affinity.push_back(0.05 + 0.7 * u * u);  // a few staples, many occasional buys
    }
    std::discrete_distribution<std::size_t> from_repertoire(affinity.begin(), affinity.end());
    const double basket_mean = std::clamp(lognormal(6, 0.5), 1.0, 40.0);
    const double own_lines = std::exp(lines_mu + kLinesSigma * std::normal_distribution<double>(0, 1)(rng));
    const auto visit_count = std::max<std::int64_t>(1, std::llround(own_lines / basket_mean));
    const double gap_days = std::clamp(lognormal(9, 0.6), 1.0, 90.0);
    const double explore = 0.1 + 0.2 * unit(rng);  // share of lines outside the repertoire
    const auto home = static_cast<std::uint16_t>(c % kStores);

    // Rhythm: back from the last visit, which is recent unless the customer lapsed.
    double last = static_cast<double>(end) -
                  (unit(rng) < 0.12 ? (30 + 150 * unit(rng)) * kDay
                                    : std::exponential_distribution<double>(1 / gap_days)(rng) * kDay);
    visits.clear();
    for (std::int64_t v = 0; v < visit_count; ++v) {
      // Shopping hours: 08:00 to 21:00 of the visit's day.
      const double day_start = std::floor(last / kDay) * kDay;
      visits.push_back(static_cast<std::int64_t>(day_start + (8 + 13 * unit(rng)) * 3600));
      last -= gap_days * std::exp(0.35 * std::normal_distribution<double>(0, 1)(rng)) * kDay;
    }
    std::reverse(visits.begin(), visits.end());
    for (const std::int64_t at : visits) {
      Basket basket;
      basket.at = at;
      basket.customer = static_cast<std::uint32_t>(c);
      basket.first_line = static_cast<std::uint32_t>(out.line_product.size());
      basket.store = unit(rng) < 0.9 ? home : static_cast<std::uint16_t>(rng() % kStores);
      const auto lines = std::clamp<std::int64_t>(
          std::poisson_distribution<std::int64_t>(basket_mean * SeasonFactor(at))(rng), 1, 200);
      for (std::int64_t l = 0; l < lines; ++l) {
        const std::uint32_t product = unit(rng) < explore ? catalog.any_product(rng)
                                                          : repertoire[from_repertoire(rng)];
        const auto basket_begin = out.line_product.begin() + basket.first_line;
        if (std::find(basket_begin, out.line_product.end(), product) != out.line_product.end()) {
          continue;  // one line per product and basket, as a till adds up quantities
        }
        const double q = unit(rng);
        out.line_product.push_back(product);
        out.line_quantity.push_back(q < 0.85 ? 1 : q < 0.97 ? 2 : 3);
      }
      basket.lines = static_cast<std::uint16_t>(out.line_product.size() - basket.first_line);
      out.baskets.push_back(basket);
    }
    if (progress && (c + 1) % 50'000 == 0) progress("generating customers", c + 1, options.customers);
  }
  // Stored in the order a chain's tills deliver them: by time.
  std::stable_sort(out.baskets.begin(), out.baskets.end(),
                   [](const Basket& a, const Basket& b) { return a.at < b.at; });
  return out;
}

std::string CardBody(std::int64_t customer) {
  std::string digits = std::to_string(customer);
  return "2" + std::string(11 - digits.size(), '0') + digits;
}

// Sets up the schema, products, stores and the campaign through the Store, as the
// server and portal would.
void PrepareThroughStore(const std::string& path, const Catalog& catalog, std::int64_t end,
                         const std::string& campaign_id, std::int64_t customers) {
  const server::TopCategoryPlanner planner;
  const auto key = crypto::SigningKey::Generate();
  auto store = server::OpenStore(server::ParseStoreUrl("sqlite://" + path, "path").value(),
                                 planner, key);
  if (auto imported = store->ImportProducts(catalog.products); !imported.ok()) {
    throw std::runtime_error(imported.error().ToString());
  }
  for (int s = 0; s < kStores; ++s) {
    const std::string id = "S" + std::to_string(101 + s);
    if (auto added = store->AddStore({id, "Store " + id, "USD"}); !added.ok()) {
      throw std::runtime_error(added.error().ToString());
    }
  }
  const Timestamp day_after = FromUnixSeconds(end + 1);
  // Personal next-visit offers within a budget that reaches about a fifth of the
  // customers: the whole chain is scored, the budget chooses.
  auto campaign = domain::CampaignFromJson(
      {{"id", campaign_id},
       {"name", "Next visit (benchmark)"},
       {"kind", "next_visit"},
       {"starts_at", FormatUtc(day_after - std::chrono::days(30))},
       {"ends_at", FormatUtc(day_after + std::chrono::days(30))},
       {"targets", nlohmann::json::array()},
       {"discount_type", "percent_off"},
       {"min_depth", 5},
       {"max_depth", 30},
       {"max_discount", 500},
       {"min_spend", 0},
       {"budget", customers * 100},
       {"budget_coupons", customers / 5},
       {"per_customer_cap", 1},
       {"validity_days", 14},
       {"control_basis_points", 1000},
       {"paused", false}});
  if (!campaign.ok()) throw std::runtime_error(campaign.error().ToString());
  if (auto created = store->CreateCampaign(*campaign, std::nullopt,
                                           day_after - std::chrono::days(31));
      !created.ok()) {
    throw std::runtime_error(created.error().ToString());
  }
}

void WriteRows(const std::string& path, const Catalog& catalog, const Generated& data,
               std::int64_t customers, const ChainProgress& progress) {
  sqlite::ConnectionOptions connection_options;
  connection_options.synchronous = "OFF";
  connection_options.cache_kib = 512 * 1024;
  sqlite::Connection db(path, connection_options);
  // A failed fill deletes the file, so nothing needs a journal meanwhile.
  db.Exec("PRAGMA journal_mode = OFF");
  // Drops the schema's objects of one type that `where` picks, giving back their SQL to
  // create them again.
  const auto drop = [&](const std::string& type, const std::string& where) {
    std::vector<std::pair<std::string, std::string>> dropped;
    auto& query = db.Prepared("SELECT name, sql FROM sqlite_master WHERE type = '" + type +
                              "' AND sql IS NOT NULL AND " + where);
    while (query.Step()) dropped.emplace_back(query.Text(0), query.Text(1));
    query.Reset();
    for (const auto& [name, sql] : dropped) db.Exec("DROP " + type + " " + name);
    return dropped;
  };
  // Secondary indexes are rebuilt once at the end: sorting once beats random inserts.
  const auto indexes =
      drop("index", "tbl_name IN ('customers', 'cards', 'purchases', 'purchase_lines')");
  // The triggers keeping each purchase's previous_purchase_at (migration 0020) look up the
  // customer's purchases by an index dropped above: a scan of the table per purchase. They
  // are left out of the load and their column filled once at the end, as 0020 did.
  const auto triggers = drop("trigger", "name LIKE 'purchases_previous_%'");

  // The customers' running figures as the purchase path would have kept them.
  struct CustomerTotals {
    std::int64_t visits = 0, spend = 0, first = 0, last = 0;
  };
  std::vector<CustomerTotals> totals(static_cast<std::size_t>(customers));
  std::vector<std::int64_t> basket_subtotal(data.baskets.size(), 0);
  for (std::size_t b = 0; b < data.baskets.size(); ++b) {
    const Basket& basket = data.baskets[b];
    for (std::uint32_t l = 0; l < basket.lines; ++l) {
      basket_subtotal[b] += data.line_quantity[basket.first_line + l] *
                            catalog.products[data.line_product[basket.first_line + l]].price_minor;
    }
    CustomerTotals& customer = totals[basket.customer];
    if (customer.visits++ == 0) customer.first = basket.at;
    customer.last = basket.at;
    customer.spend += basket_subtotal[b];
  }
  // Consistent by construction: the per-row key checks would only slow the load down.
  db.Exec("PRAGMA foreign_keys = OFF");
  db.Exec("BEGIN");
  for (std::int64_t c = 0; c < customers; ++c) {
    const CustomerTotals& customer = totals[static_cast<std::size_t>(c)];
    const std::int64_t id = c + 1;
    db.Prepared(
          "INSERT INTO customers(id, created_at, visits, total_spend_minor, first_visit_at,"
          " last_visit_at) VALUES (?, ?, ?, ?, ?, ?)")
        .Bind(1, id)
        .Bind(2, customer.first)
        .Bind(3, customer.visits)
        .Bind(4, customer.spend)
        .Bind(5, customer.first)
        .Bind(6, customer.last)
        .Run();
    // Three in a hundred cards blocked: their holders teach the model, get no coupon.
    db.Prepared("INSERT INTO cards(number, customer_id, status, issued_at) VALUES (?, ?, ?, ?)")
        .Bind(1, CardNumber::FromBody(CardBody(id)).value().digits())
        .Bind(2, id)
        .Bind(3, id % 100 < 3 ? "blocked" : "active")
        .Bind(4, customer.first)
        .Run();
  }
  constexpr std::int64_t kLinesPerTransaction = 200'000;
  std::int64_t lines_written = 0, since_commit = 0;
  for (std::size_t b = 0; b < data.baskets.size(); ++b) {
    const Basket& basket = data.baskets[b];
    const auto seq = static_cast<std::int64_t>(b + 1);
    const std::int64_t customer_id = static_cast<std::int64_t>(basket.customer) + 1;
    char id[48];  // room for any 64-bit seq, though 12 hex digits are used
    std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012llx",
                  static_cast<unsigned long long>(seq));
    db.Prepared(
          "INSERT INTO purchases(seq, id, customer_id, card_number, store_id, terminal_id,"
          " occurred_at, received_at, currency, subtotal_minor, discount_minor, total_minor,"
          " body_sha256) VALUES (?, ?, ?, ?, ?, 'T01', ?, ?, 'USD', ?, 0, ?, 'synthetic')")
        .Bind(1, seq)
        .Bind(2, std::string_view(id))
        .Bind(3, customer_id)
        .Bind(4, CardNumber::FromBody(CardBody(customer_id)).value().digits())
        .Bind(5, "S" + std::to_string(101 + basket.store))
        .Bind(6, basket.at)
        .Bind(7, basket.at + 5)
        .Bind(8, basket_subtotal[b])
        .Bind(9, basket_subtotal[b])
        .Run();
    for (std::uint32_t l = 0; l < basket.lines; ++l) {
      const domain::Product& sold = catalog.products[data.line_product[basket.first_line + l]];
      const std::int64_t quantity = data.line_quantity[basket.first_line + l];
      db.Prepared(
            "INSERT INTO purchase_lines(purchase_seq, line_no, customer_id, sku, category,"
            " known_sku, quantity, unit_price_minor, amount_minor)"
            " VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)")
          .Bind(1, seq)
          .Bind(2, static_cast<std::int64_t>(l))
          .Bind(3, customer_id)
          .Bind(4, sold.sku)
          .Bind(5, sold.category)
          .Bind(6, quantity)
          .Bind(7, sold.price_minor)
          .Bind(8, quantity * sold.price_minor)
          .Run();
    }
    lines_written += basket.lines;
    since_commit += basket.lines;
    if (since_commit >= kLinesPerTransaction) {
      db.Exec("COMMIT");
      db.Exec("BEGIN");
      since_commit = 0;
      if (progress) {
        progress("writing lines", lines_written, static_cast<std::int64_t>(data.line_product.size()));
      }
    }
  }
  db.Exec("COMMIT");
  if (progress) progress("building indexes", 0, static_cast<std::int64_t>(indexes.size()));
  for (const auto& [name, sql] : indexes) db.Exec(sql);
  db.Exec(
      "UPDATE purchases SET previous_purchase_at = w.previous FROM (SELECT seq,"
      " LAG(occurred_at) OVER (PARTITION BY customer_id ORDER BY occurred_at, seq) AS previous"
      " FROM purchases WHERE customer_id IS NOT NULL) AS w"
      " WHERE purchases.seq = w.seq AND w.previous IS NOT NULL");
  for (const auto& [name, sql] : triggers) db.Exec(sql);
  db.Exec("ANALYZE");
  db.Exec("PRAGMA journal_mode = WAL");
}

}  // namespace

nlohmann::json ChainFigures::ToJson() const {
  return {{"customers", customers}, {"lines", lines},       {"baskets", baskets},
          {"products", products},   {"campaign", campaign_id}};
}

ChainFigures ChainFigures::FromJson(const nlohmann::json& json) {
  ChainFigures figures;
  figures.customers = json.at("customers");
  figures.lines = json.at("lines");
  figures.baskets = json.at("baskets");
  figures.products = json.at("products");
  figures.campaign_id = json.at("campaign");
  return figures;
}

ChainFigures WriteSyntheticChain(const std::string& path, const ChainOptions& options,
                                 const ChainProgress& progress) {
  if (options.customers < 1 || options.customers > 99'999'999'999) {
    throw std::invalid_argument("customers: must be from 1 to 99999999999");
  }
  const auto last_day = ParseIso8601(options.last_day + "T00:00:00Z", "last_day");
  if (!last_day.ok()) throw std::invalid_argument(last_day.error().ToString());
  const std::int64_t end = ToUnixSeconds(*last_day) + 86'399;
  if (progress) progress("loading the catalog", 0, 1);
  Catalog catalog = LoadCatalog(options);  // drawing from a distribution changes it
  const Generated data = Generate(catalog, options, end, progress);
  ChainFigures figures;
  figures.customers = options.customers;
  figures.lines = static_cast<std::int64_t>(data.line_product.size());
  figures.baskets = static_cast<std::int64_t>(data.baskets.size());
  figures.products = static_cast<std::int64_t>(catalog.products.size());
  figures.campaign_id = "bench-next-visit";
  if (progress) progress("products, stores and the campaign through the store", 0, 1);
  PrepareThroughStore(path, catalog, end, figures.campaign_id, options.customers);
  WriteRows(path, catalog, data, options.customers, progress);
  return figures;
}

}  // namespace loyalty::bench
