#include "targeting/next_basket_model.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <numeric>
#include <thread>

#include "targeting/option_tuning.h"
#include "targeting/ranking_metrics.h"

namespace loyalty::server::targeting {
namespace {

// Runs work(index, scratch) for every index in [0, count) on `threads` threads, each
// with its own scratch, handing out chunks so slow customers do not hold a thread back.
template <typename ScratchFactory, typename Work>
void ParallelFor(std::size_t count, std::uint32_t threads, ScratchFactory make_scratch, Work work,
                 const ProgressFunction& progress, std::string_view phase) {
  constexpr std::size_t kChunk = 256;
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::mutex progress_mutex;
  const std::size_t report_every = std::max<std::size_t>(count / 10, kChunk);
  const auto worker = [&] {
    auto scratch = make_scratch();
    for (;;) {
      const std::size_t begin = next.fetch_add(kChunk);
      if (begin >= count) return;
      const std::size_t end = std::min(count, begin + kChunk);
      for (std::size_t i = begin; i < end; ++i) work(i, scratch);
      const std::size_t finished = done.fetch_add(end - begin) + (end - begin);
      if (progress && finished / report_every != (finished - (end - begin)) / report_every) {
        const std::lock_guard lock(progress_mutex);
        progress(phase, finished, count);
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::uint32_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
}

// End of the customer's baskets the model may look at: all of them, less the last
// `held_out` when it is fitted for the replay.
std::uint32_t UsedBasketEnd(const TransactionHistory& history, std::uint32_t customer,
                            std::uint32_t held_out) {
  const std::uint32_t begin = history.customer_basket_begin[customer];
  const std::uint32_t end = history.customer_basket_begin[customer + 1];
  return end - std::min(held_out, end - begin);
}

// Whether two sets of options build the same customer vectors and repeat factors.
bool SameVectors(const NextBasketOptions& a, const NextBasketOptions& b) {
  return a.groups == b.groups && a.within_decay == b.within_decay &&
         a.group_decay == b.group_decay && a.rhythm_weight == b.rhythm_weight &&
         a.repeat_weight == b.repeat_weight;
}

// Buyers' worth of evidence a product's repeat rate starts from (the mean of all products).
constexpr double kRepeatPrior = 10;

}  // namespace

NextBasketModel NextBasketModel::Fit(const TransactionHistory& history,
                                     const NextBasketOptions& options,
                                     const ProgressFunction& progress) {
  NextBasketModel model(history, options);
  // The replay comes first, so the model is built once, with the options it chose.
  model.Replay(progress);
  model.Build(0, progress);
  return model;
}

std::uint32_t NextBasketModel::Threads() const {
  if (options_.threads > 0) return options_.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

void NextBasketModel::Build(std::uint32_t held_out, const ProgressFunction& progress) {
  held_out_ = held_out;
  if (progress) progress("customer vectors", 0, history_->customer_count());
  BuildVectors(held_out);
  BuildCoPurchase(held_out, progress);
}

void NextBasketModel::BuildVectors(std::uint32_t held_out) {
  BuildCustomerVectors(held_out);
  BuildBuyerLists();
  item_built_ = false;
  item_begin_.clear();
  item_.clear();
  if (UsesItemNeighbours()) BuildItemNeighbours();
}

bool NextBasketModel::UsesItemNeighbours() const {
  return options_.customer_neighbours < 0.5 && options_.neighbours > 0 &&
         (options_.prior_baskets > 0 || options_.alpha < 1);
}

void NextBasketModel::BuildItemNeighbours() {
  const std::uint32_t products = history_->product_count();
  std::vector<std::vector<Contribution>> vectors(products);
  struct ItemScratch {
    std::vector<float> sum;  // per product
    std::vector<std::uint32_t> touched;
  };
  ParallelFor(
      products, Threads(), [&] { return ItemScratch{std::vector<float>(products, 0), {}}; },
      [&](std::size_t index, ItemScratch& scratch) {
        const auto product = static_cast<std::uint32_t>(index);
        const std::uint32_t first = buyer_begin_[product];
        const std::uint32_t last =
            std::min(buyer_begin_[product + 1], first + options_.item_buyers);
        double buyers_weight = 0;
        // The buyers' runs are all over memory: fetch a buyer's offset well ahead and
        // their run (two cache lines of it) a few buyers ahead, so neither load waits.
        constexpr std::uint32_t kOffsetAhead = 16;
        constexpr std::uint32_t kRunAhead = 6;
        for (std::uint32_t b = first; b < last; ++b) {
          if (b + kOffsetAhead < last) {
            __builtin_prefetch(contribution_begin_.data() + buyer_customer_[b + kOffsetAhead]);
          }
          if (b + kRunAhead < last) {
            const Contribution* run =
                contribution_.data() + contribution_begin_[buyer_customer_[b + kRunAhead]];
            __builtin_prefetch(run);
            __builtin_prefetch(run + 8);
          }
          const std::uint32_t buyer = buyer_customer_[b];
          const float weight = buyer_weight_[b];
          buyers_weight += static_cast<double>(weight);
          const std::uint32_t end =
              std::min(contribution_begin_[buyer + 1],
                       contribution_begin_[buyer] + options_.item_buyer_products);
          for (std::uint32_t c = contribution_begin_[buyer]; c < end; ++c) {
            // A sum still 0 marks a product not touched yet, so nothing adds 0 to it (a
            // decay of 0 gives weights of 0): the product would be listed twice.
            const float add = weight * contribution_[c].weight;
            if (add <= 0) continue;
            float& sum = scratch.sum[contribution_[c].product];
            if (sum == 0) scratch.touched.push_back(contribution_[c].product);
            sum += add;
          }
        }
        auto& touched = scratch.touched;
        const auto heavier = [&](std::uint32_t a, std::uint32_t b) {
          return scratch.sum[a] != scratch.sum[b] ? scratch.sum[a] > scratch.sum[b] : a < b;
        };
        const auto kept =
            touched.begin() + std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(touched.size()),
                                                       options_.item_products);
        std::nth_element(touched.begin(), kept, touched.end(), heavier);
        std::sort(touched.begin(), kept);
        std::vector<Contribution>& vector = vectors[product];
        vector.reserve(static_cast<std::size_t>(kept - touched.begin()));
        for (auto it = touched.begin(); it != kept; ++it) {
          vector.push_back(
              {*it, static_cast<float>(static_cast<double>(scratch.sum[*it]) / buyers_weight)});
        }
        for (const std::uint32_t other : touched) scratch.sum[other] = 0;
        touched.clear();
      },
      {}, "");
  item_begin_.assign(1, 0);
  item_.clear();
  for (auto& vector : vectors) {
    item_.insert(item_.end(), vector.begin(), vector.end());
    item_begin_.push_back(static_cast<std::uint32_t>(item_.size()));
    vector = {};
  }
  item_built_ = true;
}

void NextBasketModel::BuildCustomerVectors(std::uint32_t held_out) {
  const TransactionHistory& history = *history_;
  const std::uint32_t products = history.product_count();
  std::vector<float> weight(products, 0);
  std::vector<std::uint32_t> first_visit(products), last_visit(products), visits(products, 0);
  // The basket a product was last counted in, +1, so a product on two lines of one
  // basket counts once.
  std::vector<std::uint32_t> counted_in(products, 0);
  std::vector<std::uint32_t> touched;
  std::vector<std::uint32_t> buyers(products, 0), repeat_buyers(products, 0);

  vector_begin_.assign(1, 0);
  vector_product_.clear();
  vector_weight_.clear();
  vector_rhythm_.clear();
  vector_norm_.clear();
  vector_heaviest_.clear();
  contribution_begin_.assign(1, 0);
  contribution_.clear();
  // Room for the most entries there can be (a customer's products are at most their
  // lines), made once: growing by doubling would touch twice the memory and copy it all
  // along the way, and fresh memory is what a night at scale spends most of this step on.
  // Room not written to costs only address space.
  const std::size_t most_entries =
      history.basket_line_begin.empty() ? 0 : history.basket_line_begin.back();
  vector_begin_.reserve(history.customer_count() + 1);
  vector_product_.reserve(most_entries);
  vector_weight_.reserve(most_entries);
  vector_rhythm_.reserve(most_entries);
  vector_norm_.reserve(history.customer_count());
  vector_heaviest_.reserve(most_entries);
  contribution_begin_.reserve(history.customer_count() + 1);
  contribution_.reserve(std::min<std::size_t>(
      most_entries, std::size_t{history.customer_count()} * options_.neighbour_products));
  for (std::uint32_t customer = 0; customer < history.customer_count(); ++customer) {
    const std::uint32_t begin = history.customer_basket_begin[customer];
    const std::uint32_t baskets = pool_.empty() || pool_[customer]
                                      ? UsedBasketEnd(history, customer, held_out) - begin
                                      : 0;  // outside the pool: an empty vector
    // TIFU's grouping: at most `groups` groups of consecutive baskets, the later groups
    // one basket longer when they do not divide evenly.
    const std::uint32_t groups = std::min(options_.groups, baskets);
    std::uint32_t visit = 0;
    for (std::uint32_t group = 0; group < groups; ++group) {
      const std::uint32_t length =
          baskets / groups + (group >= groups - baskets % groups ? 1u : 0u);
      const double group_weight =
          std::pow(options_.group_decay, groups - 1 - group) / static_cast<double>(groups);
      for (std::uint32_t j = 0; j < length; ++j, ++visit) {
        const std::uint32_t basket = begin + visit;
        const auto basket_weight = static_cast<float>(
            group_weight * std::pow(options_.within_decay, length - 1 - j) / length);
        for (const std::uint32_t product : history.ProductsIn(basket)) {
          if (counted_in[product] == basket + 1) continue;
          counted_in[product] = basket + 1;
          if (visits[product] == 0) {
            touched.push_back(product);
            first_visit[product] = visit;
          }
          ++visits[product];
          last_visit[product] = visit;
          weight[product] += basket_weight;
        }
      }
    }
    std::sort(touched.begin(), touched.end());
    double squares = 0;
    for (const std::uint32_t product : touched) {
      float rhythm = 1;
      ++buyers[product];
      if (visits[product] >= 2) {
        ++repeat_buyers[product];
        const double gap = static_cast<double>(last_visit[product] - first_visit[product]) /
                           static_cast<double>(visits[product] - 1);
        const double since = static_cast<double>(baskets - last_visit[product]);
        const double due = std::min(1.0, since / gap);
        rhythm = static_cast<float>(1 - options_.rhythm_weight * (1 - due));
      }
      vector_product_.push_back(product);
      vector_weight_.push_back(weight[product]);
      vector_rhythm_.push_back(rhythm);
      squares += static_cast<double>(weight[product]) * static_cast<double>(weight[product]);
      weight[product] = 0;
      visits[product] = 0;
    }
    touched.clear();
    vector_norm_.push_back(static_cast<float>(std::sqrt(squares)));
    vector_begin_.push_back(static_cast<std::uint32_t>(vector_product_.size()));
    const auto first = static_cast<std::uint32_t>(vector_heaviest_.size());
    for (std::uint32_t e = first; e < vector_product_.size(); ++e) vector_heaviest_.push_back(e);
    std::sort(vector_heaviest_.begin() + first, vector_heaviest_.end(),
              [&](std::uint32_t a, std::uint32_t b) {
                return vector_weight_[a] != vector_weight_[b] ? vector_weight_[a] > vector_weight_[b]
                                                              : a < b;
              });
    const auto contributed = std::min<std::size_t>(vector_heaviest_.size() - first,
                                                   options_.neighbour_products);
    for (std::size_t i = first; i < first + contributed; ++i) {
      contribution_.push_back({vector_product_[vector_heaviest_[i]],
                               vector_weight_[vector_heaviest_[i]]});
    }
    contribution_begin_.push_back(static_cast<std::uint32_t>(contribution_.size()));
  }

  // Repeat propensity, shrunk towards the mean of all products so that a product with
  // three buyers does not get 0 or 1 from chance.
  double all_buyers = 0, all_repeat_buyers = 0;
  for (std::uint32_t product = 0; product < products; ++product) {
    all_buyers += buyers[product];
    all_repeat_buyers += repeat_buyers[product];
  }
  const double mean_rate = all_buyers > 0 ? all_repeat_buyers / all_buyers : 0;
  const double mean_factor = std::pow(std::max(mean_rate, 1e-6), options_.repeat_weight);
  repeat_factor_.assign(products, 1);
  for (std::uint32_t product = 0; product < products; ++product) {
    const double rate =
        (repeat_buyers[product] + kRepeatPrior * mean_rate) / (buyers[product] + kRepeatPrior);
    // Divided by the mean product's factor so that the personal term keeps its scale
    // against the neighbours'.
    repeat_factor_[product] =
        static_cast<float>(std::pow(std::max(rate, 1e-6), options_.repeat_weight) / mean_factor);
  }
}

std::uint32_t NextBasketModel::BuyersRead() const {
  if (all_terms_) return options_.posting_limit;
  if (options_.neighbours == 0 || (options_.prior_baskets <= 0 && options_.alpha >= 1)) return 0;
  return options_.customer_neighbours >= 0.5
             ? options_.posting_limit
             : std::min(options_.posting_limit, options_.item_buyers);
}

void NextBasketModel::BuildBuyerLists() {
  const std::uint32_t products = history_->product_count();
  const std::uint32_t listed = BuyersRead();
  if (listed == 0) {
    buyer_begin_.assign(products + 1, 0);
    buyer_customer_.clear();
    buyer_weight_.clear();
    return;
  }
  std::vector<std::uint32_t> all_begin(products + 1, 0);
  for (const std::uint32_t product : vector_product_) ++all_begin[product + 1];
  std::partial_sum(all_begin.begin(), all_begin.end(), all_begin.begin());
  std::vector<std::pair<float, std::uint32_t>> all(vector_product_.size());
  std::vector<std::uint32_t> next(all_begin.begin(), all_begin.end() - 1);
  for (std::uint32_t customer = 0; customer + 1 < vector_begin_.size(); ++customer) {
    if (vector_norm_[customer] <= 0) continue;
    for (std::uint32_t e = vector_begin_[customer]; e < vector_begin_[customer + 1]; ++e) {
      all[next[vector_product_[e]]++] = {vector_weight_[e] / vector_norm_[customer], customer};
    }
  }
  buyer_begin_.assign(products + 1, 0);
  for (std::uint32_t product = 0; product < products; ++product) {
    buyer_begin_[product + 1] =
        buyer_begin_[product] + std::min(next[product] - all_begin[product], listed);
  }
  buyer_customer_.resize(buyer_begin_.back());
  buyer_weight_.resize(buyer_begin_.back());
  // Each product's heaviest buyers, on every thread: a best seller's list is a selection
  // from a million buyers, and one thread choosing them all was seconds of the night.
  const auto heavier = [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  ParallelFor(
      products, Threads(), [] { return 0; },
      [&](std::size_t index, int&) {
        const auto first = all.begin() + all_begin[index];
        const auto last = all.begin() + next[index];
        const auto kept = first + (buyer_begin_[index + 1] - buyer_begin_[index]);
        std::nth_element(first, kept, last, heavier);
        std::sort(first, kept, heavier);
        std::uint32_t out = buyer_begin_[index];
        for (auto it = first; it != kept; ++it, ++out) {
          buyer_customer_[out] = it->second;
          buyer_weight_[out] = it->first;
        }
      },
      {}, "");
}

void NextBasketModel::BuildCoPurchase(std::uint32_t held_out, const ProgressFunction& progress) {
  const TransactionHistory& history = *history_;
  const std::uint32_t products = history.product_count();

  // Each product's baskets (a product on two lines of a basket counted once).
  std::vector<std::uint32_t> counted_in(products, 0);
  product_baskets_.assign(products, 0);
  std::vector<std::uint32_t> used_baskets;
  for (std::uint32_t customer = 0; customer < history.customer_count(); ++customer) {
    if (!pool_.empty() && !pool_[customer]) continue;  // the replay's pool only
    const std::uint32_t end = UsedBasketEnd(history, customer, held_out);
    for (std::uint32_t basket = history.customer_basket_begin[customer]; basket < end; ++basket) {
      used_baskets.push_back(basket);
      for (const std::uint32_t product : history.ProductsIn(basket)) {
        if (counted_in[product] == basket + 1) continue;
        counted_in[product] = basket + 1;
        ++product_baskets_[product];
      }
    }
  }
  // Without a cross-sell term nobody reads the partners, unless the tuning may switch it on.
  const bool count_pairs = options_.cross_sell_weight > 0 || all_terms_;
  std::vector<std::uint32_t> baskets_begin(products + 1, 0);
  std::partial_sum(product_baskets_.begin(), product_baskets_.end(), baskets_begin.begin() + 1);
  std::vector<std::uint32_t> baskets_of(count_pairs ? baskets_begin.back() : 0);
  if (count_pairs) {
    std::vector<std::uint32_t> next(baskets_begin.begin(), baskets_begin.end() - 1);
    std::fill(counted_in.begin(), counted_in.end(), 0);
    for (const std::uint32_t basket : used_baskets) {
      for (const std::uint32_t product : history.ProductsIn(basket)) {
        if (counted_in[product] == basket + 1) continue;
        counted_in[product] = basket + 1;
        baskets_of[next[product]++] = basket;
      }
    }
  }

  products_by_popularity_.resize(products);
  std::iota(products_by_popularity_.begin(), products_by_popularity_.end(), 0u);
  std::stable_sort(
      products_by_popularity_.begin(), products_by_popularity_.end(),
      [&](std::uint32_t a, std::uint32_t b) { return product_baskets_[a] > product_baskets_[b]; });

  const std::uint32_t categories = history.categories.size();
  std::vector<double> category_purchases(categories, 0);
  double categorised = 0;
  for (std::uint32_t product = 0; product < products; ++product) {
    if (history.product_category[product] == kNoCategory) continue;
    category_purchases[history.product_category[product]] += product_baskets_[product];
    categorised += product_baskets_[product];
  }
  category_population_share_.assign(categories, 0);
  for (std::uint32_t c = 0; c < categories; ++c) {
    if (categorised > 0) {
      category_population_share_[c] = static_cast<float>(category_purchases[c] / categorised);
    }
  }
  std::vector<std::vector<std::uint32_t>> best_sellers(categories);
  for (const std::uint32_t product : products_by_popularity_) {
    const std::uint32_t category = history.product_category[product];
    if (category == kNoCategory || product_baskets_[product] == 0) continue;
    if (best_sellers[category].size() < options_.category_products) {
      best_sellers[category].push_back(product);
    }
  }
  best_seller_begin_.assign(1, 0);
  best_seller_product_.clear();
  for (const auto& sellers : best_sellers) {
    best_seller_product_.insert(best_seller_product_.end(), sellers.begin(), sellers.end());
    best_seller_begin_.push_back(static_cast<std::uint32_t>(best_seller_product_.size()));
  }

  // Lift of b given a: how much more often b is in a's baskets than in any basket.
  const double all_baskets = static_cast<double>(used_baskets.size());
  struct Partner {
    float lift;
    std::uint32_t product;
    float confidence;
  };
  std::vector<std::vector<Partner>> partners(products);
  struct PairScratch {
    std::vector<std::uint32_t> together;
    std::vector<std::uint32_t> counted_in;
    std::vector<std::uint32_t> touched;
  };
  ParallelFor(
      count_pairs ? products : 0, Threads(),
      [&] {
        return PairScratch{
            std::vector<std::uint32_t>(products, 0), std::vector<std::uint32_t>(products, 0), {}};
      },
      [&](std::size_t index, PairScratch& scratch) {
        const auto product = static_cast<std::uint32_t>(index);
        if (product_baskets_[product] < options_.min_pair_baskets) return;
        // A best seller's partners come from a sample of its baskets, spread evenly:
        // the lift of a pair is a ratio, and a few thousand baskets estimate it well.
        const std::uint32_t first = baskets_begin[product];
        const std::uint32_t count = baskets_begin[product + 1] - first;
        const std::uint32_t sampled = std::min(count, std::max(options_.pair_baskets, 1u));
        for (std::uint32_t s = 0; s < sampled; ++s) {
          const std::uint32_t basket =
              baskets_of[first + static_cast<std::uint32_t>(std::uint64_t{s} * count / sampled)];
          for (const std::uint32_t other : history.ProductsIn(basket)) {
            if (other == product || scratch.counted_in[other] == basket + 1) continue;
            scratch.counted_in[other] = basket + 1;
            if (scratch.together[other]++ == 0) scratch.touched.push_back(other);
          }
        }
        std::vector<Partner>& kept = partners[product];
        for (const std::uint32_t other : scratch.touched) {
          const std::uint32_t together = scratch.together[other];
          scratch.together[other] = 0;
          scratch.counted_in[other] = 0;
          if (together < options_.min_pair_baskets) continue;
          const double lift =
              all_baskets * together / (static_cast<double>(sampled) * product_baskets_[other]);
          if (lift <= 1) continue;
          kept.push_back({static_cast<float>(lift), other,
                          static_cast<float>(static_cast<double>(together) / sampled)});
        }
        scratch.touched.clear();
        const auto limit = std::min<std::size_t>(kept.size(), options_.cross_sell_partners);
        std::partial_sort(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(limit),
                          kept.end(), [](const Partner& a, const Partner& b) {
                            return a.lift != b.lift ? a.lift > b.lift : a.product < b.product;
                          });
        kept.resize(limit);
        kept.shrink_to_fit();
      },
      progress, "cross-sell pairs");

  partner_begin_.assign(1, 0);
  partner_product_.clear();
  partner_confidence_.clear();
  for (auto& list : partners) {
    for (const Partner& partner : list) {
      partner_product_.push_back(partner.product);
      partner_confidence_.push_back(partner.confidence);
    }
    partner_begin_.push_back(static_cast<std::uint32_t>(partner_product_.size()));
    list = {};
  }
}

void NextBasketModel::Replay(const ProgressFunction& progress) {
  if (options_.replay_customers == 0) return;
  const TransactionHistory& history = *history_;
  std::vector<std::uint32_t> eligible;
  for (std::uint32_t customer = 0; customer < history.customer_count(); ++customer) {
    if (history.BasketsOf(customer) >= 2) eligible.push_back(customer);
  }
  if (eligible.empty()) return;
  // An even spread over the customers, so the sample is not one region's or one era's.
  const std::size_t stride =
      (eligible.size() + options_.replay_customers - 1) / options_.replay_customers;
  std::vector<std::uint32_t> chosen;
  for (std::size_t i = 0; i < eligible.size(); i += stride) chosen.push_back(eligible[i]);

  NextBasketOptions replay_options = options_;
  replay_options.replay_customers = 0;
  NextBasketModel replay(history, replay_options);
  replay.all_terms_ = options_.tune;
  if (history.customer_count() > std::max(options_.replay_pool, 1u)) {
    // The pool: the replayed customers, topped up with others spread evenly.
    replay.pool_.assign(history.customer_count(), 0);
    for (const std::uint32_t customer : chosen) replay.pool_[customer] = 1;
    const std::size_t others = options_.replay_pool > chosen.size()
                                   ? options_.replay_pool - chosen.size()
                                   : 0;
    if (others > 0) {
      const std::size_t pool_stride = (history.customer_count() + others - 1) / others;
      for (std::size_t c = 0; c < history.customer_count(); c += pool_stride) {
        replay.pool_[c] = 1;
      }
    }
  }
  replay.Build(1, {});
  const std::size_t depth = std::max(options_.calibration_depth, options_.tune_k);
  std::vector<std::vector<Calibration::Observation>> observations(chosen.size());
  std::vector<RankingMetrics> metrics(chosen.size());
  // Ranks every chosen customer's held-out basket with the replay's current options;
  // the mean recall and NDCG at tune_k over every `every`-th chosen customer. The tuning
  // asks at most `tune_customers` of them (spread evenly), the calibration them all.
  const std::size_t tune_every =
      (chosen.size() + std::max(options_.tune_customers, 1u) - 1) /
      std::max(options_.tune_customers, 1u);
  const auto run = [&](const ProgressFunction& run_progress, std::string_view phase,
                       std::size_t every) {
    every = std::max<std::size_t>(every, 1);
    const std::size_t replayed = (chosen.size() + every - 1) / every;
    ParallelFor(
        replayed, Threads(), [&] { return Scratch(replay); },
        [&](std::size_t index, Scratch& scratch) {
          index *= every;
          const std::uint32_t customer = chosen[index];
          const std::uint32_t last_basket = history.customer_basket_begin[customer + 1] - 1;
          std::vector<std::uint32_t> bought(history.ProductsIn(last_basket).begin(),
                                            history.ProductsIn(last_basket).end());
          std::sort(bought.begin(), bought.end());
          bought.erase(std::unique(bought.begin(), bought.end()), bought.end());
          const auto ranked = replay.Recommend(customer, depth, scratch);
          std::vector<std::uint32_t> ranked_products;
          observations[index].clear();
          for (std::size_t rank = 0; rank < ranked.size(); ++rank) {
            ranked_products.push_back(ranked[rank].product);
            if (rank < options_.calibration_depth) {
              observations[index].push_back(
                  {ranked[rank].score,
                   std::binary_search(bought.begin(), bought.end(), ranked[rank].product)});
            }
          }
          RankingMetricsAccumulator one(options_.tune_k);
          one.Add(ranked_products, bought, bought.size());
          metrics[index] = one.Mean();
        },
        run_progress, phase);
    RankingMetrics mean;
    for (std::size_t index = 0; index < chosen.size(); index += every) {
      mean.recall += metrics[index].recall / static_cast<double>(replayed);
      mean.ndcg += metrics[index].ndcg / static_cast<double>(replayed);
    }
    return mean;
  };

  if (options_.tune) {
    // Only the options the vectors are built from need a rebuild; the blend and the
    // add-ons' weights are read by Recommend.
    NextBasketOptions built = replay.options_;
    const auto use = [&](const NextBasketOptions& tried) {
      replay.options_ = tried;
      if (!SameVectors(tried, built)) {
        replay.BuildVectors(1);
        built = tried;
      } else if (replay.UsesItemNeighbours() && !replay.item_built_) {
        replay.BuildItemNeighbours();
      }
    };
    options_ = TuneOptions(
        options_,
        [&](const NextBasketOptions& tried) {
          use(tried);
          run({}, "", tune_every);
          std::vector<double> per_customer;
          for (std::size_t index = 0; index < chosen.size(); index += std::max<std::size_t>(tune_every, 1)) {
            per_customer.push_back((metrics[index].recall + metrics[index].ndcg) / 2);
          }
          return per_customer;
        },
        progress);
    use(options_);
    tuned_ = true;
  }
  const RankingMetrics replayed = run(progress, "calibration replay", 1);
  replay_recall_ = replayed.recall;
  replay_ndcg_ = replayed.ndcg;
  std::vector<Calibration::Observation> all;
  for (auto& list : observations) all.insert(all.end(), list.begin(), list.end());
  calibration_ = Calibration::Fit(all);
}

NextBasketModel::Scratch::Scratch(const NextBasketModel& model)
    : similarity_(model.history_->customer_count(), 0),
      personal_(model.history_->product_count(), 0),
      neighbour_(model.history_->product_count(), 0),
      cross_sell_(model.history_->product_count(), 0),
      affinity_(model.history_->product_count(), 0),
      candidate_(model.history_->product_count(), 0),
      category_share_(model.history_->categories.size(), 0) {}

void NextBasketModel::AddCandidate(std::uint32_t product, Scratch& scratch) const {
  if (scratch.candidate_[product]) return;
  scratch.candidate_[product] = 1;
  scratch.candidates_.push_back(product);
}

void NextBasketModel::AddNeighbours(std::uint32_t customer, Scratch& scratch) const {
  const float norm = vector_norm_[customer];
  // A term with no weight adds no candidates: they would push the best sellers out of
  // the top-up with a score of 0.
  if (norm <= 0 || options_.neighbours == 0 || OwnWeight(customer) >= 1) return;
  // The query: the customer's heaviest products (all of them below query_products).
  const auto query = vector_heaviest_.begin() + vector_begin_[customer];
  const auto query_end =
      query + std::min(vector_begin_[customer + 1] - vector_begin_[customer], options_.query_products);
  if (item_built_ && options_.customer_neighbours < 0.5) {
    // The mean of the query products' neighbour vectors, weighted by the customer's own
    // weights: a query reads |query| x item_products entries, one run each.
    double total = 0;
    for (auto it = query; it != query_end; ++it) total += static_cast<double>(vector_weight_[*it]);
    for (auto it = query; it != query_end; ++it) {
      const std::uint32_t product = vector_product_[*it];
      const auto share = static_cast<float>(static_cast<double>(vector_weight_[*it]) / total);
      for (std::uint32_t i = item_begin_[product]; i < item_begin_[product + 1]; ++i) {
        scratch.neighbour_[item_[i].product] += share * item_[i].weight;
        AddCandidate(item_[i].product, scratch);
      }
    }
    return;
  }
  // Each query product reads the head of its list, its share of query_postings.
  const auto per_product = std::max<std::uint32_t>(
      1, options_.query_postings /
             static_cast<std::uint32_t>(std::max<std::ptrdiff_t>(1, query_end - query)));
  for (auto it = query; it != query_end; ++it) {
    const std::uint32_t product = vector_product_[*it];
    const float query_weight = vector_weight_[*it] / norm;
    const std::uint32_t head_end =
        std::min(buyer_begin_[product + 1], buyer_begin_[product] + per_product);
    for (std::uint32_t b = buyer_begin_[product]; b < head_end; ++b) {
      const std::uint32_t other = buyer_customer_[b];
      if (other == customer) continue;
      if (scratch.similarity_[other] == 0) scratch.similar_.push_back(other);
      scratch.similarity_[other] += query_weight * buyer_weight_[b];
    }
  }
  auto& similar = scratch.similar_;
  const auto closer = [&](std::uint32_t a, std::uint32_t b) {
    return scratch.similarity_[a] != scratch.similarity_[b]
               ? scratch.similarity_[a] > scratch.similarity_[b]
               : a < b;
  };
  const std::size_t found = std::min<std::size_t>(similar.size(), options_.neighbours);
  std::nth_element(similar.begin(), similar.begin() + static_cast<std::ptrdiff_t>(found),
                   similar.end(), closer);
  // TIFU averages the neighbours' vectors unweighted: similarity chooses them, and
  // weighting by it again overfits to the single closest customer on thin histories.
  const float share = found > 0 ? 1.0f / static_cast<float>(found) : 0;
  // Most of a query's time is here, reading the neighbours' entries from all over
  // memory: each neighbour's are one run, and the run a few neighbours ahead is fetched
  // while this one is added.
  constexpr std::size_t kPrefetchAhead = 4;
  for (std::size_t n = 0; n < found; ++n) {
    if (n + kPrefetchAhead < found) {
      __builtin_prefetch(contribution_.data() + contribution_begin_[similar[n + kPrefetchAhead]]);
    }
    const std::uint32_t other = similar[n];
    for (std::uint32_t c = contribution_begin_[other]; c < contribution_begin_[other + 1]; ++c) {
      scratch.neighbour_[contribution_[c].product] += share * contribution_[c].weight;
      AddCandidate(contribution_[c].product, scratch);
    }
  }
  for (const std::uint32_t other : similar) scratch.similarity_[other] = 0;
  similar.clear();
}

double NextBasketModel::OwnWeight(std::uint32_t customer) const {
  if (options_.prior_baskets <= 0) return options_.alpha;
  const double baskets = UsedBasketEnd(*history_, customer, held_out_) -
                         history_->customer_basket_begin[customer];
  return baskets / (baskets + options_.prior_baskets);
}

std::vector<ScoredProduct> NextBasketModel::Recommend(std::uint32_t customer, std::size_t k,
                                                      Scratch& scratch) const {
  const TransactionHistory& history = *history_;
  const std::uint32_t own_begin = vector_begin_[customer];
  const std::uint32_t own_end = vector_begin_[customer + 1];
  for (std::uint32_t e = own_begin; e < own_end; ++e) {
    scratch.personal_[vector_product_[e]] =
        vector_weight_[e] * vector_rhythm_[e] * repeat_factor_[vector_product_[e]];
    AddCandidate(vector_product_[e], scratch);
  }
  AddNeighbours(customer, scratch);

  // Cross-sell from every product of the customer's, weighted by how much it is theirs.
  const std::uint32_t cross_sell_end = options_.cross_sell_weight > 0 ? own_end : own_begin;
  for (std::uint32_t e = own_begin; e < cross_sell_end; ++e) {
    const std::uint32_t product = vector_product_[e];
    for (std::uint32_t p = partner_begin_[product]; p < partner_begin_[product + 1]; ++p) {
      scratch.cross_sell_[partner_product_[p]] += vector_weight_[e] * partner_confidence_[p];
      AddCandidate(partner_product_[p], scratch);
    }
  }

  // Category affinity: the categories where the customer's share of purchases most
  // exceeds the population's; their best sellers, weighted by that excess.
  std::vector<std::uint32_t> own_categories;
  double categorised = 0;
  const std::uint32_t affinity_end = options_.category_weight > 0 ? own_end : own_begin;
  for (std::uint32_t e = own_begin; e < affinity_end; ++e) {
    const std::uint32_t category = history.product_category[vector_product_[e]];
    if (category == kNoCategory) continue;
    if (scratch.category_share_[category] == 0) own_categories.push_back(category);
    scratch.category_share_[category] += vector_weight_[e];
    categorised += static_cast<double>(vector_weight_[e]);
  }
  for (const std::uint32_t category : own_categories) {
    scratch.category_share_[category] =
        static_cast<float>(static_cast<double>(scratch.category_share_[category]) / categorised) -
        category_population_share_[category];
  }
  const auto more_affine = [&](std::uint32_t a, std::uint32_t b) {
    return scratch.category_share_[a] != scratch.category_share_[b]
               ? scratch.category_share_[a] > scratch.category_share_[b]
               : a < b;
  };
  const auto affine_end =
      own_categories.begin() +
      std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(own_categories.size()),
                               options_.affinity_categories);
  std::partial_sort(own_categories.begin(), affine_end, own_categories.end(), more_affine);
  for (auto it = own_categories.begin(); it != affine_end; ++it) {
    const float excess = scratch.category_share_[*it];
    if (excess <= 0) break;
    const std::uint32_t first = best_seller_begin_[*it];
    const std::uint32_t last = best_seller_begin_[*it + 1];
    const float top = static_cast<float>(product_baskets_[best_seller_product_[first]]);
    for (std::uint32_t s = first; s < last; ++s) {
      const std::uint32_t product = best_seller_product_[s];
      const float score = excess * static_cast<float>(product_baskets_[product]) / top;
      scratch.affinity_[product] = std::max(scratch.affinity_[product], score);
      AddCandidate(product, scratch);
    }
  }
  for (const std::uint32_t category : own_categories) scratch.category_share_[category] = 0;

  float max_base = 0, max_cross_sell = 0, max_affinity = 0;
  const double alpha = OwnWeight(customer);
  for (const std::uint32_t product : scratch.candidates_) {
    const float base = static_cast<float>(alpha) * scratch.personal_[product] +
                       static_cast<float>(1 - alpha) * scratch.neighbour_[product];
    scratch.personal_[product] = base;  // reused: the blended TIFU score from here on
    max_base = std::max(max_base, base);
    max_cross_sell = std::max(max_cross_sell, scratch.cross_sell_[product]);
    max_affinity = std::max(max_affinity, scratch.affinity_[product]);
  }
  // Without any TIFU mass (a customer whose products nobody else bought, say) the extra
  // terms still rank on their own.
  const float scale = max_base > 0 ? max_base : 1;
  const float cross_sell_factor =
      max_cross_sell > 0 ? scale * static_cast<float>(options_.cross_sell_weight) / max_cross_sell
                         : 0;
  const float affinity_factor =
      max_affinity > 0 ? scale * static_cast<float>(options_.category_weight) / max_affinity : 0;

  // Every candidate is scored in the scratch; only the top k leave, in a vector of their
  // own size, since RecommendAll keeps one per customer.
  std::vector<ScoredProduct>& scored = scratch.scored_;
  scored.clear();
  for (const std::uint32_t product : scratch.candidates_) {
    const float score = scratch.personal_[product] +
                        cross_sell_factor * scratch.cross_sell_[product] +
                        affinity_factor * scratch.affinity_[product];
    scored.push_back({product, score, 0});
    scratch.personal_[product] = 0;
    scratch.neighbour_[product] = 0;
    scratch.cross_sell_[product] = 0;
    scratch.affinity_[product] = 0;
  }
  // Equal scores (products bought as often, on a sample of lines the usual case): the
  // chain's better seller first, as the top-up orders them.
  const auto better = [this](const ScoredProduct& a, const ScoredProduct& b) {
    if (a.score != b.score) return a.score > b.score;
    if (product_baskets_[a.product] != product_baskets_[b.product]) {
      return product_baskets_[a.product] > product_baskets_[b.product];
    }
    return a.product < b.product;
  };
  // The best k chosen, then ordered: a heap of k kept over every candidate (partial_sort)
  // was a sixth of this step's processor time at a million customers. `better` is a total
  // order, so the list is the same either way.
  const auto kept_end = scored.begin() + static_cast<std::ptrdiff_t>(std::min(k, scored.size()));
  std::nth_element(scored.begin(), kept_end, scored.end(), better);
  std::sort(scored.begin(), kept_end, better);
  std::vector<ScoredProduct> ranked;
  ranked.reserve(std::min<std::size_t>(k, history.product_count()));
  ranked.assign(scored.begin(), kept_end);
  // A short list is topped up with the chain's best sellers, as a new customer's is.
  for (std::size_t p = 0; ranked.size() < k && p < products_by_popularity_.size(); ++p) {
    const std::uint32_t product = products_by_popularity_[p];
    if (!scratch.candidate_[product]) ranked.push_back({product, 0, 0});
  }
  for (const std::uint32_t product : scratch.candidates_) scratch.candidate_[product] = 0;
  scratch.candidates_.clear();
  for (ScoredProduct& entry : ranked) entry.probability = calibration_.Probability(entry.score);
  return ranked;
}

std::vector<std::vector<ScoredProduct>> NextBasketModel::RecommendAll(
    std::size_t k, const ProgressFunction& progress, const std::vector<bool>& only) const {
  std::vector<std::vector<ScoredProduct>> all(history_->customer_count());
  std::vector<std::uint32_t> ranked;
  for (std::uint32_t customer = 0; customer < all.size(); ++customer) {
    if (only.empty() || (customer < only.size() && only[customer])) ranked.push_back(customer);
  }
  ParallelFor(
      ranked.size(), Threads(), [&] { return Scratch(*this); },
      [&](std::size_t index, Scratch& scratch) {
        all[ranked[index]] = Recommend(ranked[index], k, scratch);
      },
      progress, "recommend");
  return all;
}

}  // namespace loyalty::server::targeting
