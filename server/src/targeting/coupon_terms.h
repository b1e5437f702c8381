// A campaign's coupon as the shopper gets it, shared by the nightly run (campaign_offers,
// batch/coupon_run) and the per-purchase planner (scored_offer_planner), so a campaign's
// coupons read and are priced alike whichever of them issued one.
#pragma once

#include <string>

#include "loyalty/core/money.h"
#include "loyalty/domain/campaign.h"
#include "loyalty/domain/coupon.h"
#include "targeting/offer_economics.h"

namespace loyalty::server::targeting {

// The coupon a campaign issues, before its depth is chosen (BestCoupon chooses it).
CouponTerms TermsOf(const domain::Campaign& campaign);

// What the shopper reads on the receipt and the till: "15% off MILK", "1.50 off MILK",
// "Buy 2 get 1 free: MILK", "Free MILK with 30.00" (amounts as receipts print them).
std::string CouponTitle(const domain::Coupon& coupon, const std::string& product,
                        const Currency& currency);

}  // namespace loyalty::server::targeting
