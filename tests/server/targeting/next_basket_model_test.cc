#include "targeting/next_basket_model.h"

#include <cmath>

#include <gtest/gtest.h>

#include "server/targeting/synthetic_history.h"
#include "targeting/option_tuning.h"

namespace loyalty::server::targeting {
namespace {

using testing::MakeHistory;
using testing::Repeat;
using testing::SyntheticCustomer;

// Only the customer's own vector, no replay: each test turns on what it is about.
NextBasketOptions OwnVectorOnly() {
  NextBasketOptions options;
  options.alpha = 1;
  options.neighbours = 0;
  options.rhythm_weight = 0;
  options.repeat_weight = 0;
  options.cross_sell_weight = 0;
  options.category_weight = 0;
  options.replay_customers = 0;
  options.threads = 1;
  return options;
}

std::vector<std::string> Top(const NextBasketModel& model, const std::string& customer,
                             std::size_t k) {
  NextBasketModel::Scratch scratch(model);
  const TransactionHistory& history = model.history();
  std::vector<std::string> names;
  for (const auto& scored : model.Recommend(history.customers.Find(customer).value(), k, scratch)) {
    names.emplace_back(history.products.Name(scored.product));
  }
  return names;
}

std::size_t RankOf(const std::vector<std::string>& ranked, const std::string& product) {
  return static_cast<std::size_t>(std::find(ranked.begin(), ranked.end(), product) -
                                  ranked.begin()) +
         1;
}

TEST(TargetingModel, MilkBoughtEveryVisitIsFirst) {
  std::vector<SyntheticCustomer> customers = {
      {"m", {{"milk", "x1"}, {"milk", "x2"}, {"x3", "milk"}, {"milk", "x4"}, {"milk", "x5"}}}};
  // Other shoppers who buy bread and butter far more than anybody buys milk.
  for (int i = 0; i < 8; ++i) {
    customers.push_back({"o" + std::to_string(i), Repeat({"bread", "butter", "x1"}, 4)});
  }
  const auto history = MakeHistory(customers);
  NextBasketOptions options;  // the defaults, with the replay's tuning and calibration
  options.threads = 1;
  const auto model = NextBasketModel::Fit(history, options);
  const auto top = Top(model, "m", 3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0], "milk");
}

// Apples every visit; coffee every 4th visit (0, 4, 8); jam once, at the last visit.
// With 12 visits coffee is due at the next; with 9 it was bought at the last one.
TransactionHistory RhythmHistory(int visits) {
  std::vector<std::vector<std::string>> baskets;
  for (int visit = 0; visit < visits; ++visit) {
    baskets.push_back({"apples"});
    if (visit % 4 == 0) baskets.back().push_back("coffee");
    if (visit == visits - 1) baskets.back().push_back("jam");
  }
  return MakeHistory({{"r", baskets}});
}

TEST(TargetingModel, AnItemOnARhythmRanksHigherWhenDue) {
  NextBasketOptions options = OwnVectorOnly();
  options.rhythm_weight = 0.8;
  const auto due_history = RhythmHistory(12);
  const auto just_bought_history = RhythmHistory(9);
  const auto due = Top(NextBasketModel::Fit(due_history, options), "r", 3);
  const auto just_bought = Top(NextBasketModel::Fit(just_bought_history, options), "r", 3);
  EXPECT_EQ(due, (std::vector<std::string>{"apples", "coffee", "jam"}));
  EXPECT_EQ(just_bought, (std::vector<std::string>{"apples", "jam", "coffee"}));
  EXPECT_LT(RankOf(due, "coffee"), RankOf(just_bought, "coffee"));
}

TEST(TargetingModel, WithoutTheRhythmRecencyAloneFavoursTheItemJustBought) {
  // What the rhythm corrects: time decay alone scores coffee higher right after buying it.
  const NextBasketOptions options = OwnVectorOnly();
  const auto coffee_share = [&](int visits) {
    const auto history = RhythmHistory(visits);
    const auto model = NextBasketModel::Fit(history, options);
    NextBasketModel::Scratch scratch(model);
    float apples = 0, coffee = 0;
    for (const auto& scored : model.Recommend(0, 3, scratch)) {
      if (history.products.Name(scored.product) == "apples") apples = scored.score;
      if (history.products.Name(scored.product) == "coffee") coffee = scored.score;
    }
    return coffee / apples;
  };
  EXPECT_GT(coffee_share(9), coffee_share(12));
}

// Chips and salsa go together; water is the best seller and goes with neither.
std::vector<SyntheticCustomer> ChipsAndSalsa() {
  std::vector<SyntheticCustomer> customers = {{"q", {{"chips", "soap"}}}};
  for (int i = 0; i < 6; ++i) {
    customers.push_back({"s" + std::to_string(i), Repeat({"chips", "salsa"}, 2)});
  }
  for (int i = 0; i < 8; ++i) customers.push_back({"w" + std::to_string(i), Repeat({"water"}, 3)});
  return customers;
}

TEST(TargetingModel, CrossSellsWhatIsBoughtWithTheCustomersProducts) {
  const auto history = MakeHistory(ChipsAndSalsa());
  NextBasketOptions options = OwnVectorOnly();
  EXPECT_EQ(Top(NextBasketModel::Fit(history, options), "q", 3),
            (std::vector<std::string>{"chips", "soap", "water"}));
  options.cross_sell_weight = 0.1;
  EXPECT_EQ(Top(NextBasketModel::Fit(history, options), "q", 3),
            (std::vector<std::string>{"chips", "soap", "salsa"}));
}

TEST(TargetingModel, OffersTheBestSellersOfCategoriesTheCustomerOverIndexesOn) {
  const std::map<std::string, std::string> categories = {
      {"cat food", "PET"}, {"dog food", "PET"}, {"cat litter", "PET"},
      {"milk", "DAIRY"},   {"cheese", "DAIRY"}, {"bread", "BAKERY"}};
  std::vector<SyntheticCustomer> customers = {
      {"p", {{"cat food"}, {"cat food", "bread"}, {"dog food"}}}};
  for (int i = 0; i < 4; ++i) customers.push_back({"l" + std::to_string(i), {{"cat litter"}}});
  for (int i = 0; i < 10; ++i) {
    customers.push_back({"d" + std::to_string(i), Repeat({"milk", "cheese", "bread"}, 2)});
  }
  const auto history = MakeHistory(customers, categories);
  NextBasketOptions options = OwnVectorOnly();
  EXPECT_EQ(RankOf(Top(NextBasketModel::Fit(history, options), "p", 4), "cat litter"), 5u);
  options.category_weight = 0.5;
  EXPECT_EQ(Top(NextBasketModel::Fit(history, options), "p", 4),
            (std::vector<std::string>{"cat food", "dog food", "bread", "cat litter"}));
}

TEST(TargetingModel, NeighboursBringWhatSimilarCustomersBuy) {
  std::vector<SyntheticCustomer> customers = {{"n", {{"pasta", "tomatoes"}}}};
  for (int i = 0; i < 5; ++i) {
    customers.push_back({"i" + std::to_string(i), Repeat({"pasta", "tomatoes", "basil"}, 2)});
  }
  for (int i = 0; i < 9; ++i) customers.push_back({"w" + std::to_string(i), Repeat({"water"}, 3)});
  const auto history = MakeHistory(customers);
  NextBasketOptions options = OwnVectorOnly();
  options.alpha = 0.5;
  options.neighbours = 3;
  for (const double customer_search : {0.0, 1.0}) {
    options.customer_neighbours = customer_search;
    const auto top = Top(NextBasketModel::Fit(history, options), "n", 3);
    EXPECT_EQ(top[2], "basil") << "customer_neighbours " << customer_search;
  }
}

// n bought pasta once, a pasta and basil twice, b pasta twice. With one group and no
// decay a weight is the share of the customer's baskets that held it, so pasta weighs 1
// in n's and b's normalised vectors and 1/sqrt(2) in a's.
TransactionHistory PastaBuyers() {
  return MakeHistory({{"n", {{"pasta"}}},
                      {"a", Repeat({"pasta", "basil"}, 2)},
                      {"b", Repeat({"pasta"}, 2)}});
}

// Half own vector, half the product neighbour vectors, over PastaBuyers' weights.
NextBasketOptions HalfProductNeighbours() {
  NextBasketOptions options = OwnVectorOnly();
  options.groups = 1;
  options.within_decay = 1;
  options.alpha = 0.5;
  options.neighbours = 10;
  return options;
}

// `product`'s score in n's top two; -1 when it is not there.
float ScoreForN(const NextBasketModel& model, const std::string& product) {
  NextBasketModel::Scratch scratch(model);
  const TransactionHistory& history = model.history();
  for (const auto& scored : model.Recommend(history.customers.Find("n").value(), 2, scratch)) {
    if (history.products.Name(scored.product) == product) return scored.score;
  }
  return -1;
}

// A product's neighbour vector is the mean of its buyers' vectors, each weighted by the
// product's weight in the buyer's normalised vector (the cosine's term), and a customer's
// neighbour mean the mean of their products' neighbour vectors.
TEST(TargetingModel, ProductNeighbourVectorsWeighBuyersByTheirShareOfTheProduct) {
  const auto history = PastaBuyers();
  const auto model = NextBasketModel::Fit(history, HalfProductNeighbours());
  // Basil has (1/sqrt(2)) / (2 + 1/sqrt(2)) of pasta's neighbour vector, and pasta all of
  // it.
  const double a_weight = 1 / std::sqrt(2.0);
  EXPECT_NEAR(ScoreForN(model, "pasta"), 0.5 * 1 + 0.5 * 1, 1e-5);
  EXPECT_NEAR(ScoreForN(model, "basil"), 0.5 * a_weight / (2 + a_weight), 1e-5);
}

// A product's neighbour vector averages its item_buyers heaviest buyers only: with two,
// a (and the basil only a buys) is left out.
TEST(TargetingModel, AProductNeighbourVectorReadsOnlyItsHeaviestBuyers) {
  const auto history = PastaBuyers();
  NextBasketOptions options = HalfProductNeighbours();
  options.item_buyers = 3;
  EXPECT_GT(ScoreForN(NextBasketModel::Fit(history, options), "basil"), 0);
  options.item_buyers = 2;
  // Only a best seller topping the list up.
  EXPECT_EQ(ScoreForN(NextBasketModel::Fit(history, options), "basil"), 0);
}

TEST(TargetingModel, AProductNeighbourVectorKeepsOnlyItsHeaviestProducts) {
  std::vector<SyntheticCustomer> customers = {{"n", {{"pasta"}}}};
  for (int i = 0; i < 3; ++i) {
    customers.push_back({"i" + std::to_string(i), {{"pasta"}, {"pasta", "basil"}, {"pasta"}}});
  }
  const auto history = MakeHistory(customers);
  NextBasketOptions options = OwnVectorOnly();
  options.alpha = 0.5;
  options.neighbours = 3;
  const auto basil_score = [&](std::uint32_t item_products) {
    options.item_products = item_products;
    const auto model = NextBasketModel::Fit(history, options);
    NextBasketModel::Scratch scratch(model);
    for (const auto& scored : model.Recommend(0, 2, scratch)) {
      if (history.products.Name(scored.product) == "basil") return scored.score;
    }
    return -1.0f;
  };
  EXPECT_GT(basil_score(2), 0);
  EXPECT_EQ(basil_score(1), 0);  // only a best seller topping the list up
}

TEST(TargetingModel, EqualScoresGoToTheBetterSeller) {
  // Kale comes first in the file (the lower id); the customer bought each once.
  const auto history = MakeHistory({{"t", {{"kale", "yogurt"}, {"x"}}},
                                    {"a", Repeat({"yogurt"}, 3)},
                                    {"b", Repeat({"yogurt"}, 2)}});
  NextBasketOptions counts = OwnVectorOnly();  // no decay: kale and yogurt score the same
  counts.groups = 1;
  counts.within_decay = 1;
  EXPECT_EQ(Top(NextBasketModel::Fit(history, counts), "t", 3),
            (std::vector<std::string>{"yogurt", "kale", "x"}));
}

TEST(TargetingModel, APriorInBasketsLeansAShortHistoryOnTheNeighbours) {
  // Both buy apples only, one once, one ten times; everybody like them buys bread too.
  std::vector<SyntheticCustomer> customers = {{"short", {{"apples"}}},
                                              {"long", Repeat({"apples"}, 10)}};
  for (int i = 0; i < 6; ++i) {
    customers.push_back({"n" + std::to_string(i), Repeat({"apples", "bread"}, 3)});
  }
  const auto history = MakeHistory(customers);
  NextBasketOptions options = OwnVectorOnly();
  options.neighbours = 10;
  options.prior_baskets = 5;
  // Bread's score against apples': the neighbours' share in the customer's blend.
  const auto bread_to_apples = [&](const NextBasketModel& model, const std::string& customer) {
    NextBasketModel::Scratch scratch(model);
    double apples = 0, bread = 0;
    for (const auto& scored :
         model.Recommend(history.customers.Find(customer).value(), 2, scratch)) {
      const auto name = history.products.Name(scored.product);
      if (name == "apples") apples = scored.score;
      if (name == "bread") bread = scored.score;
    }
    return bread / apples;
  };
  const auto with_prior = NextBasketModel::Fit(history, options);
  const double short_history = bread_to_apples(with_prior, "short");
  const double long_history = bread_to_apples(with_prior, "long");
  EXPECT_GT(long_history, 0);  // the neighbours count for both
  EXPECT_GT(short_history, 2 * long_history);
  options.customer_neighbours = 1;  // the same with the per-customer search
  const auto searched = NextBasketModel::Fit(history, options);
  EXPECT_GT(bread_to_apples(searched, "short"), 2 * bread_to_apples(searched, "long"));
  options.customer_neighbours = 0;
  // Without the prior, alpha 1 for everybody: bread only tops the list up, scoring 0.
  options.prior_baskets = 0;
  EXPECT_EQ(bread_to_apples(NextBasketModel::Fit(history, options), "short"), 0);
}

TEST(TargetingModel, ProbabilitiesAreCalibratedAndFallDownTheList) {
  std::vector<SyntheticCustomer> customers;
  for (int i = 0; i < 60; ++i) {
    std::vector<std::vector<std::string>> baskets;
    for (int visit = 0; visit < 8; ++visit) {
      baskets.push_back(
          {"staple" + std::to_string(i % 5), "treat" + std::to_string((i + visit) % 17)});
      if (visit % 3 == 0) baskets.back().push_back("weekly" + std::to_string(i % 4));
    }
    customers.push_back({"c" + std::to_string(i), baskets});
  }
  const auto history = MakeHistory(customers);
  NextBasketOptions options;
  options.threads = 2;
  const auto model = NextBasketModel::Fit(history, options);
  EXPECT_GT(model.calibration().steps(), 1u);
  EXPECT_GT(model.replay_recall(), 0);
  EXPECT_TRUE(model.tuned());
  NextBasketModel::Scratch scratch(model);
  const auto ranked = model.Recommend(0, 10, scratch);
  ASSERT_EQ(ranked.size(), 10u);
  // The staple is in every basket: the replay saw such products bought every time.
  EXPECT_EQ(history.products.Name(ranked[0].product), "staple0");
  EXPECT_GT(ranked[0].probability, 0.9f);
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    EXPECT_GE(ranked[i].probability, 0);
    EXPECT_LE(ranked[i].probability, 1);
    if (i > 0) {
      EXPECT_LE(ranked[i].probability, ranked[i - 1].probability);
    }
  }
}

TEST(TargetingModel, TheTunedReplayNeverScoresBelowPersonalFrequency) {
  // Fragments of baskets, as a sample of lines gives: one or two products a visit from a
  // personal repertoire, shared in part with others.
  std::vector<SyntheticCustomer> customers;
  for (int i = 0; i < 80; ++i) {
    std::vector<std::vector<std::string>> baskets;
    for (int visit = 0; visit < 9; ++visit) {
      baskets.push_back({"p" + std::to_string((i + visit % 3) % 23)});
      if (visit % 2 == 0) baskets.back().push_back("q" + std::to_string((i + visit) % 11));
    }
    customers.push_back({"c" + std::to_string(i), baskets});
  }
  const auto history = MakeHistory(customers);
  NextBasketOptions options;
  options.threads = 2;
  const auto tuned = NextBasketModel::Fit(history, options);
  NextBasketOptions frequency = PersonalFrequency(options);
  frequency.tune = false;
  const auto corner = NextBasketModel::Fit(history, frequency);
  ASSERT_TRUE(tuned.tuned());
  ASSERT_FALSE(corner.tuned());
  EXPECT_GT(corner.replay_recall(), 0);
  EXPECT_GE(tuned.replay_recall() + tuned.replay_ndcg(),
            corner.replay_recall() + corner.replay_ndcg());
}

TEST(TargetingModel, RecommendAllOnThreadsMatchesOneByOne) {
  std::vector<SyntheticCustomer> customers;
  for (int i = 0; i < 700; ++i) {  // more than one chunk of work per thread
    customers.push_back({"c" + std::to_string(i),
                         {{"p" + std::to_string(i % 13), "p" + std::to_string(i % 7)},
                          {"p" + std::to_string(i % 5)}}});
  }
  const auto history = MakeHistory(customers);
  NextBasketOptions options;
  options.threads = 3;
  options.replay_customers = 100;
  const auto model = NextBasketModel::Fit(history, options);
  const auto all = model.RecommendAll(5);
  ASSERT_EQ(all.size(), history.customer_count());
  NextBasketModel::Scratch scratch(model);
  for (std::uint32_t customer = 0; customer < history.customer_count(); ++customer) {
    // The same scratch every time: a call must leave it clean for the next.
    const auto one = model.Recommend(customer, 5, scratch);
    ASSERT_EQ(one.size(), all[customer].size());
    for (std::size_t i = 0; i < one.size(); ++i) {
      EXPECT_EQ(one[i].product, all[customer][i].product);
      EXPECT_EQ(one[i].score, all[customer][i].score);
    }
  }
}

TEST(TargetingModel, RecommendAllRanksOnlyTheCustomersAskedFor) {
  std::vector<SyntheticCustomer> customers;
  for (int i = 0; i < 600; ++i) {
    customers.push_back({"c" + std::to_string(i),
                         {{"p" + std::to_string(i % 11), "p" + std::to_string(i % 4)},
                          {"p" + std::to_string(i % 6)}}});
  }
  const auto history = MakeHistory(customers);
  NextBasketOptions options;
  options.threads = 2;
  options.replay_customers = 100;
  const auto model = NextBasketModel::Fit(history, options);
  std::vector<bool> only(history.customer_count(), false);
  for (std::uint32_t customer = 0; customer < only.size(); customer += 3) only[customer] = true;
  const auto some = model.RecommendAll(5, {}, only);
  const auto all = model.RecommendAll(5);
  ASSERT_EQ(some.size(), history.customer_count());
  for (std::uint32_t customer = 0; customer < history.customer_count(); ++customer) {
    if (!only[customer]) {
      EXPECT_TRUE(some[customer].empty());
      continue;
    }
    ASSERT_EQ(some[customer].size(), 5u);
    for (std::size_t i = 0; i < 5; ++i) {
      EXPECT_EQ(some[customer][i].product, all[customer][i].product);
      EXPECT_EQ(some[customer][i].score, all[customer][i].score);
    }
  }
}

TEST(TargetingModel, TopsUpAThinListWithBestSellers) {
  const auto history = MakeHistory(
      {{"t", {{"rare"}}}, {"a", Repeat({"bread", "milk"}, 3)}, {"b", Repeat({"bread"}, 2)}});
  const auto model = NextBasketModel::Fit(history, OwnVectorOnly());
  EXPECT_FALSE(model.tuned());
  EXPECT_EQ(model.calibration().steps(), 0u);  // no replay: probability = clamped score
  const auto top = Top(model, "t", 3);
  EXPECT_EQ(top, (std::vector<std::string>{"rare", "bread", "milk"}));
  // Never more than the history holds.
  EXPECT_EQ(Top(NextBasketModel::Fit(history, OwnVectorOnly()), "t", 10).size(), 3u);
}

// At scale a query reads only the head of each product's list of buyers, the buyers for
// whom the product weighs most: those are the customers who buy what this one buys.
TEST(TargetingModel, ABoundedSearchReadsTheBuyersThatShareMostFirst) {
  std::vector<SyntheticCustomer> customers = {{"n", {{"pasta"}}}};
  // Pasta is a small part of these customers' shopping; they come first in the history,
  // so a list in any other order would offer them first.
  for (int i = 0; i < 20; ++i) {
    customers.push_back({"w" + std::to_string(i),
                         Repeat({"pasta", "water", "soap", "rice", "salt", "tea", "jam"}, 2)});
  }
  for (int i = 0; i < 2; ++i) {
    customers.push_back({"i" + std::to_string(i), Repeat({"pasta", "basil"}, 2)});
  }
  const auto history = MakeHistory(customers);
  NextBasketOptions options = OwnVectorOnly();
  options.alpha = 0.5;
  options.neighbours = 2;
  options.customer_neighbours = 1;
  options.query_postings = 3;  // the customer itself and two more buyers of pasta
  const auto top = Top(NextBasketModel::Fit(history, options), "n", 2);
  EXPECT_EQ(top, (std::vector<std::string>{"pasta", "basil"}));
}

TEST(TargetingModel, ANeighbourAddsOnlyItsHeaviestProducts) {
  std::vector<SyntheticCustomer> customers = {{"n", {{"pasta"}}}};
  for (int i = 0; i < 3; ++i) {
    customers.push_back({"i" + std::to_string(i), {{"pasta"}, {"pasta", "basil"}, {"pasta"}}});
  }
  const auto history = MakeHistory(customers);
  NextBasketOptions options = OwnVectorOnly();
  options.alpha = 0.5;
  options.neighbours = 3;
  options.customer_neighbours = 1;
  const auto basil_score = [&](std::uint32_t neighbour_products) {
    options.neighbour_products = neighbour_products;
    const auto model = NextBasketModel::Fit(history, options);
    NextBasketModel::Scratch scratch(model);
    for (const auto& scored : model.Recommend(0, 2, scratch)) {
      if (history.products.Name(scored.product) == "basil") return scored.score;
    }
    return -1.0f;
  };
  EXPECT_GT(basil_score(2), 0);
  EXPECT_EQ(basil_score(1), 0);  // only a best seller topping the list up
}

// On a chain larger than the replay's pool the replay still tunes and calibrates, from
// the pool's customers only.
TEST(TargetingModel, AReplayOnAPoolOfTheChainTunesAndCalibrates) {
  std::vector<SyntheticCustomer> customers;
  for (int i = 0; i < 200; ++i) {
    std::vector<std::vector<std::string>> baskets;
    for (int visit = 0; visit < 8; ++visit) {
      baskets.push_back(
          {"staple" + std::to_string(i % 5), "treat" + std::to_string((i + visit) % 17)});
    }
    customers.push_back({"c" + std::to_string(i), baskets});
  }
  const auto history = MakeHistory(customers);
  NextBasketOptions options;
  options.threads = 2;
  options.replay_customers = 40;
  options.replay_pool = 60;
  options.tune_customers = 10;
  const auto model = NextBasketModel::Fit(history, options);
  EXPECT_TRUE(model.tuned());
  EXPECT_GT(model.calibration().steps(), 1u);
  EXPECT_GT(model.replay_recall(), 0);
  NextBasketModel::Scratch scratch(model);
  EXPECT_EQ(history.products.Name(model.Recommend(7, 1, scratch)[0].product), "staple2");
}

}  // namespace
}  // namespace loyalty::server::targeting
