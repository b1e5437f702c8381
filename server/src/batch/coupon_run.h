// `loyalty-batch coupons`: the nightly run. For one date it reads every cardholder's
// purchases before that date's midnight (UTC) from the store, refreshes every customer's
// RFM segment (targeting/rfm_segments.h), fits the next-basket model, chooses each
// running campaign's offers within its budget with a held-out control
// group (targeting/campaign_offers.h), and stores them: the treated ones issue their
// coupon, the held-out ones are recorded so the report can compare. Each batch is stored
// against the campaigns' spend as it stands then, under their lock (Store::
// RecordCampaignOffers): what purchases spent while the run planned is not spent again.
// A percent-off next_visit campaign is issued at the purchases: the run keeps its
// candidates and shadow price and issues none of its coupons.
//
// Idempotent per date and resumable: the history is cut at the date's midnight, so a
// second run sees the same purchases and makes the same choice, and every offer is
// keyed by (date, campaign, customer, rank) with a coupon id derived from that key, so
// what an earlier or killed run stored is found and left alone, never issued twice.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "loyalty/core/result.h"
#include "storage/store.h"
#include "targeting/campaign_offers.h"
#include "targeting/next_basket_model.h"

namespace loyalty::server::batch {

struct CouponRunOptions {
  std::string run_date;  // YYYY-MM-DD
  targeting::NextBasketOptions model;
  targeting::CampaignRunOptions campaigns;  // run_at is set from run_date
  std::size_t candidates_per_customer = 20;  // the model's list the campaigns choose from
  std::size_t write_batch = 2000;            // offers per transaction
  // Next-visit candidates per transaction: ten per customer and campaign, so at a chain's
  // scale they are most of what the run writes, and a commit (an fsync) per 2,000 rows
  // was most of their cost. 100,000 candidates are some 10,000 rows, 6 MB: as much as
  // one of the features' transactions (20,000 rows), which purchases arriving meanwhile
  // wait out alike; at 20,000 the million customers' candidates took 420 commits.
  std::size_t candidate_write_batch = 100'000;
  // The replay's tuning is the dearest part of the model and the options it picks move
  // slowly with the data, so a run reuses the options a run of the last `retune_days`
  // days tuned (stored in that run's summary, "model") and only calibrates; `retune`
  // tunes tonight whatever is stored. Only when model.tune: options a person gave stand.
  std::uint32_t retune_days = 7;
  bool retune = false;
  bool interactive = false;                  // stderr is a terminal: progress redrawn
  // Asked before each step that writes (each part of the features, the segments, each
  // batch of offers and candidates, the finish); a failure stops the run there. The
  // features and segments are written on a thread of their own while the rest runs, so
  // it is called from two threads at once. The command line passes its RunLock's
  // StillHeld, so a run that lost its lock to another stops writing. Empty: not asked.
  std::function<Status()> still_held;
};

// Runs the date and returns its summary (also stored with the run): per campaign
// who issues it ("this run" or "purchases"), eligible, treated, control, expected cost and
// value, offers stored now and found from an earlier run, coupons issued, offers left out
// because others spent the budget or the customer's cap meanwhile (over_budget,
// over_cap); and the seconds each phase took. Progress goes to `progress_out` from two
// threads, each line whole (ProgressMeter): nothing else may write to it meanwhile.
Result<nlohmann::json> RunCoupons(Store& store, const CouponRunOptions& options,
                                  std::ostream& progress_out);

// "2026-12-04" -> that day's midnight UTC, Unix seconds; kInvalidArgument naming --date.
Result<std::int64_t> ParseRunDate(const std::string& text);

}  // namespace loyalty::server::batch
