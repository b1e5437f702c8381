// The replay's search over the next-basket model's options. Which blend ranks a chain's
// next baskets best depends on its data: whole baskets reward recency, neighbours and
// cross-sell; a sample of lines rewards the customer's own counts over a long memory,
// and there every add-on only pushes the customer's own products out of the top k
// (docs/targeting.md, "Replay and tuning"). The search is a coordinate ascent on a
// small grid, started from the better of the given options and the personal-frequency
// corner, so that on the replay the chosen options never score below ranking each
// customer's products by how many of their baskets held them.
#pragma once

#include <functional>
#include <string_view>
#include <utility>
#include <vector>

#include "targeting/next_basket_model.h"

namespace loyalty::server::targeting {

// The score of one set of options on the replay, per replayed customer, always in the
// same order (higher is better). Called once per point tried, at most
// TuningPointsAtMost() times.
using ReplayScore = std::function<std::vector<double>(const NextBasketOptions&)>;

// `options` as the personal-frequency ranking: one group, no decay, no neighbours, no
// rhythm, repeat, cross-sell or affinity term. A product's score is then the share of
// the customer's baskets that held it.
NextBasketOptions PersonalFrequency(const NextBasketOptions& options);

// The grid, one option at a time, each tried at the values below with the others at
// the best found so far, in up to two passes. A point replaces the best only when its
// mean gain over the customers is more than twice the gain's standard error (paired
// by customer): with some forty points tried, smaller gains are what chance gives, and
// chasing them chose add-ons that lost on the next baskets (docs/benchmarks.md). So a
// replay too small to tell points apart keeps the start, which is the given options
// or the personal-frequency corner, whichever has the higher mean.
//   groups 1, 3 · within_decay 0.9, 1 · group_decay 0.6, 0.8, 1 (with more than one
//   group) · alpha 0.2, 0.5, 0.8, 1 · prior_baskets 0, 30, 100, 300 ·
//   customer_neighbours 0, 1 (a gain must be clear to pay for the per-customer search) ·
//   rhythm_weight 0, 0.5 · repeat_weight 0, 0.5 · cross_sell_weight 0, 0.1 ·
//   category_weight 0, 0.05
// Every other field comes from `given`. Progress: ("tuning replay", points tried, at most).
NextBasketOptions TuneOptions(const NextBasketOptions& given, const ReplayScore& score,
                              const ProgressFunction& progress = {});

// The options TuneOptions chooses, by name (groups, within_decay, group_decay, alpha,
// prior_baskets, customer_neighbours, rhythm_weight, repeat_weight, cross_sell_weight,
// category_weight), so a nightly run can store what it tuned and later runs reuse it
// without a replay.
std::vector<std::pair<std::string_view, double>> TunedValues(const NextBasketOptions& options);
// Sets one of them; false (and `options` unchanged) for an unknown name or a value out
// of the command line's bounds for that option.
bool SetTunedValue(NextBasketOptions& options, std::string_view name, double value);

// The most points TuneOptions scores.
std::size_t TuningPointsAtMost();

}  // namespace loyalty::server::targeting
