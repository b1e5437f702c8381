#include "api/portal_performance_handlers.h"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "api/portal_auth.h"
#include "api/portal_csv.h"
#include "api/portal_period.h"

namespace loyalty::server {
namespace {

// The figures a table can be ranked by, as the `sort` parameter names them.
enum class RankBy { kSales, kPurchases, kMeanBasket, kCardShare, kCouponsRedeemed };

Result<RankBy> SortParameter(const http::Request& request) {
  const auto it = request.query.find("sort");
  if (it == request.query.end() || it->second == "sales") return RankBy::kSales;
  if (it->second == "purchases") return RankBy::kPurchases;
  if (it->second == "mean_basket") return RankBy::kMeanBasket;
  if (it->second == "card_share") return RankBy::kCardShare;
  if (it->second == "coupons_redeemed") return RankBy::kCouponsRedeemed;
  return InvalidArgument("sort",
                         "must be sales, purchases, mean_basket, card_share or coupons_redeemed");
}

std::int64_t MeanBasketMinor(const SalesFigures& figures) {
  return figures.purchases == 0 ? 0 : MulDivRound(figures.sales_minor, 1, figures.purchases);
}

double Share(std::int64_t part, std::int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

// How often the shopper showed a card: purchases with one over all purchases.
double CardShare(const SalesFigures& figures) {
  return Share(figures.card_purchases, figures.purchases);
}

// True when `a` ranks above `b`. Shares compare as cross products, so equal shares tie.
bool RanksAbove(const SalesFigures& a, const SalesFigures& b, RankBy by) {
  switch (by) {
    case RankBy::kSales:
      return a.sales_minor > b.sales_minor;
    case RankBy::kPurchases:
      return a.purchases > b.purchases;
    case RankBy::kMeanBasket:
      return MeanBasketMinor(a) > MeanBasketMinor(b);
    case RankBy::kCardShare:  // counts of purchases: their products fit in 64 bits
      return a.card_purchases * b.purchases > b.card_purchases * a.purchases;
    case RankBy::kCouponsRedeemed:
      return a.coupons_redeemed > b.coupons_redeemed;
  }
  return false;
}

// Orders `rows` by `by`, highest first, ties by `key` (stable across calls).
template <typename Row, typename Key>
void Rank(std::vector<Row>& rows, RankBy by, Key key) {
  std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    if (RanksAbove(a.figures, b.figures, by)) return true;
    if (RanksAbove(b.figures, a.figures, by)) return false;
    return key(a) < key(b);
  });
}

nlohmann::json FiguresJson(const SalesFigures& figures) {
  return {{"purchases", figures.purchases},
          {"sales", figures.sales_minor},
          {"mean_basket", MeanBasketMinor(figures)},
          {"card_purchases", figures.card_purchases},
          {"card_share", CardShare(figures)},
          {"card_sales", figures.card_sales_minor},
          {"card_sales_share", Share(figures.card_sales_minor, figures.sales_minor)},
          {"coupons_redeemed", figures.coupons_redeemed},
          {"discount", figures.discount_minor}};
}

std::string Fraction(double share) {
  char text[16];
  std::snprintf(text, sizeof text, "%.4f", share);
  return text;
}

std::string FiguresCsv(const SalesFigures& figures, const std::string& currency) {
  return std::to_string(figures.purchases) + "," + CsvMoney(figures.sales_minor, currency) + "," +
         CsvMoney(MeanBasketMinor(figures), currency) + "," +
         std::to_string(figures.card_purchases) + "," + Fraction(CardShare(figures)) + "," +
         CsvMoney(figures.card_sales_minor, currency) + "," +
         Fraction(Share(figures.card_sales_minor, figures.sales_minor)) + "," +
         std::to_string(figures.coupons_redeemed) + "," +
         CsvMoney(figures.discount_minor, currency);
}

constexpr char kFiguresHeader[] =
    "purchases,sales,mean_basket,card_purchases,card_share,card_sales,card_sales_share,"
    "coupons_redeemed,discount";

// The stores ranked, then the cashiers grouped by store in the stores' order and ranked
// within each.
struct Ranked {
  std::vector<StorePerformance> stores;
  std::vector<std::vector<CashierPerformance>> cashiers;  // one list per entry of `stores`
};

Ranked RankAll(Performance performance, RankBy by) {
  Ranked ranked;
  ranked.stores = std::move(performance.stores);
  Rank(ranked.stores, by, [](const StorePerformance& row) { return row.store_id; });
  for (const auto& store : ranked.stores) {
    std::vector<CashierPerformance> own;
    for (const auto& cashier : performance.cashiers) {
      if (cashier.store_id == store.store_id) own.push_back(cashier);
    }
    Rank(own, by, [](const CashierPerformance& row) { return row.cashier_id; });
    ranked.cashiers.push_back(std::move(own));
  }
  return ranked;
}

Result<http::Response> PerformanceCsv(const Ranked& ranked, const std::string& currency,
                                      const http::Request& request) {
  const auto table = request.query.find("table");
  const std::string name = table == request.query.end() ? "stores" : table->second;
  std::string csv;
  if (name == "stores") {
    csv = std::string("rank,store_id,name,") + kFiguresHeader + ",returns,refunds,currency\r\n";
    for (std::size_t i = 0; i < ranked.stores.size(); ++i) {
      const auto& row = ranked.stores[i];
      csv += std::to_string(i + 1) + "," + CsvField(row.store_id) + "," + CsvField(row.name) + "," +
             FiguresCsv(row.figures, currency) + "," + std::to_string(row.returns) + "," +
             CsvMoney(row.refund_minor, currency) + "," + currency + "\r\n";
    }
  } else if (name == "cashiers") {
    csv = std::string("store_id,rank,cashier_id,") + kFiguresHeader + ",currency\r\n";
    for (std::size_t s = 0; s < ranked.stores.size(); ++s) {
      for (std::size_t i = 0; i < ranked.cashiers[s].size(); ++i) {
        const auto& row = ranked.cashiers[s][i];
        csv += CsvField(row.store_id) + "," + std::to_string(i + 1) + "," +
               CsvField(row.cashier_id.value_or("")) + "," + FiguresCsv(row.figures, currency) +
               "," + currency + "\r\n";
      }
    }
  } else {
    return InvalidArgument("table", "must be stores or cashiers");
  }
  return CsvResponse(std::move(csv), "performance-" + name + ".csv");
}

Result<http::Response> PerformanceHandler(Store& store, const http::Request& request,
                                          const PortalCaller& caller) {
  const auto period = ParsePortalPeriod(request, caller);
  if (!period.ok()) return period.error();
  const auto by = SortParameter(request);
  if (!by.ok()) return by.error();
  Performance performance;
  if (!period->sees_nothing) performance = store.LoadPerformance(period->query);
  const std::string currency = performance.currency;
  const Ranked ranked = RankAll(std::move(performance), *by);
  if (WantsCsv(request)) return PerformanceCsv(ranked, currency, request);

  nlohmann::json stores = nlohmann::json::array();
  nlohmann::json cashiers = nlohmann::json::array();
  for (std::size_t s = 0; s < ranked.stores.size(); ++s) {
    const auto& row = ranked.stores[s];
    auto json = FiguresJson(row.figures);
    json["rank"] = s + 1;
    json["store_id"] = row.store_id;
    json["name"] = row.name;
    json["returns"] = row.returns;
    json["refunds"] = row.refund_minor;
    stores.push_back(std::move(json));
    for (std::size_t i = 0; i < ranked.cashiers[s].size(); ++i) {
      const auto& cashier = ranked.cashiers[s][i];
      auto entry = FiguresJson(cashier.figures);
      entry["rank"] = i + 1;
      entry["store_id"] = cashier.store_id;
      entry["cashier_id"] =
          cashier.cashier_id ? nlohmann::json(*cashier.cashier_id) : nlohmann::json(nullptr);
      cashiers.push_back(std::move(entry));
    }
  }
  const auto sort = request.query.find("sort");
  return http::Response::Json(
      {{"days", period->days},
       {"utc_offset_minutes", period->utc_offset_minutes},
       {"from", FormatUtc(period->query.from)},
       {"scope", period->query.stores},
       {"sort", sort == request.query.end() ? std::string("sales") : sort->second},
       {"currency", currency},
       {"stores", std::move(stores)},
       {"cashiers", std::move(cashiers)}});
}

}  // namespace

void AddPortalPerformanceRoutes(http::Router& router, Store& store) {
  router.Add(http::Verb::get, "/portal/api/performance",
             PortalAuthenticated(
                 store, {PortalRole::kAdmin, PortalRole::kStoreManager, PortalRole::kAnalyst},
                 [&store](const http::Request& request, const PortalCaller& caller) {
                   return PerformanceHandler(store, request, caller);
                 }));
}

}  // namespace loyalty::server
