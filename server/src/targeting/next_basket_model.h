// The next-basket model: for a customer, the products they are likely to buy at their
// next visit, each with P(buy at next visit). The core is TIFU-KNN (Hu et al., "Modeling
// Personalized Item Frequency Information for Next-basket Recommendation", SIGIR 2020),
// the known strong method for grocery next-basket prediction, extended with what a
// loyalty programme knows about a customer:
//
//   personal    time-decayed item frequency within and across groups of the customer's
//               baskets (TIFU), discounted for items not yet due in the customer's own
//               rhythm (an item bought every 4th visit, bought last visit, is not due);
//   neighbours  the mean TIFU vector of the k most similar customers (cosine);
//   cross-sell  products bought in the same baskets as the customer's own, by lift;
//   affinity    the popular products of the categories the customer buys more of than
//               the population does;
//   calibration isotonic regression of "was it in the next basket" on the score, fitted
//               by replaying the history with each customer's last basket held out.
//
// score = alpha * personal + (1 - alpha) * neighbours
//         + max(that) * (cross_sell_weight * cross-sell + category_weight * affinity),
// the last two each scaled to at most 1 per customer, so they reorder the tail and fill
// the list for a customer with a thin history but do not outvote what the customer buys.
// alpha is one for everybody, or per customer with prior_baskets; equal scores go to
// the chain's better seller. The replay chooses the weights (option_tuning.h).
//
// Memory: O(distinct (customer, product) pairs + lines), in flat arrays; the neighbour
// search keeps no neighbour lists, so Recommend recomputes them (that is the cost of a
// call, and why RecommendAll runs it on several threads).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "targeting/calibration.h"
#include "targeting/transaction_history.h"

namespace loyalty::server::targeting {

struct NextBasketOptions {
  // TIFU: the baskets are cut into at most `groups` groups of consecutive baskets; a
  // basket weighs within_decay^(baskets after it in its group), a group
  // group_decay^(groups after it). The customer's vector is blended with the mean of the
  // `neighbours` most similar customers' as alpha * own + (1 - alpha) * theirs. Defaults:
  // TIFU-KNN's published grocery settings (3 groups for Instacart and Dunnhumby), with
  // its reference alpha and neighbour count rather than the paper's Dunnhumby best
  // (alpha 0.2, 900 neighbours), which lets the neighbours outvote a customer's own
  // every-visit staple. The replay below moves within_decay, group_decay and alpha when
  // the data says so.
  std::uint32_t groups = 3;
  double within_decay = 0.9;
  double group_decay = 0.7;
  double alpha = 0.7;
  std::uint32_t neighbours = 300;
  // When > 0, alpha is per customer: n / (n + prior_baskets) for a customer with n
  // baskets, the neighbours' mean acting as a prior worth prior_baskets baskets (the
  // smoothing of a frequency estimate towards a population's). A customer with a short
  // history then leans on similar customers and a regular on their own counts, which
  // one alpha for everybody cannot do. 0: alpha for everybody.
  double prior_baskets = 0;

  // How much an item bought on a regular rhythm is discounted when it is not yet due:
  // its personal score is multiplied by 1 - rhythm_weight * (1 - min(1, e / g)), with g
  // the mean number of visits between its purchases and e the visits since the last
  // one, counting the next. 0 turns the rhythm off.
  double rhythm_weight = 0.5;

  // Products differ in how often a buyer buys them again (milk against a barbecue): the
  // personal score is multiplied by (the product's share of buyers who bought it in two
  // or more baskets, relative to the mean product's)^repeat_weight. 0 turns it off.
  double repeat_weight = 0.5;

  // Cross-sell: partners kept per product (the highest lift), the fewest baskets a pair
  // must share to count, and the weight of the term.
  std::uint32_t cross_sell_partners = 20;
  std::uint32_t min_pair_baskets = 2;
  // Pairs are counted in at most `pair_baskets` of a product's baskets (spread evenly).
  std::uint32_t pair_baskets = 2000;
  double cross_sell_weight = 0.1;

  // Category affinity: how many of the customer's over-indexed categories, how many of
  // each category's best sellers, and the weight of the term.
  std::uint32_t affinity_categories = 3;
  std::uint32_t category_products = 10;
  double category_weight = 0.05;

  // Neighbour search at scale: a query uses the customer's `query_products` heaviest
  // products, each product's list of buyers keeps its `posting_limit` heaviest, and a
  // query reads at most `query_postings` list entries in all, shared evenly among its
  // products (the head of each list: its heaviest buyers), so a query's cost is bounded
  // whatever the chain's size. Below those sizes the search is exact cosine.
  std::uint32_t query_products = 100;
  std::uint32_t posting_limit = 5000;
  std::uint32_t query_postings = 4000;
  // A neighbour adds its `neighbour_products` heaviest products to the mean: the rest
  // weigh little in a mean of hundreds, and bounding them bounds a query's cost.
  std::uint32_t neighbour_products = 64;

  // How the neighbours' mean is found. 1: TIFU-KNN's search, per customer: the
  // `neighbours` most similar customers by cosine, through the buyer lists above (the
  // dominant cost of a night at scale: ~4,000 list entries read and 300 x 64 entries
  // added per customer). 0: per product, once a night: the product's neighbour vector is
  // the mean of its `item_buyers` heaviest buyers' `item_buyer_products` heaviest
  // entries, each buyer weighted
  // by how much the product weighs in their vector (the cosine's term), keeping its
  // `item_products` heaviest products; a customer's neighbour mean is the mean of their
  // query products' neighbour vectors weighted by their own weights. That is the
  // similarity-weighted mean over every customer the search would read, instead of the
  // unweighted mean of the top `neighbours` of them, so it costs ~|query| x
  // item_products a customer. The tuning chooses between them (option_tuning.h).
  double customer_neighbours = 0;
  std::uint32_t item_buyers = 1000;
  std::uint32_t item_buyer_products = 32;
  std::uint32_t item_products = 25;

  // Replay: the model is fitted once more with each customer's last basket held out
  // and asked for it, on at most `replay_customers` customers (spread evenly) with two
  // baskets or more. 0: no replay, so no tuning and no calibration (probability = score
  // clamped to 1).
  std::uint32_t replay_customers = 20000;
  // The replay's model is built from at most `replay_pool` customers (the replayed ones
  // and others spread evenly), so that the tuning's rebuilds cost the same on a chain
  // of any size; the tuning asks `tune_customers` of the replayed ones (spread evenly),
  // the calibration all of them.
  std::uint32_t replay_pool = 100000;
  std::uint32_t tune_customers = 5000;
  // With tune, the replay chooses groups, the decays, alpha and the weights of the
  // rhythm, repeat, cross-sell and affinity terms (TuneOptions, option_tuning.h) by the
  // mean of recall and NDCG at `tune_k`, the values above being the start and the
  // fallback when there is nothing to replay: a chain whose baskets are complete wants
  // recency and the add-ons, one whose data is a sample of lines wants long memory and
  // the customer's own counts, and the data can tell.
  bool tune = true;
  std::uint32_t tune_k = 10;
  // The calibration is fitted on each replayed customer's top `calibration_depth`.
  std::uint32_t calibration_depth = 50;

  // Worker threads for the neighbour search; 0: one per core.
  std::uint32_t threads = 0;
};

struct ScoredProduct {
  std::uint32_t product = 0;  // id in the history's product dictionary
  float score = 0;            // ranking score, comparable within one customer
  float probability = 0;      // calibrated P(bought at the next visit)
};

// Phase name, units done, units in the phase: for progress lines on long runs.
using ProgressFunction =
    std::function<void(std::string_view phase, std::size_t done, std::size_t total)>;

class NextBasketModel {
 public:
  // Builds the model from a history; the history must outlive the model. With
  // options.tune, options() afterwards holds the values the replay chose.
  static NextBasketModel Fit(const TransactionHistory& history, const NextBasketOptions& options,
                             const ProgressFunction& progress = {});

  // Dense work arrays for one thread's Recommend calls; reuse it across calls.
  class Scratch {
   public:
    explicit Scratch(const NextBasketModel& model);

   private:
    friend class NextBasketModel;
    std::vector<float> similarity_;       // per customer
    std::vector<std::uint32_t> similar_;  // customers with similarity_ set
    std::vector<float> personal_, neighbour_, cross_sell_, affinity_;  // per product
    std::vector<std::uint8_t> candidate_;  // per product: already in candidates_
    std::vector<std::uint32_t> candidates_;
    std::vector<ScoredProduct> scored_;
    std::vector<float> category_share_;  // per category
  };

  // The customer's top `k` products, best first (ties: lower product id). Fewer than k
  // only when the history holds fewer products. Thread-safe with one Scratch per thread.
  std::vector<ScoredProduct> Recommend(std::uint32_t customer, std::size_t k,
                                       Scratch& scratch) const;

  // Recommend for every customer of the history, on options.threads threads; entry c is
  // customer c's list. With `only` (one flag per customer), customers whose flag is
  // false get an empty list and cost nothing: the nightly run ranks only the customers
  // a coupon can reach.
  std::vector<std::vector<ScoredProduct>> RecommendAll(
      std::size_t k, const ProgressFunction& progress = {},
      const std::vector<bool>& only = {}) const;

  const Calibration& calibration() const { return calibration_; }
  const NextBasketOptions& options() const { return options_; }
  // The replay's recall and NDCG at tune_k with the chosen options; 0 without a replay.
  double replay_recall() const { return replay_recall_; }
  double replay_ndcg() const { return replay_ndcg_; }
  // Whether the replay tuned the options (asked to, and there was a customer to replay).
  bool tuned() const { return tuned_; }
  const TransactionHistory& history() const { return *history_; }

 private:
  NextBasketModel(const TransactionHistory& history, const NextBasketOptions& options)
      : history_(&history), options_(options) {}
  // Everything but the calibration, from each customer's baskets less the last
  // `held_out` of them.
  void Build(std::uint32_t held_out, const ProgressFunction& progress);
  void BuildCustomerVectors(std::uint32_t held_out);
  void BuildBuyerLists();
  // How many of each product's heaviest buyers the neighbour search reads, in order: all
  // posting_limit of them for the per-customer search, item_buyers for the per-product
  // one, none without a neighbour term. The tuning's replay model may switch between
  // them without a rebuild, so it lists posting_limit.
  std::uint32_t BuyersRead() const;
  // Popularity, category shares and best sellers, and the cross-sell partners.
  void BuildCoPurchase(std::uint32_t held_out, const ProgressFunction& progress);
  // The replay: tunes options_ (when asked) and fits calibration_.
  void Replay(const ProgressFunction& progress);
  // The TIFU vectors and buyer lists, which depend on the tuned options.
  void BuildVectors(std::uint32_t held_out);
  // Each product's neighbour vector (customer_neighbours 0), from the buyer lists.
  void BuildItemNeighbours();
  // Whether Recommend reads the product neighbour vectors with the current options.
  bool UsesItemNeighbours() const;
  // Adds the mean vector of the customer's nearest neighbours into scratch.neighbour_.
  void AddNeighbours(std::uint32_t customer, Scratch& scratch) const;
  void AddCandidate(std::uint32_t product, Scratch& scratch) const;
  // The weight of the customer's own vector against the neighbours' (alpha, or the
  // shrinkage by prior_baskets).
  double OwnWeight(std::uint32_t customer) const;
  std::uint32_t Threads() const;

  const TransactionHistory* history_;
  NextBasketOptions options_;
  // Per customer: whether the model's vectors include them; empty: everyone. The replay's
  // model leaves most customers of a large chain out (options_.replay_pool).
  std::vector<std::uint8_t> pool_;

  // Customer c's TIFU vector: entries [vector_begin_[c], vector_begin_[c + 1]), by
  // product id, with each entry's rhythm factor, and the vector's L2 norm. 32-bit offsets:
  // there are never more entries than history lines, which are 32-bit counted.
  std::vector<std::uint32_t> vector_begin_;
  std::vector<std::uint32_t> vector_product_;
  std::vector<float> vector_weight_;
  std::vector<float> vector_rhythm_;
  std::vector<float> vector_norm_;
  // Customer c's entries again, heaviest first (ties: lower entry), as indexes into the
  // arrays above: the query's products and a neighbour's contribution are a prefix.
  std::vector<std::uint32_t> vector_heaviest_;
  // What customer c adds to a neighbour mean, in one run: their `neighbour_products`
  // heaviest entries, heaviest first, [contribution_begin_[c], contribution_begin_[c + 1]).
  // A copy of what the arrays above hold, laid out for the neighbour search's inner loop.
  struct Contribution {
    std::uint32_t product;
    float weight;
  };
  std::vector<std::uint32_t> contribution_begin_;
  std::vector<Contribution> contribution_;
  // Product p's neighbour vector: [item_begin_[p], item_begin_[p + 1]) of item_, by
  // product id; empty until BuildItemNeighbours (item_built_).
  std::vector<std::uint32_t> item_begin_;
  std::vector<Contribution> item_;
  bool item_built_ = false;
  // Per product: the repeat-propensity factor of the personal score.
  std::vector<float> repeat_factor_;
  // Product p's buyers: [buyer_begin_[p], buyer_begin_[p + 1]), heaviest normalised
  // weight (weight / norm of the buyer's vector) first, at most BuyersRead().
  std::vector<std::uint32_t> buyer_begin_;
  std::vector<std::uint32_t> buyer_customer_;
  std::vector<float> buyer_weight_;
  // Product p's cross-sell partners: [partner_begin_[p], partner_begin_[p + 1]), highest
  // lift first, with the confidence P(partner in the basket | p in the basket).
  std::vector<std::uint32_t> partner_begin_;
  std::vector<std::uint32_t> partner_product_;
  std::vector<float> partner_confidence_;
  // Baskets holding each product; each category's share of all purchases; each
  // category's best sellers (CSR by category); every product, most baskets first.
  std::vector<std::uint32_t> product_baskets_;
  std::vector<float> category_population_share_;
  std::vector<std::uint32_t> best_seller_begin_;
  std::vector<std::uint32_t> best_seller_product_;
  std::vector<std::uint32_t> products_by_popularity_;

  Calibration calibration_;
  double replay_recall_ = 0;
  double replay_ndcg_ = 0;
  // The last baskets of each customer the model was built without (1 in the replay).
  std::uint32_t held_out_ = 0;
  bool tuned_ = false;
  // Builds every term, weighted or not: the tuning's replay model, whose weights change
  // without a rebuild.
  bool all_terms_ = false;
};

}  // namespace loyalty::server::targeting
