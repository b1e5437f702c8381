#include "targeting/campaign_offers.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <chrono>
#include <cmath>
#include <thread>
#include <unordered_map>

#include "targeting/coupon_terms.h"

namespace loyalty::server::targeting {
namespace {

constexpr double kSecondsPerDay = 86400.0;

// FNV-1a with a final avalanche (SplitMix64's): stable across builds and platforms,
// unlike std::hash, so a customer's group never changes with a new compiler.
std::uint64_t StableHash(std::string_view a, std::string_view b) {
  std::uint64_t hash = 14695981039346656037ull;
  const auto feed = [&](std::string_view text) {
    for (const char c : text) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ull;
    }
  };
  feed(a);
  feed(std::string_view("\0", 1));
  feed(b);
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ull;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebull;
  hash ^= hash >> 31;
  return hash;
}

// The (month, day) pairs of the `days` days starting at `from` (Unix seconds UTC).
std::bitset<13 * 32> DaysAhead(std::int64_t from, std::int64_t days) {
  using namespace std::chrono;
  std::bitset<13 * 32> window;
  const sys_days first = floor<std::chrono::days>(sys_seconds{seconds{from}});
  for (std::int64_t d = 0; d < std::min<std::int64_t>(days, 366); ++d) {
    const year_month_day date{first + std::chrono::days{d}};
    window.set(static_cast<unsigned>(date.month()) * 32 + static_cast<unsigned>(date.day()));
  }
  return window;
}

// Whether `day` falls in `window`; 29 February counts as the 28th in a year without it.
bool InWindow(const std::bitset<13 * 32>& window, MonthDay day) {
  if (window.test(day.month * 32 + day.day)) return true;
  return day.month == 2 && day.day == 29 && !window.test(2 * 32 + 29) && window.test(2 * 32 + 28);
}

MonthDay MonthDayOf(std::int64_t unix_seconds) {
  using namespace std::chrono;
  const year_month_day date{floor<std::chrono::days>(sys_seconds{seconds{unix_seconds}})};
  return {static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day())};
}

bool Matches(const domain::Campaign& campaign, const ProductFacts& product) {
  if (campaign.targets.empty()) return true;
  return std::any_of(campaign.targets.begin(), campaign.targets.end(), [&](const auto& target) {
    return target.target == domain::CouponTarget::kProduct ? target.value == product.sku
           : target.target == domain::CouponTarget::kCategory ? target.value == product.category
                                                               : true;
  });
}

// A new product a new_product_trial campaign may offer, with its category's trial rate.
struct TrialProduct {
  std::uint32_t product = 0;              // index into the products given
  std::uint32_t category = kNoCategory;   // the history's id of its category
  double trial_rate = 0;
};

std::vector<TrialProduct> NewProductsOf(const domain::Campaign& campaign,
                                        const TransactionHistory& history,
                                        const std::vector<ProductFacts>& products,
                                        const std::vector<std::int64_t>& first_sold,
                                        const CampaignRunOptions& options) {
  std::vector<TrialProduct> trials;
  const std::int64_t new_since = options.run_at - options.trial.new_within_days * 86'400;
  std::unordered_map<std::uint32_t, double> rates;
  for (std::uint32_t p = 0; p < products.size(); ++p) {
    const ProductFacts& product = products[p];
    if (product.price_minor <= 0 || !product.couponable) continue;
    bool named = false, in_category = false;
    for (const auto& target : campaign.targets) {
      named |= target.target == domain::CouponTarget::kProduct && target.value == product.sku;
      in_category |=
          target.target == domain::CouponTarget::kCategory && target.value == product.category;
    }
    const bool sold = p < history.product_count() && first_sold[p] != kNoTimestamp;
    if (!named && !(in_category && (!sold || first_sold[p] >= new_since))) continue;
    TrialProduct trial;
    trial.product = p;
    if (const auto category = history.categories.Find(product.category)) trial.category = *category;
    if (trial.category == kNoCategory) {
      trial.trial_rate = options.trial.default_trial_rate;
    } else if (const auto known = rates.find(trial.category); known != rates.end()) {
      trial.trial_rate = known->second;
    } else {
      trial.trial_rate = rates[trial.category] =
          MeasureTrialRate(history, trial.category, first_sold, options.run_at, options.trial).rate;
    }
    trials.push_back(trial);
  }
  return trials;
}

bool HasBought(const TransactionHistory& history, std::uint32_t customer, std::uint32_t product) {
  if (product >= history.product_count()) return false;
  for (std::uint32_t basket = history.customer_basket_begin[customer];
       basket < history.customer_basket_begin[customer + 1]; ++basket) {
    const auto in = history.ProductsIn(basket);
    if (std::find(in.begin(), in.end(), product) != in.end()) return true;
  }
  return false;
}

// What the history says of one customer's visits.
struct Visits {
  std::uint32_t count = 0;
  std::int64_t first_at = kNoTimestamp;
  std::int64_t last_at = kNoTimestamp;
  double mean_basket_minor = 0;

  std::optional<double> MeanGapDays() const {
    if (count < 2 || first_at == kNoTimestamp) return std::nullopt;
    return static_cast<double>(last_at - first_at) / kSecondsPerDay / (count - 1);
  }
};

Visits VisitsOf(const TransactionHistory& history, std::uint32_t customer) {
  Visits visits;
  const std::uint32_t begin = history.customer_basket_begin[customer];
  const std::uint32_t end = history.customer_basket_begin[customer + 1];
  visits.count = end - begin;
  if (visits.count == 0) return visits;
  visits.first_at = history.basket_time[begin];
  visits.last_at = history.basket_time[end - 1];
  std::int64_t spend = 0;
  for (std::uint32_t b = begin; b < end; ++b) spend += history.basket_amount_minor[b];
  visits.mean_basket_minor = static_cast<double>(spend) / visits.count;
  return visits;
}

// Whom a campaign of this kind is for, and with what lapse risk (win-back only).
struct Eligibility {
  bool eligible = false;
  double lapse_risk = 0;
};

// What planning a range of customers gives (PlanCampaigns), and its scratch. An offer's
// candidate is its index into offer_product, offer_terms, offer_probability and control.
struct PlanPart {
  std::vector<std::int64_t> eligible;  // per campaign; summed over the parts, not appended
  std::vector<KeptCandidate> next_visit_candidates;
  std::vector<OfferToAllocate> offers;
  std::vector<OfferToAllocate> priced_only;  // of campaigns the purchases issue
  std::vector<std::uint8_t> control;         // by offer's candidate index
  std::vector<std::uint32_t> offer_product;
  std::vector<CouponTerms> offer_terms;
  std::vector<double> offer_probability;
  // Scratch: one customer's offers for one campaign.
  std::vector<PricedOffer> best;
  std::vector<CouponTerms> best_terms;
  std::vector<std::uint32_t> best_product;
  std::vector<double> best_probability;

  // Moves `part`'s offers and candidates to the end of these, its candidate indices
  // shifted past these', and leaves it empty for the next range (its room kept).
  void Append(PlanPart& part) {
    const auto shift = static_cast<std::uint32_t>(offer_product.size());
    for (OfferToAllocate offer : part.offers) {
      offer.candidate += shift;
      offers.push_back(offer);
    }
    for (OfferToAllocate offer : part.priced_only) {
      offer.candidate += shift;
      priced_only.push_back(offer);
    }
    const auto append = [](auto& to, auto& from) {
      to.insert(to.end(), from.begin(), from.end());
      from.clear();
    };
    part.offers.clear();
    part.priced_only.clear();
    append(next_visit_candidates, part.next_visit_candidates);
    append(control, part.control);
    append(offer_product, part.offer_product);
    append(offer_terms, part.offer_terms);
    append(offer_probability, part.offer_probability);
  }
};

}  // namespace

bool IssuedAtPurchases(const domain::Campaign& campaign) {
  return campaign.kind == domain::CampaignKind::kNextVisit;
}

bool InControlGroup(const domain::Campaign& campaign, std::string_view customer_key) {
  return static_cast<std::int64_t>(StableHash(campaign.id, customer_key) % 10'000) <
         campaign.control_basis_points;
}

CampaignPlan PlanCampaigns(const TransactionHistory& history,
                           const std::vector<std::vector<ScoredProduct>>& recommendations,
                           const std::vector<ProductFacts>& products,
                           const CustomerFacts& customers,
                           const std::vector<domain::Campaign>& campaigns,
                           const std::vector<CampaignHistory>& already,
                           const CampaignRunOptions& options, const CandidateStream& stream) {
  CampaignPlan plan;
  plan.campaigns.resize(campaigns.size());
  const Timestamp run_at = FromUnixSeconds(options.run_at);

  std::vector<std::uint32_t> running;
  std::vector<CampaignBudget> budgets(campaigns.size());
  std::vector<std::bitset<13 * 32>> windows(campaigns.size());
  for (std::uint32_t k = 0; k < campaigns.size(); ++k) {
    const domain::Campaign& campaign = campaigns[k];
    CampaignRunSummary& summary = plan.campaigns[k];
    const CampaignHistory before = k < already.size() ? already[k] : CampaignHistory{};
    if (!campaign.RunsAt(run_at)) {
      summary.skipped_reason = campaign.paused ? "paused" : "not running on this date";
      continue;
    }
    if (campaign.target_segment && customers.segments.size() < history.customer_count()) {
      // Offering to everyone instead would spend the budget on customers the team did
      // not choose; better not to run until segments are computed.
      summary.skipped_reason = std::string("customer segments are not computed, so ") +
                               "target_segment " + domain::SegmentName(*campaign.target_segment) +
                               " cannot be applied";
      continue;
    }
    const double money_left = static_cast<double>(campaign.budget_minor) - before.spent_minor;
    const std::int64_t coupons_left =
        campaign.budget_coupons > 0 ? campaign.budget_coupons - before.issued : 0;
    if ((campaign.budget_minor > 0 && money_left < 1) ||
        (campaign.budget_coupons > 0 && coupons_left <= 0)) {
      summary.skipped_reason = "budget spent";
      continue;
    }
    budgets[k].budget_minor = campaign.budget_minor > 0 ? money_left : 0;
    budgets[k].budget_coupons = coupons_left;
    budgets[k].per_customer_cap = campaign.per_customer_cap;
    if (campaign.kind == domain::CampaignKind::kBirthday ||
        campaign.kind == domain::CampaignKind::kAnniversary) {
      windows[k] = DaysAhead(options.run_at, campaign.validity_days);
    }
    running.push_back(k);
  }

  std::vector<std::vector<std::int64_t>> grids(campaigns.size());
  std::vector<std::vector<TrialProduct>> trials(campaigns.size());
  std::vector<std::int64_t> first_sold;
  std::vector<double> category_shares;
  for (const std::uint32_t k : running) {
    grids[k] = DepthGrid(campaigns[k].discount_type, campaigns[k].min_depth,
                         campaigns[k].max_depth, options.depth_step_percent,
                         options.depth_step_minor);
    if (campaigns[k].kind != domain::CampaignKind::kNewProductTrial) continue;
    if (first_sold.empty()) {
      first_sold = FirstSoldAt(history);
      category_shares = CategoryBasketShares(history);
    }
    trials[k] = NewProductsOf(campaigns[k], history, products, first_sold, options);
  }
  // One customer's offers and candidates, into `part`.
  const auto plan_customer = [&](std::uint32_t c, PlanPart& part) {
    std::vector<PricedOffer>& best = part.best;
    std::vector<CouponTerms>& best_terms = part.best_terms;
    std::vector<std::uint32_t>& best_product = part.best_product;
    std::vector<double>& best_probability = part.best_probability;
    const Visits visits = VisitsOf(history, c);
    if (visits.count == 0 || c >= recommendations.size()) return;
    const double days_since =
        visits.last_at == kNoTimestamp
            ? 0
            : static_cast<double>(options.run_at - visits.last_at) / kSecondsPerDay;
    for (const std::uint32_t k : running) {
      const domain::Campaign& campaign = campaigns[k];
      if (c < customers.reachable.size() && !customers.reachable[c]) continue;
      if (campaign.target_segment && customers.segments[c] != *campaign.target_segment) continue;
      std::int64_t previous = 0;
      if (k < already.size()) {
        const auto& before = already[k].previous_offers;
        const auto found = std::lower_bound(
            before.begin(), before.end(), std::pair<std::uint32_t, std::int64_t>{c, 0});
        if (found != before.end() && found->first == c) previous = found->second;
      }
      const std::int64_t cap_left = std::max<std::int64_t>(1, campaign.per_customer_cap) - previous;
      if (cap_left <= 0) continue;
      Eligibility eligibility{true, 0};
      switch (campaign.kind) {
        case domain::CampaignKind::kWinBack: {
          const auto gap = visits.MeanGapDays();
          eligibility.eligible =
              gap && *gap > 0 && days_since >= options.win_back_min_overdue * *gap;
          eligibility.lapse_risk = LapseRisk(gap, days_since,
                                             static_cast<double>(campaign.validity_days));
          break;
        }
        case domain::CampaignKind::kBirthday: {
          const auto& birthday =
              c < customers.birthdays.size() ? customers.birthdays[c] : std::nullopt;
          eligibility.eligible = birthday && InWindow(windows[k], *birthday);
          break;
        }
        case domain::CampaignKind::kAnniversary: {
          if (visits.first_at == kNoTimestamp ||
              options.run_at - visits.first_at < options.anniversary_min_days * 86400) {
            eligibility.eligible = false;
            break;
          }
          const MonthDay first = MonthDayOf(visits.first_at);
          eligibility.eligible = InWindow(windows[k], first);
          break;
        }
        case domain::CampaignKind::kNextVisit:
        case domain::CampaignKind::kCategoryPush:
        case domain::CampaignKind::kNewProductTrial:
          break;  // anyone the model finds a target product for
      }
      if (!eligibility.eligible) continue;

      const CouponTerms terms = TermsOf(campaign);
      const std::vector<std::int64_t>& depths = grids[k];
      best.clear();
      best_terms.clear();
      best_product.clear();
      best_probability.clear();
      const auto consider = [&](std::uint32_t id, double probability, double reach) {
        const ProductFacts& product = products[id];
        OfferCandidate candidate;
        candidate.unit_price_minor = product.price_minor;
        candidate.margin_rate = product.margin_rate.value_or(options.default_margin_rate);
        candidate.probability = probability;
        candidate.reach = reach;
        candidate.lapse_risk = eligibility.lapse_risk;
        candidate.basket_margin_minor = static_cast<std::int64_t>(
            std::max(0.0, visits.mean_basket_minor - static_cast<double>(product.price_minor)) *
            options.default_margin_rate);
        candidate.usual_basket_minor = static_cast<std::int64_t>(visits.mean_basket_minor);
        const auto priced = BestCoupon(candidate, terms, depths, options.response);
        if (!priced) return;
        best.push_back(priced->priced);
        best_terms.push_back(priced->terms);
        best_product.push_back(id);
        best_probability.push_back(reach * probability);
      };
      if (campaign.kind == domain::CampaignKind::kNewProductTrial) {
        for (const TrialProduct& trial : trials[k]) {
          if (HasBought(history, c, trial.product)) continue;  // tried already
          const std::int64_t price = products[trial.product].price_minor;
          // A category nobody bought has no likely buyers to find.
          if (trial.category == kNoCategory) continue;
          const CategoryStanding standing = StandingIn(
              history, c, trial.category, category_shares[trial.category], price, options.trial);
          if (standing.affinity < options.trial.min_affinity) continue;
          consider(trial.product, trial.trial_rate * standing.price_fit, standing.reach);
        }
      } else {
        for (const ScoredProduct& scored : recommendations[c]) {
          const ProductFacts& product = products[scored.product];
          if (product.price_minor <= 0 || !product.couponable || !Matches(campaign, product)) {
            continue;
          }
          consider(scored.product, scored.probability, 1.0);
        }
      }
      if (best.empty()) continue;
      ++part.eligible[k];
      // Only the offers the customer could get from this campaign go on: memory stays at
      // a few offers per customer however long the model's list.
      std::vector<std::uint32_t> order(best.size());
      for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
      const std::size_t keep = std::min<std::size_t>(order.size(), static_cast<std::size_t>(cap_left));
      const auto better = [&](std::uint32_t a, std::uint32_t b) {
        const double va = best[a].ValueForCost(), vb = best[b].ValueForCost();
        return va != vb ? va > vb : best_product[a] < best_product[b];
      };
      std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(),
                        better);
      const bool held_out = InControlGroup(campaign, history.customers.Name(c));
      if (campaign.kind == domain::CampaignKind::kNextVisit) {
        const std::size_t kept = std::min(order.size(), options.next_visit_candidates);
        std::partial_sort(order.begin() + static_cast<std::ptrdiff_t>(keep),
                          order.begin() + static_cast<std::ptrdiff_t>(std::max(keep, kept)),
                          order.end(), better);
        for (std::size_t i = 0; i < kept; ++i) {
          part.next_visit_candidates.push_back(
              {c, k, best_product[order[i]], static_cast<float>(best_probability[order[i]])});
        }
      }
      // A campaign the purchases issue (IssuedAtPurchases) is priced here only for its
      // shadow price: its offers are allocated apart and never issued tonight.
      std::vector<OfferToAllocate>& to =
          IssuedAtPurchases(campaign) ? part.priced_only : part.offers;
      for (std::size_t i = 0; i < keep; ++i) {
        to.push_back({c, k, static_cast<std::uint32_t>(part.offer_product.size()), best[order[i]],
                      held_out});
        part.offer_product.push_back(best_product[order[i]]);
        part.offer_terms.push_back(best_terms[order[i]]);
        part.offer_probability.push_back(best_probability[order[i]]);
        part.control.push_back(held_out ? 1 : 0);
      }
    }
  };
  // The customers in waves of one range a thread, each planned into its own part, the
  // parts appended in customer order after each wave: the plan one thread makes, with a
  // wave's parts the only memory held twice.
  const std::uint32_t threads =
      options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  constexpr std::uint32_t kCustomersPerPart = 8192;
  std::vector<PlanPart> parts(threads);
  for (PlanPart& part : parts) part.eligible.assign(campaigns.size(), 0);
  PlanPart all;
  const auto customer_count = static_cast<std::uint32_t>(
      stream.order.empty() ? history.customer_count() : stream.order.size());
  for (std::uint32_t wave = 0; wave < customer_count; wave += threads * kCustomersPerPart) {
    const auto plan_range = [&](std::uint32_t t) {
      const std::uint32_t begin = std::min(customer_count, wave + t * kCustomersPerPart);
      const std::uint32_t end = std::min(customer_count, begin + kCustomersPerPart);
      for (std::uint32_t i = begin; i < end; ++i) {
        plan_customer(stream.order.empty() ? i : stream.order[i], parts[t]);
      }
    };
    std::vector<std::thread> pool;
    for (std::uint32_t t = 1; t < threads; ++t) pool.emplace_back(plan_range, t);
    plan_range(0);
    for (auto& thread : pool) thread.join();
    for (PlanPart& part : parts) all.Append(part);
    if (stream.take) {
      stream.take(all.next_visit_candidates);
      all.next_visit_candidates.clear();
    }
  }
  for (std::uint32_t k = 0; k < campaigns.size(); ++k) {
    for (const PlanPart& part : parts) plan.campaigns[k].eligible += part.eligible[k];
  }
  plan.next_visit_candidates = std::move(all.next_visit_candidates);
  std::vector<OfferToAllocate>& offers = all.offers;
  std::vector<OfferToAllocate>& priced_only = all.priced_only;
  const std::vector<std::uint8_t>& control = all.control;
  const std::vector<std::uint32_t>& offer_product = all.offer_product;
  const std::vector<CouponTerms>& offer_terms = all.offer_terms;
  const std::vector<double>& offer_probability = all.offer_probability;

  const Allocation allocation =
      AllocateBudgets(offers, budgets, history.customer_count(), options.per_customer_run_cap);
  for (const std::uint32_t i : allocation.accepted) {
    const OfferToAllocate& offer = offers[i];
    ChosenOffer chosen{offer.customer, offer.campaign, offer_product[offer.candidate], offer.priced,
                       control[offer.candidate] != 0, offer_terms[offer.candidate],
                       offer_probability[offer.candidate]};
    CampaignRunSummary& summary = plan.campaigns[offer.campaign];
    if (chosen.control) {
      ++summary.control;
    } else {
      ++summary.treated;
      summary.expected_cost_minor += offer.priced.expected_cost_minor;
      summary.expected_value_minor += offer.priced.expected_value_minor;
    }
    plan.offers.push_back(chosen);
  }
  // What the purchases' campaigns would buy if every eligible customer came at once: the
  // value for cost at which their budget runs out is the bar a purchase's offer must
  // clear, so the budget goes to the best offers over the campaign's life, not the first
  // shoppers' (scored_offer_planner.h).
  const Allocation at_purchases = AllocateBudgets(priced_only, budgets, history.customer_count(),
                                                  options.per_customer_run_cap);
  for (const std::uint32_t k : running) {
    plan.campaigns[k].shadow_price = IssuedAtPurchases(campaigns[k]) ? at_purchases.shadow_price[k]
                                                                     : allocation.shadow_price[k];
  }
  std::sort(plan.offers.begin(), plan.offers.end(), [](const ChosenOffer& a, const ChosenOffer& b) {
    if (a.customer != b.customer) return a.customer < b.customer;
    if (a.campaign != b.campaign) return a.campaign < b.campaign;
    return a.product < b.product;
  });
  return plan;
}

}  // namespace loyalty::server::targeting
