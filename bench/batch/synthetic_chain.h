// A synthetic grocery chain for the nightly batch's scale benchmark: the real product
// catalog (data/completejourney/products.csv), its products as popular as they are in
// the Complete Journey history, and customers who each have their own
//   taste       a few favourite categories and a repertoire of products, most of them
//               from those categories, each with its own chance of being in a basket;
//   rhythm      a typical number of days between visits, jittered visit to visit, some
//               customers lapsed weeks before the end;
//   basket size a typical size, larger at weekends and towards Christmas, smaller in
//               summer (seasonality over the year).
// Written straight into a SQLite store through its schema (customers, cards, purchases,
// purchase lines, one running next-visit campaign) in large transactions: the purchase
// path and `loyalty-batch import` store a line at a time, far too slowly for 30M lines.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace loyalty::bench {

struct ChainOptions {
  std::int64_t customers = 250'000;
  double lines_per_customer = 30;  // mean; a customer's own is lognormal around it
  std::uint64_t seed = 1;
  std::string catalog_csv;   // products.csv of the real catalog
  std::string popularity_csv;  // a history whose product_id counts set popularity; may be ""
  std::string last_day = "2026-12-03";  // the last day with purchases (UTC)
};

// What was written: customers, lines, baskets, products, the campaign's id.
struct ChainFigures {
  std::int64_t customers = 0;
  std::int64_t lines = 0;
  std::int64_t baskets = 0;
  std::int64_t products = 0;
  std::string campaign_id;
  nlohmann::json ToJson() const;
  static ChainFigures FromJson(const nlohmann::json& json);
};

// Called now and then while generating and writing: phase, done, total.
using ChainProgress = std::function<void(const char* phase, std::int64_t done, std::int64_t total)>;

// Fills the SQLite file at `path`, which must not exist yet. Throws on any failure.
ChainFigures WriteSyntheticChain(const std::string& path, const ChainOptions& options,
                                 const ChainProgress& progress);

}  // namespace loyalty::bench
