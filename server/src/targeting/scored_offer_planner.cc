#include "targeting/scored_offer_planner.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "loyalty/core/utf8.h"
#include "targeting/campaign_offers.h"
#include "targeting/coupon_terms.h"

namespace loyalty::server {
namespace {

bool Holds(const CustomerProfile& profile, const std::string& sku, const std::string& category) {
  return std::any_of(profile.live_coupons.begin(), profile.live_coupons.end(),
                     [&](const domain::Coupon& coupon) {
                       return (coupon.target == domain::CouponTarget::kProduct &&
                               coupon.target_value == sku) ||
                              (coupon.target == domain::CouponTarget::kCategory &&
                               coupon.target_value == category);
                     });
}

// The campaign may discount the product (its targets, as edited since the nightly run).
bool Allows(const domain::Campaign& campaign, const std::string& sku,
            const std::string& category) {
  if (campaign.targets.empty()) return true;
  return std::any_of(campaign.targets.begin(), campaign.targets.end(), [&](const auto& target) {
    return target.target == domain::CouponTarget::kProduct    ? target.value == sku
           : target.target == domain::CouponTarget::kCategory ? target.value == category
                                                               : true;
  });
}

// What a campaign can still give, as the greedy choice spends it.
struct Room {
  const NextVisitCampaign* state = nullptr;
  double money_left = 0;       // meaningful when the campaign has a money budget
  std::int64_t count_left = 0;  // meaningful when it has a count budget
  std::int64_t cap_left = 0;
  bool control = false;

  bool Fits(double cost) const {
    const domain::Campaign& campaign = state->campaign;
    if (cap_left <= 0) return false;
    if (campaign.budget_minor > 0 && cost > money_left) return false;
    if (campaign.budget_coupons > 0 && count_left <= 0) return false;
    return true;
  }
  void Take(double cost) {
    --cap_left;
    if (control) return;  // a held-out offer spends nothing
    money_left -= cost;
    --count_left;
  }
};

struct Option {
  std::size_t campaign = 0;  // index into profile.campaigns
  const NextVisitCandidate* candidate = nullptr;
  targeting::CouponTerms terms;  // at the chosen depth
  targeting::PricedOffer priced;
  double probability = 0;  // p0 after this purchase
};

domain::Coupon CouponFor(const CustomerProfile& profile, const CardNumber& card,
                         const domain::Campaign& campaign, Timestamp now) {
  domain::Coupon coupon;
  coupon.customer_id = profile.customer_id;
  coupon.card_number = card.digits();
  coupon.campaign = campaign.id;
  coupon.discount_type = domain::DiscountType::kPercentOff;
  coupon.min_spend_minor = campaign.min_spend_minor;
  coupon.currency = profile.currency;
  coupon.issued_at = now;
  coupon.expires_at = now + std::chrono::days(campaign.validity_days);
  return coupon;
}

}  // namespace

ScoredOfferPlanner::ScoredOfferPlanner(ScoredOfferOptions options)
    : options_(options), fallback_(options.fallback) {}

std::vector<domain::Coupon> ScoredOfferPlanner::Plan(const CustomerProfile& profile,
                                                     const CardNumber& card,
                                                     Timestamp now) const {
  std::vector<domain::Coupon> coupons;
  for (auto& offer : PlanOffers(profile, card, now)) {
    if (!offer.control) coupons.push_back(std::move(offer.coupon));
  }
  return coupons;
}

std::vector<PlannedOffer> ScoredOfferPlanner::PlanOffers(const CustomerProfile& profile,
                                                         const CardNumber& card,
                                                         Timestamp now) const {
  if (!WouldIssue(profile)) return {};
  if (profile.campaigns.empty()) return fallback_.PlanOffers(profile, card, now);

  std::vector<Room> rooms(profile.campaigns.size());
  std::map<std::string, std::size_t> by_id;
  for (std::size_t k = 0; k < profile.campaigns.size(); ++k) {
    const NextVisitCampaign& state = profile.campaigns[k];
    rooms[k] = {&state,
                static_cast<double>(state.campaign.budget_minor) - state.spent_minor,
                state.campaign.budget_coupons - state.issued,
                state.campaign.per_customer_cap - state.customer_offers,
                targeting::InControlGroup(state.campaign, std::to_string(profile.customer_id))};
    by_id.emplace(state.campaign.id, k);
  }
  // The purchase's, for the amounts titles print; the purchase was validated, so the
  // fallback only keeps a hand-made profile from failing.
  const auto parsed_currency = Currency::FromCode(profile.currency);
  const Currency currency = parsed_currency.ok() ? *parsed_currency : Currency::Usd();
  std::size_t live = profile.live_coupons.size();
  std::vector<PlannedOffer> offers;
  const auto room_for_more = [&] {
    return offers.size() < options_.max_per_purchase && live < options_.fallback.max_live_coupons;
  };

  // Candidates of campaigns that no longer run (paused, ended) are not in `campaigns`.
  std::vector<Option> options;
  bool has_candidates = false;
  for (const NextVisitCandidate& candidate : profile.candidates) {
    const auto found = by_id.find(candidate.campaign_id);
    if (found == by_id.end()) continue;
    const domain::Campaign& campaign = profile.campaigns[found->second].campaign;
    has_candidates = true;
    if (!Allows(campaign, candidate.sku, candidate.category)) continue;
    if (Holds(profile, candidate.sku, candidate.category)) continue;
    double keep = 1.0;
    if (std::find(profile.basket_skus.begin(), profile.basket_skus.end(), candidate.sku) !=
        profile.basket_skus.end()) {
      const double due = candidate.gap_visits > 0 ? std::min(1.0, 1.0 / candidate.gap_visits) : 0;
      keep = std::max(0.0, 1.0 - options_.just_bought_weight * (1.0 - due));
    }
    if (keep <= 0) continue;
    // Stocked up, the shopper both needs it less and is less moved by a coupon for it.
    targeting::CouponResponse response = options_.response;
    response.conversion_per_percent *= keep;
    response.max_conversion *= keep;
    targeting::OfferCandidate economics;
    economics.unit_price_minor = candidate.unit_price_minor;
    economics.margin_rate = candidate.margin_rate;
    economics.probability = candidate.probability * keep;
    // Priced as the nightly run prices it, whatever the campaign's discount type (the
    // units a minimum spend or a buy-x-get-y makes the shopper buy, the cap, the till's
    // rounding), so the day's cost and the night's shadow price are in the same terms.
    const auto best = targeting::BestCoupon(
        economics, targeting::TermsOf(campaign),
        targeting::DepthGrid(campaign.discount_type, std::max<std::int64_t>(1, campaign.min_depth),
                             campaign.max_depth, options_.depth_step_percent,
                             options_.depth_step_minor),
        response);
    if (!best) continue;
    // The night's coupons were bought at the shadow price; the day's must be worth as much.
    if (best->priced.ValueForCost() <= profile.campaigns[found->second].shadow_price) continue;
    options.push_back(
        {found->second, &candidate, best->terms, best->priced, economics.probability});
  }
  std::sort(options.begin(), options.end(), [](const Option& a, const Option& b) {
    const double va = a.priced.ValueForCost(), vb = b.priced.ValueForCost();
    return va != vb ? va > vb : a.candidate->sku < b.candidate->sku;
  });
  for (const Option& option : options) {
    if (!room_for_more()) break;
    Room& room = rooms[option.campaign];
    if (!room.Fits(option.priced.expected_cost_minor)) continue;
    if (std::any_of(offers.begin(), offers.end(), [&](const PlannedOffer& taken) {
          return taken.coupon.target_value == option.candidate->sku;
        })) {
      continue;  // one coupon per product, whichever campaign
    }
    room.Take(option.priced.expected_cost_minor);
    const domain::Campaign& campaign = room.state->campaign;
    PlannedOffer offer;
    offer.coupon = CouponFor(profile, card, campaign, now);
    offer.coupon.target = domain::CouponTarget::kProduct;
    offer.coupon.target_value = option.candidate->sku;
    offer.coupon.discount_type = option.terms.type;
    offer.coupon.discount_value = option.terms.depth;
    offer.coupon.buy_quantity = option.terms.buy_quantity;
    offer.coupon.get_quantity = option.terms.get_quantity;
    offer.coupon.max_discount_minor = campaign.max_discount_minor;
    offer.coupon.title = TruncateUtf8(
        targeting::CouponTitle(offer.coupon, option.candidate->name, currency),
        domain::kMaxCouponTitleLength);
    offer.campaign_id = campaign.id;
    offer.control = room.control;
    offer.depth_percent = option.priced.depth_percent;
    offer.discount_minor = option.priced.discount_minor;
    offer.probability = option.probability;
    offer.probability_with_coupon = option.priced.probability_with_coupon;
    offer.expected_cost_minor = option.priced.expected_cost_minor;
    offer.expected_value_minor = option.priced.expected_value_minor;
    if (!offer.control) ++live;
    offers.push_back(std::move(offer));
  }
  if (has_candidates) return offers;

  // No candidates yet: the top category, within the first campaign (by id) that allows it.
  for (const CategoryStat& stat : profile.categories) {
    if (!room_for_more()) break;
    if (Holds(profile, "", stat.category)) continue;
    for (std::size_t k = 0; k < profile.campaigns.size(); ++k) {
      const domain::Campaign& campaign = profile.campaigns[k].campaign;
      // A campaign for one segment waits for the nightly run to place the customer.
      if (campaign.target_segment) continue;
      const bool allowed =
          campaign.targets.empty() ||
          std::any_of(campaign.targets.begin(), campaign.targets.end(), [&](const auto& target) {
            return target.target == domain::CouponTarget::kCategory && target.value == stat.category;
          });
      if (!allowed) continue;
      // The campaign's own kind of coupon (coupon_terms.h), as the nightly run issues it.
      targeting::CouponTerms terms = targeting::TermsOf(campaign);
      const std::int64_t min_depth = std::max<std::int64_t>(1, campaign.min_depth);
      switch (terms.type) {
        case domain::DiscountType::kPercentOff:
        case domain::DiscountType::kBuyXGetY:
          terms.depth = std::clamp(options_.fallback.percent_off, min_depth,
                                   std::max(min_depth, campaign.max_depth));
          break;
        case domain::DiscountType::kAmountOff:
          // No price to weigh a larger amount against: the smallest the campaign allows.
          terms.depth = min_depth;
          break;
        case domain::DiscountType::kFreeItem:
          // A free item is one of the campaign's products (campaign.cc refuses a free-item
          // campaign without them), so no category fallback is allowed by one: skipped
          // rather than issuing a category coupon no till could apply.
          continue;
      }
      const bool percent = terms.type == domain::DiscountType::kPercentOff ||
                           terms.type == domain::DiscountType::kBuyXGetY;
      const std::int64_t cap = campaign.max_discount_minor > 0
                                   ? campaign.max_discount_minor
                                   : options_.fallback.max_discount_minor;
      // Without the product's price or the customer's odds, the budget is charged the
      // most the coupon can give away: an amount off its amount (within the cap), another
      // its cap; with no cap, what the depth (a free item: the whole of it) takes off the
      // customer's mean basket, at least one minor unit, so it is never free.
      const double mean_basket = static_cast<double>(profile.MeanBasketMinor());
      double cost = 0;
      if (terms.type == domain::DiscountType::kAmountOff) {
        cost = static_cast<double>(cap > 0 ? std::min(cap, terms.depth) : terms.depth);
      } else if (cap > 0) {
        cost = static_cast<double>(cap);
      } else {
        cost = std::max(
            1.0, percent ? mean_basket * static_cast<double>(terms.depth) / 100.0 : mean_basket);
      }
      Room& room = rooms[k];
      if (!room.Fits(cost)) continue;
      room.Take(cost);
      PlannedOffer offer;
      offer.coupon = CouponFor(profile, card, campaign, now);
      offer.coupon.target = domain::CouponTarget::kCategory;
      offer.coupon.target_value = stat.category;
      offer.coupon.discount_type = terms.type;
      offer.coupon.discount_value = terms.depth;
      offer.coupon.buy_quantity = terms.buy_quantity;
      offer.coupon.get_quantity = terms.get_quantity;
      offer.coupon.max_discount_minor = cap;
      offer.coupon.title =
          TruncateUtf8(targeting::CouponTitle(offer.coupon, stat.category, currency),
                       domain::kMaxCouponTitleLength);
      offer.campaign_id = campaign.id;
      offer.control = room.control;
      offer.depth_percent = percent ? terms.depth : 0;
      offer.discount_minor = terms.type == domain::DiscountType::kAmountOff ? terms.depth : cap;
      offer.expected_cost_minor = cost;
      if (!offer.control) ++live;
      offers.push_back(std::move(offer));
      break;
    }
  }
  return offers;
}

}  // namespace loyalty::server
