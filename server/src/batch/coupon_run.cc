#include "batch/coupon_run.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <ctime>
#include <future>
#include <limits>
#include <mutex>
#include <unordered_map>

#include "batch/candidate_writer.h"
#include "batch/customer_features_run.h"
#include "batch/customers_by_store_id.h"
#include "batch/history_read.h"
#include "batch/progress.h"
#include "loyalty/core/log.h"
#include "loyalty/core/name_based_uuid.h"
#include "loyalty/core/utf8.h"
#include "storage/packed_candidates.h"
#include "targeting/coupon_terms.h"
#include "targeting/option_tuning.h"
#include "targeting/rfm_segments.h"

namespace loyalty::server::batch {
namespace {

using Clock = std::chrono::steady_clock;

// About 30 ms of deleting a transaction (~3 us a row on SQLite): a purchase waits no
// longer than that for the writer.
constexpr std::size_t kCandidateRowsDroppedPerTransaction = 10'000;

// The seconds each phase took, by the wall clock and in CPU time of the whole process
// (every thread): on a machine shared with other work the wall clock says how long the
// night was, the CPU time what the run itself cost. Phases that run beside one another
// have their wall clocks only, and the stretch they share its CPU time.
class PhaseClock {
 public:
  struct Mark {
    Clock::time_point wall;
    double cpu = 0;
  };
  static Mark Now() { return {Clock::now(), CpuSeconds()}; }
  static double SecondsSince(const Mark& start) {
    return std::chrono::duration<double>(Clock::now() - start.wall).count();
  }
  void Stop(const char* phase, const Mark& start) {
    wall_[phase] = SecondsSince(start);
    cpu_[phase] = CpuSeconds() - start.cpu;
  }
  void Record(const char* phase, double wall_seconds) { wall_[phase] = wall_seconds; }
  void AddTo(nlohmann::json& summary) {
    summary["seconds"] = wall_;
    summary["cpu_seconds"] = cpu_;
  }

 private:
  static double CpuSeconds() {
    timespec now{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
  }
  nlohmann::json wall_ = nlohmann::json::object();
  nlohmann::json cpu_ = nlohmann::json::object();
};

// The namespace of the batch's coupon ids (a random UUID, fixed forever: changing it
// would make a rerun issue every coupon again).
const Uuid& CouponIdNamespace() {
  static const Uuid id = Uuid::Parse("0b6f3c1e-7d2a-4e58-9c41-6a1d5e2f8b93").value();
  return id;
}

std::optional<targeting::MonthDay> ParseMonthDay(const std::string& birthday) {
  // YYYY-MM-DD, checked when it was registered.
  if (birthday.size() != 10) return std::nullopt;
  unsigned month = 0, day = 0;
  const auto month_end = birthday.data() + 7, day_end = birthday.data() + 10;
  if (std::from_chars(birthday.data() + 5, month_end, month).ptr != month_end ||
      std::from_chars(birthday.data() + 8, day_end, day).ptr != day_end) {
    return std::nullopt;  // not as registration checks it: no birthday offer, no failed run
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  return targeting::MonthDay{month, day};
}

Status StillHeld(const CouponRunOptions& options) {
  return options.still_held ? options.still_held() : Status();
}

// Reports the model's phases, one meter per phase.
class PhaseProgress {
 public:
  PhaseProgress(std::ostream& out, bool interactive) : out_(out), interactive_(interactive) {}
  void operator()(std::string_view phase, std::size_t done, std::size_t total) {
    if (phase != phase_) {
      if (meter_) meter_->Finish(last_done_, last_done_);
      phase_ = std::string(phase);
      meter_ = std::make_unique<ProgressMeter>(out_, interactive_, phase_, total, "customers");
    }
    last_done_ = done;
    meter_->Update(done, done);
  }
  void Finish() {
    if (meter_) meter_->Finish(last_done_, last_done_);
    meter_.reset();
    phase_.clear();
  }

 private:
  std::ostream& out_;
  bool interactive_;
  std::string phase_;
  std::unique_ptr<ProgressMeter> meter_;
  std::size_t last_done_ = 0;
};

// The options the replay tuned at most `options.retune_days - 1` days before the run, and
// the date it tuned them, from the latest finished run's summary that holds them.
std::optional<std::pair<std::string, targeting::NextBasketOptions>> RecentTuning(
    Store& store, const CouponRunOptions& options, Timestamp cut_off) {
  if (!options.model.tune || options.retune) return std::nullopt;
  for (std::uint32_t days_before = 1; days_before < options.retune_days; ++days_before) {
    const std::string date = FormatUtc(cut_off - std::chrono::days(days_before)).substr(0, 10);
    const auto earlier = store.FindBatchRun(date);
    if (!earlier || !earlier->finished_at) continue;
    const nlohmann::json& model = earlier->summary.value("model", nlohmann::json::object());
    const auto tuned_on = model.find("tuned_on");
    const auto values = model.find("options");
    if (tuned_on == model.end() || !tuned_on->is_string() || values == model.end() ||
        !values->is_object()) {
      continue;
    }
    // A run tuned up to retune_days - 1 days ago still counts; older, tune again.
    const std::string& tuned_date = tuned_on->get_ref<const std::string&>();
    const auto tuned_at = ParseRunDate(tuned_date);
    if (!tuned_at.ok() ||
        ToUnixSeconds(cut_off) - *tuned_at >= std::int64_t{options.retune_days} * 86'400) {
      return std::nullopt;
    }
    targeting::NextBasketOptions reused = options.model;
    bool complete = true;
    for (const auto& [name, value] : targeting::TunedValues(reused)) {
      const auto stored = values->find(std::string(name));
      complete = complete && stored != values->end() && stored->is_number() &&
                 targeting::SetTunedValue(reused, name, stored->get<double>());
    }
    if (!complete) return std::nullopt;  // written by another version: tune again
    reused.tune = false;
    return std::make_pair(tuned_date, reused);
  }
  return std::nullopt;
}

// The history's size as the latest run of the week before counted it, with room to
// grow: the read makes room for that much at once. Nothing when no such run finished.
ExpectedHistory ExpectedFromRecentRun(Store& store, Timestamp cut_off) {
  for (int days_before = 1; days_before <= 7; ++days_before) {
    const auto earlier =
        store.FindBatchRun(FormatUtc(cut_off - std::chrono::days(days_before)).substr(0, 10));
    if (!earlier || !earlier->finished_at || !earlier->summary.is_object()) continue;
    const auto lines = earlier->summary.find("lines");
    const auto customers = earlier->summary.find("customers");
    if (lines == earlier->summary.end() || !lines->is_number_unsigned() ||
        customers == earlier->summary.end() || !customers->is_number_unsigned()) {
      continue;
    }
    // A quarter more: the lines' room only costs address space until it is written, and
    // running out at the end would copy everything once more. At most what a history
    // holds (32-bit offsets).
    constexpr std::size_t kMost = std::numeric_limits<std::uint32_t>::max();
    return {std::min(lines->get<std::size_t>() / 4 * 5, kMost),
            std::min(customers->get<std::size_t>() / 4 * 5, kMost)};
  }
  return {};
}

// Each product's part of a packed candidate line, made once, not for every candidate: its
// sku escaped, its price and margin written out.
std::vector<std::string> PackedProductParts(const CouponRunOptions& options,
                                            const std::vector<targeting::ProductFacts>& products) {
  std::vector<std::string> parts(products.size());
  for (std::size_t p = 0; p < products.size(); ++p) {
    parts[p] = PackedProductPart(
        {products[p].sku, products[p].price_minor,
         products[p].margin_rate.value_or(options.campaigns.default_margin_rate)});
  }
  return parts;
}

// The run's two threads tell each other to stop. The features and segments thread's
// failure (the lock lost, a broken store) stops the main thread's next write, so that no
// offer or candidate is stored after it; the main thread's failure stops the features
// and segments at their next write rather than after all of them.
class TwoThreads {
 public:
  explicit TwoThreads(const CouponRunOptions& options) : options_(options) {}
  // Each thread's `still_held`: the run's own, and then the other thread's failure.
  Status MainStillHeld() {
    if (auto held = StillHeld(options_); !held.ok()) return held;
    const std::lock_guard lock(mutex_);
    if (side_failure_) return *side_failure_;
    return Status();
  }
  Status SideStillHeld() {
    if (main_stopped_) {
      return Error{ErrorCode::kInternal, "the run stopped before its features were written",
                   "features"};
    }
    auto held = StillHeld(options_);
    if (!held.ok()) SideFailed(held.error());
    return held;
  }
  void SideFailed(const Error& error) {
    const std::lock_guard lock(mutex_);
    if (!side_failure_) side_failure_ = error;
  }
  void MainStopped() { main_stopped_ = true; }

 private:
  const CouponRunOptions& options_;
  std::mutex mutex_;
  std::optional<Error> side_failure_;
  std::atomic<bool> main_stopped_{false};
};

// What WriteProfiles stored, and how long each of its steps took.
struct ProfilesWritten {
  nlohmann::json features, segments;
  double features_seconds = 0, segments_seconds = 0;
};

// The customers' features (RefreshCustomerFeatures), then their segments with the
// lapse-risk band the features placed them in. Each step prints its line when it is
// done, among the lines of the model's meters.
Result<ProfilesWritten> WriteProfiles(Store& store, const targeting::TransactionHistory& history,
                                      const CustomersByStoreId& customers,
                                      const targeting::CustomerRfm& rfm, std::int64_t run_at,
                                      const CouponRunOptions& options, Timestamp cut_off,
                                      const std::function<Status()>& still_held,
                                      std::ostream& progress_out) {
  ProfilesWritten written;
  auto start = PhaseClock::Now();
  ProgressMeter features_meter(progress_out, options.interactive, "customer features",
                               history.customer_count(), "customers");
  std::vector<std::optional<LapseRiskBand>> bands;
  auto features =
      RefreshCustomerFeatures(store, history, customers, run_at, options.run_date, still_held,
                              &bands);
  if (!features.ok()) return features.error();
  const std::int64_t featured = features->value("customers", std::int64_t{0});
  features_meter.Finish(history.customer_count(), static_cast<std::uint64_t>(featured));
  written.features = std::move(*features);
  written.features_seconds = PhaseClock::SecondsSince(start);

  // Segments and bands are refreshed every night, whether or not a campaign runs: the
  // portal's filters and the campaigns' target segments read them.
  start = PhaseClock::Now();
  ProgressMeter segments_meter(progress_out, options.interactive, "segments",
                               history.customer_count(), "customers");
  std::vector<CustomerSegmentRow> rows;
  rows.reserve(history.customer_count());
  for (std::uint32_t c = 0; c < history.customer_count(); ++c) {
    rows.push_back({customers.StoreId(c), domain::SegmentName(rfm.segments[c]), bands[c]});
  }
  if (auto held = still_held(); !held.ok()) return held.error();
  if (auto stored = store.SetCustomerSegments(rows, cut_off); !stored.ok()) return stored.error();
  segments_meter.Finish(rows.size(), rows.size());
  written.segments = nlohmann::json::object();
  for (std::size_t i = 0; i < domain::kSegments.size(); ++i) {
    written.segments[domain::SegmentName(domain::kSegments[i])] = rfm.per_segment[i];
  }
  written.segments_seconds = PhaseClock::SecondsSince(start);
  return written;
}

}  // namespace

Result<std::int64_t> ParseRunDate(const std::string& text) {
  const auto midnight = ParseIso8601(text + "T00:00:00Z", "--date");
  if (text.size() != 10 || !midnight.ok()) {
    return InvalidArgument("--date", "must be a date as YYYY-MM-DD, not '" + text + "'");
  }
  return ToUnixSeconds(*midnight);
}

Result<nlohmann::json> RunCoupons(Store& store, const CouponRunOptions& options,
                                  std::ostream& progress_out) {
  const auto run_at = ParseRunDate(options.run_date);
  if (!run_at.ok()) return run_at.error();
  const Timestamp cut_off = FromUnixSeconds(*run_at);
  nlohmann::json summary = {{"date", options.run_date}};
  PhaseClock phases;

  // A finished date is done: planning it again from inputs that may have changed since
  // (late uploads from offline tills, an edited campaign, new prices) could pick other
  // customers and spend the budget twice. A run killed before it finished is resumed.
  if (const auto earlier = store.FindBatchRun(options.run_date); earlier && earlier->finished_at) {
    nlohmann::json done = earlier->summary;
    done["already_run"] = FormatUtc(*earlier->finished_at);
    return done;
  }
  if (auto started = store.StartBatchRun(options.run_date, Now()); !started.ok()) {
    return started.error();
  }
  std::vector<domain::Campaign> campaigns;
  for (auto& stored : store.ListCampaigns(cut_off)) campaigns.push_back(std::move(stored.campaign));

  // The candidates last night's run replaced are deleted while the history is read: the
  // store's writer has nothing else to do until the read ends (docs/benchmarks.md, "The
  // candidates a night replaces").
  const auto read_start = PhaseClock::Now();
  // Each one's own seconds too: the read waits for the slowest of the three.
  double drop_seconds = 0, prewarm_seconds = 0;
  std::future<Result<std::int64_t>> replaced = std::async(std::launch::async, [&] {
    auto dropped = store.DropReplacedNextVisitCandidates(kCandidateRowsDroppedPerTransaction);
    drop_seconds = PhaseClock::SecondsSince(read_start);
    return dropped;
  });
  // And the tables the run rewrites are read into the cache, in case the machine paged
  // them out since they were last used (docs/benchmarks.md, "Tables paged out").
  std::future<Result<std::int64_t>> prewarmed = std::async(std::launch::async, [&] {
    auto rows = store.PrewarmNightlyRewrites();
    prewarm_seconds = PhaseClock::SecondsSince(read_start);
    return rows;
  });
  // The history: every cardholder's lines before the date's midnight.
  std::size_t lines = 0;
  targeting::TransactionHistory history;
  {
    ProgressMeter meter(progress_out, options.interactive, "reading history", 0, "lines");
    auto read = ReadHistory(
        store, cut_off, [&](std::size_t so_far) { meter.Update(so_far, so_far); }, 4096,
        ExpectedFromRecentRun(store, cut_off));
    lines = read.lines;
    history = std::move(read.history);
    meter.Finish(lines, lines);
  }
  phases.Record("history", PhaseClock::SecondsSince(read_start));
  {
    auto dropped = replaced.get();
    if (!dropped.ok()) return dropped.error();
    summary["replaced_candidates_dropped"] = *dropped;
  }
  // Only a speed-up: without it, the writes read the same pages themselves.
  if (auto rows = prewarmed.get(); rows.ok()) {
    summary["prewarmed_rows"] = *rows;
  } else {
    log::Warn("tables not read ahead", {{"error", rows.error().message}});
    summary["prewarm_error"] = rows.error().message;
  }
  phases.Record("drop_replaced", drop_seconds);
  phases.Record("prewarm", prewarm_seconds);
  phases.Stop("read", read_start);
  summary["lines"] = lines;
  summary["customers"] = history.customer_count();

  // The customers' features and segments are written while the model fits, the campaigns
  // are planned and their offers stored: those two writes keep the store's writer busy,
  // the model the processor, and one after the other they took half the night
  // (docs/benchmarks.md, "Beside the model"). The plan needs only the RFM segments, which
  // that thread computes first: here, they would hold up the model by most of a second at
  // a million customers, when one processor is otherwise idle.
  const auto beside_start = PhaseClock::Now();
  const CustomersByStoreId by_store_id(history);
  targeting::CustomerFacts facts;
  targeting::CustomerRfm rfm;
  std::promise<void> rfm_promise;
  std::future<void> rfm_computed = rfm_promise.get_future();
  TwoThreads threads(options);
  const std::function<Status()> side_still_held = [&threads] { return threads.SideStillHeld(); };
  // The main thread's writes from here on ask through `main_options`.
  CouponRunOptions main_options = options;
  main_options.still_held = [&threads] { return threads.MainStillHeld(); };
  // Declared after everything it reads, so that however this function returns, it is
  // waited for before they go.
  std::future<Result<ProfilesWritten>> profiles = std::async(std::launch::async, [&] {
    try {
      rfm = targeting::ComputeRfm(history, *run_at);
      rfm_promise.set_value();
    } catch (...) {
      rfm_promise.set_exception(std::current_exception());
      throw;
    }
    auto written = WriteProfiles(store, history, by_store_id, rfm, *run_at, options, cut_off,
                                 side_still_held, progress_out);
    if (!written.ok()) threads.SideFailed(written.error());
    return written;
  });
  // Destroyed before the future: a return of the main thread (an error; after the future
  // was waited for it changes nothing) tells the features and segments to stop.
  struct StopSideOnReturn {
    TwoThreads& threads;
    ~StopSideOnReturn() { threads.MainStopped(); }
  } stop_side_on_return{threads};
  // Waits for them, once; a failure (the lock lost, a broken store) is the run's.
  const auto profiles_written = [&]() -> Status {
    if (!profiles.valid()) return Status();  // waited for already
    auto written = profiles.get();
    if (!written.ok()) return written.error();
    summary["features"] = std::move(written->features);
    summary["segments"] = std::move(written->segments);
    phases.Record("features", written->features_seconds);
    phases.Record("segments", written->segments_seconds);
    return Status();
  };

  if (campaigns.empty()) {
    summary["campaigns"] = nlohmann::json::array();
    if (auto written = profiles_written(); !written.ok()) return written.error();
    phases.Stop("after_read", beside_start);
    phases.AddTo(summary);
    if (auto held = StillHeld(options); !held.ok()) return held.error();
    if (auto finished = store.FinishBatchRun(options.run_date, summary, Now()); !finished.ok()) {
      return finished.error();
    }
    return summary;
  }

  // What earlier runs gave out, and how many offers each customer had of each campaign.
  const auto issued_before = store.CampaignIssuanceExcept(options.run_date);
  std::vector<targeting::CampaignHistory> already(campaigns.size());
  for (std::size_t k = 0; k < campaigns.size(); ++k) {
    const auto found = issued_before.find(campaigns[k].id);
    if (found == issued_before.end()) continue;
    already[k].spent_minor = found->second.spent_minor;
    already[k].issued = found->second.issued;
    for (const auto& [customer_id, count] : found->second.per_customer) {
      if (const auto id = by_store_id.Find(customer_id)) {
        already[k].previous_offers.emplace_back(*id, count);
      }
    }
    std::sort(already[k].previous_offers.begin(), already[k].previous_offers.end());
  }
  // Only a customer with an active card can be given a coupon; the others' history still
  // teaches the model.
  facts.reachable.assign(history.customer_count(), false);
  for (const std::int64_t customer_id : store.ListCardholders()) {
    if (const auto id = by_store_id.Find(customer_id)) {
      facts.reachable[*id] = true;
    }
  }

  // The model and every customer's list.
  const auto model_start = PhaseClock::Now();
  std::vector<std::vector<targeting::ScoredProduct>> recommendations;
  if (history.customer_count() > 0) {
    targeting::NextBasketOptions model_options = options.model;
    std::string tuned_on;
    if (auto recent = RecentTuning(store, options, cut_off)) {
      tuned_on = std::move(recent->first);
      model_options = std::move(recent->second);
    }
    PhaseProgress progress(progress_out, options.interactive);
    const auto model = targeting::NextBasketModel::Fit(history, model_options, std::ref(progress));
    // Only a customer with an active card can be offered anything (PlanCampaigns skips
    // the others), so only they are ranked.
    recommendations =
        model.RecommendAll(options.candidates_per_customer, std::ref(progress), facts.reachable);
    progress.Finish();
    if (model.tuned()) tuned_on = options.run_date;
    nlohmann::json used = nlohmann::json::object();
    for (const auto& [name, value] : targeting::TunedValues(model.options())) {
      used[std::string(name)] = value;
    }
    summary["model"] = {{"options", std::move(used)},
                        {"tuned_on", tuned_on.empty() ? nlohmann::json() : nlohmann::json(tuned_on)},
                        {"tuned_tonight", model.tuned()},
                        {"replay_recall", model.replay_recall()},
                        {"replay_ndcg", model.replay_ndcg()}};
  }
  phases.Record("model", PhaseClock::SecondsSince(model_start));

  // Facts the offers need: prices and names from the catalog, birthdays.
  const domain::Catalog catalog = store.LoadCatalog();
  std::unordered_map<std::string_view, const domain::Product*> by_sku;
  for (const auto& product : catalog.products) by_sku.emplace(product.sku, &product);
  std::vector<targeting::ProductFacts> products(history.product_count());
  for (std::uint32_t p = 0; p < history.product_count(); ++p) {
    products[p].sku = std::string(history.products.Name(p));
    const auto found = by_sku.find(products[p].sku);
    if (found == by_sku.end()) continue;  // price 0: never offered
    products[p].price_minor = found->second->price_minor;
    products[p].couponable = found->second->couponable;
    products[p].category = found->second->category;
  }
  // After them, the catalog's products nobody bought yet: a new_product_trial campaign
  // offers those (PlanCampaigns).
  for (const auto& product : catalog.products) {
    if (history.products.Find(product.sku)) continue;
    targeting::ProductFacts unsold;
    unsold.sku = product.sku;
    unsold.price_minor = product.price_minor;
    unsold.couponable = product.couponable;
    unsold.category = product.category;
    products.push_back(std::move(unsold));
  }
  facts.birthdays.resize(history.customer_count());
  for (const auto& [customer_id, birthday] : store.ListBirthdays()) {
    if (const auto id = by_store_id.Find(customer_id)) {
      facts.birthdays[*id] = ParseMonthDay(birthday);
    }
  }

  rfm_computed.get();
  facts.segments = rfm.segments;
  targeting::CampaignRunOptions run_options = options.campaigns;
  run_options.run_at = *run_at;
  run_options.threads = options.model.threads;
  const auto plan_start = PhaseClock::Now();
  // The next_visit campaigns' candidates, stored while the plan goes on. It plans the
  // customers in the order of the candidates table's key (a history read from the store
  // holds them in that order already: HistoryBuilder), since rows that arrive in another
  // land all over the table's index, and every transaction then rewrites most of its pages.
  std::vector<std::uint32_t> in_id_order;
  in_id_order.reserve(history.customer_count());
  for (const auto& [customer_id, customer] : by_store_id.in_id_order()) {
    in_id_order.push_back(customer);
  }
  CandidateWriter candidates(store, main_options, history, by_store_id,
                             PackedProductParts(options, products), campaigns);
  const targeting::CampaignPlan plan = targeting::PlanCampaigns(
      history, recommendations, products, facts, campaigns, already, run_options,
      {in_id_order, [&candidates](auto kept) { candidates.Take(kept); }});
  phases.Record("plan", PhaseClock::SecondsSince(plan_start));

  // Store the offers, a batch per transaction. plan.offers is by customer, then campaign,
  // so an offer's rank is its place in that run.
  const auto store_start = PhaseClock::Now();
  std::vector<RecordedOffers> recorded(campaigns.size());
  {
    ProgressMeter meter(progress_out, options.interactive, "storing offers", plan.offers.size(),
                        "offers");
    std::vector<CampaignOfferRecord> batch;
    std::vector<std::uint32_t> batch_campaign;
    const auto flush = [&]() -> Status {
      if (batch.empty()) return Status();
      if (auto held = StillHeld(main_options); !held.ok()) return held;
      // One call per campaign within the batch so each campaign's counts come back.
      for (std::uint32_t k = 0; k < campaigns.size(); ++k) {
        std::vector<CampaignOfferRecord> of_campaign;
        for (std::size_t i = 0; i < batch.size(); ++i) {
          if (batch_campaign[i] == k) of_campaign.push_back(std::move(batch[i]));
        }
        if (of_campaign.empty()) continue;
        auto stored = store.RecordCampaignOffers(of_campaign, Now());
        if (!stored.ok()) return stored.error();
        recorded[k].stored += stored->stored;
        recorded[k].already_present += stored->already_present;
        recorded[k].coupons_issued += stored->coupons_issued;
        recorded[k].without_card += stored->without_card;
        recorded[k].over_budget += stored->over_budget;
        recorded[k].over_cap += stored->over_cap;
      }
      batch.clear();
      batch_campaign.clear();
      return Status();
    };
    std::int64_t rank = 0;
    for (std::size_t i = 0; i < plan.offers.size(); ++i) {
      const targeting::ChosenOffer& chosen = plan.offers[i];
      rank = i > 0 && plan.offers[i - 1].customer == chosen.customer &&
                     plan.offers[i - 1].campaign == chosen.campaign
                 ? rank + 1
                 : 0;
      const domain::Campaign& campaign = campaigns[chosen.campaign];
      const targeting::ProductFacts& product = products[chosen.product];
      CampaignOfferRecord record;
      record.run_date = options.run_date;
      record.campaign_id = campaign.id;
      record.customer_id = by_store_id.StoreId(chosen.customer);
      record.offer_rank = rank;
      record.sku = product.sku;
      record.control = chosen.control;
      record.depth_percent = chosen.terms.depth;  // the campaign's unit: store.h
      record.discount_minor = chosen.priced.discount_minor;
      record.probability_with_coupon = chosen.priced.probability_with_coupon;
      record.expected_cost_minor = chosen.priced.expected_cost_minor;
      record.expected_value_minor = chosen.priced.expected_value_minor;
      record.probability = chosen.probability;
      if (!chosen.control) {
        domain::Coupon coupon;
        coupon.id = NameBasedUuid(CouponIdNamespace(),
                                  options.run_date + "/" + campaign.id + "/" +
                                      std::to_string(record.customer_id) + "/" +
                                      std::to_string(rank));
        coupon.customer_id = record.customer_id;
        coupon.campaign = campaign.id;
        const auto found = by_sku.find(product.sku);
        coupon.target = domain::CouponTarget::kProduct;
        coupon.target_value = product.sku;
        coupon.discount_type = chosen.terms.type;
        coupon.discount_value = chosen.terms.depth;
        coupon.buy_quantity = chosen.terms.buy_quantity;
        coupon.get_quantity = chosen.terms.get_quantity;
        coupon.max_discount_minor = campaign.max_discount_minor;
        coupon.min_spend_minor = campaign.min_spend_minor;
        coupon.title = TruncateUtf8(
            targeting::CouponTitle(coupon, found != by_sku.end() ? found->second->name : product.sku,
                        catalog.currency),
            domain::kMaxCouponTitleLength);
        coupon.currency = catalog.currency.code();
        coupon.issued_at = cut_off;
        coupon.expires_at = cut_off + std::chrono::days(campaign.validity_days);
        record.coupon = std::move(coupon);
      }
      batch.push_back(std::move(record));
      batch_campaign.push_back(chosen.campaign);
      if (batch.size() >= options.write_batch) {
        if (auto flushed = flush(); !flushed.ok()) return flushed.error();
      }
      meter.Update(i + 1, i + 1);
    }
    if (auto flushed = flush(); !flushed.ok()) return flushed.error();
    meter.Finish(plan.offers.size(), plan.offers.size());
  }
  if (auto kept = candidates.Finish(); !kept.ok()) return kept.error();
  // Then made current: a run killed before the switch leaves purchases on the previous
  // run's.
  if (auto held = StillHeld(main_options); !held.ok()) return held.error();
  for (std::size_t k = 0; k < campaigns.size(); ++k) {
    if (campaigns[k].kind != domain::CampaignKind::kNextVisit) continue;
    if (!plan.campaigns[k].skipped_reason.empty()) continue;
    if (auto set = store.SetNextVisitRun(campaigns[k].id, options.run_date,
                                         plan.campaigns[k].shadow_price, Now());
        !set.ok()) {
      return set.error();
    }
  }
  phases.Record("store", PhaseClock::SecondsSince(store_start));
  if (auto written = profiles_written(); !written.ok()) return written.error();
  // From the features' start to the later of the segments' end and the offers': the
  // stretch whose CPU time those phases share.
  phases.Stop("after_read", beside_start);

  nlohmann::json per_campaign = nlohmann::json::array();
  for (std::size_t k = 0; k < campaigns.size(); ++k) {
    const auto& run = plan.campaigns[k];
    nlohmann::json entry = {{"campaign", campaigns[k].id},
                            {"kind", domain::CampaignKindName(campaigns[k].kind)}};
    if (!run.skipped_reason.empty()) {
      entry["skipped"] = run.skipped_reason;
    } else {
      entry["issued_by"] = targeting::IssuedAtPurchases(campaigns[k]) ? "purchases" : "this run";
      entry.update({{"eligible", run.eligible},
                    {"treated", run.treated},
                    {"control", run.control},
                    {"expected_cost", run.expected_cost_minor},
                    {"expected_incremental_margin", run.expected_value_minor},
                    {"shadow_price", run.shadow_price},
                    {"stored", recorded[k].stored},
                    {"already_present", recorded[k].already_present},
                    {"coupons_issued", recorded[k].coupons_issued},
                    {"without_card", recorded[k].without_card},
                    {"over_budget", recorded[k].over_budget},
                    {"over_cap", recorded[k].over_cap}});
    }
    per_campaign.push_back(std::move(entry));
  }
  summary["campaigns"] = std::move(per_campaign);
  phases.AddTo(summary);
  if (auto held = StillHeld(options); !held.ok()) return held.error();
  if (auto finished = store.FinishBatchRun(options.run_date, summary, Now()); !finished.ok()) {
    return finished.error();
  }
  return summary;
}

}  // namespace loyalty::server::batch
