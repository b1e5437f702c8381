// The packed form of a customer's next-visit candidates (migration 0025): what is packed
// reads back exactly (the probability and gap as the floats they are kept as, the names
// and categories the catalog's), values of the versions before still read, and a value
// that is not a packed one is an error naming what is wrong.
#include "storage/packed_candidates.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

namespace loyalty::server {
namespace {

NextVisitCandidateRecord Record(std::int64_t customer, const std::string& campaign,
                                const std::string& run_date, std::int64_t rank,
                                const std::string& sku) {
  NextVisitCandidateRecord record;
  record.run_date = run_date;
  record.customer_id = customer;
  record.rank = rank;
  record.candidate = {campaign, sku, "Name of " + sku, "CATEGORY", 129, 0.3, 0.1, 0};
  return record;
}

// The catalog's names for the records' products, as a purchase reads them.
const ProductLabels kLabels = {{"4001", {"Coffee beans", "COFFEE"}},
                               {"7\\t\t1\n", {"Tab\there", "DRY BN/VEG \"POTATO\""}}};

void ExpectSame(const NextVisitCandidateRecord& read, const NextVisitCandidateRecord& written) {
  EXPECT_EQ(read.candidate.sku, written.candidate.sku);
  EXPECT_EQ(read.candidate.unit_price_minor, written.candidate.unit_price_minor);
  EXPECT_EQ(read.candidate.margin_rate, written.candidate.margin_rate);
  EXPECT_EQ(read.candidate.probability, static_cast<float>(written.candidate.probability));
  EXPECT_EQ(read.candidate.gap_visits, static_cast<float>(written.candidate.gap_visits));
}

TEST(PackedCandidates, ReadBackExactlyWithTheirSkuEscapedAndTheCatalogsNames) {
  auto first = Record(7, "nv", "2026-11-23", 0, "7\\t\t1\n");  // a backslash before a t
  first.candidate.probability = 0.1 + 0.2;  // no short decimal form
  first.candidate.gap_visits = 1.0 / 3.0;
  first.candidate.unit_price_minor = 9'007'199'254'740'993;
  first.candidate.margin_rate = 0.1 + 0.7;  // a double, kept whole
  auto second = Record(7, "nv", "2026-11-23", 1, "4001");
  second.candidate.probability = 1e-30;
  second.candidate.gap_visits = 123456.789;
  auto third = Record(7, "nv", "2026-11-23", 2, "5001");  // not in the catalog
  const std::string packed = PackCandidates({&first, &second, &third});
  const auto read = UnpackCandidates(packed, "nv", kLabels);
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  ASSERT_EQ(read->size(), 3u);
  ExpectSame((*read)[0], first);
  ExpectSame((*read)[1], second);
  ExpectSame((*read)[2], third);
  EXPECT_EQ((*read)[1].rank, 1);
  EXPECT_EQ((*read)[1].candidate.campaign_id, "nv");
  // The names and categories are the catalog's, not the ones written; a sku the catalog
  // lacks is named by itself.
  EXPECT_EQ((*read)[0].candidate.name, "Tab\there");
  EXPECT_EQ((*read)[0].candidate.category, "DRY BN/VEG \"POTATO\"");
  EXPECT_EQ((*read)[1].candidate.name, "Coffee beans");
  EXPECT_EQ((*read)[1].candidate.category, "COFFEE");
  EXPECT_EQ((*read)[2].candidate.name, "5001");
  EXPECT_EQ((*read)[2].candidate.category, "");
  // Nothing of the key nor of the names in the value: one line a candidate after the
  // version, five fields.
  EXPECT_EQ(packed.substr(0, 5), "v3 3\n");
  EXPECT_EQ(std::count(packed.begin(), packed.end(), '\n'), 4);
  EXPECT_EQ(packed.find("Name of"), std::string::npos) << packed;
  EXPECT_EQ(packed.substr(5, packed.find('\n', 5) - 5),
            "7\\\\t\\t1\\n\t9007199254740993\t0.7999999999999999\t0.3\t0.33333334");
  // The probability and the gap in their float's shortest form.
  EXPECT_NE(packed.find("\t1e-30\t123456.79\n"), std::string::npos) << packed;

  // Past a float's range, or below its smallest normal: kept as the float's largest, or 0,
  // rather than "inf" or a denormal the reader would refuse with the customer's row.
  auto fourth = Record(7, "nv", "2026-11-23", 3, "6001");
  fourth.candidate.probability = 1e-40;
  fourth.candidate.gap_visits = 1e39;
  const auto edges = UnpackCandidates(PackCandidates({&fourth}), "nv", kLabels);
  ASSERT_TRUE(edges.ok()) << edges.error().ToString();
  EXPECT_EQ((*edges)[0].candidate.probability, 0);
  EXPECT_EQ((*edges)[0].candidate.gap_visits, std::numeric_limits<float>::max());

  const auto none = UnpackCandidates(PackCandidates({}), "nv", kLabels);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// The batch's way, a product's part made once and each candidate's own after it, writes
// the lines the one-call way writes, and they read back as written.
TEST(PackedCandidates, TheProductsPartAndTheChancesMakeTheSameLine) {
  const PackedCandidateFields product{"7\\t\t1\n", 9'007, 0.1 + 0.7};
  std::string whole, in_parts;
  const std::string part = PackedProductPart(product);
  for (const auto& [probability, gap] : {std::pair{0.1 + 0.2, 1.0 / 3.0}, {1e-40, 1e39}}) {
    PackedCandidateFields candidate = product;
    candidate.probability = probability;
    candidate.gap_visits = gap;
    AppendPackedCandidate(whole, candidate);
    in_parts += part;
    AppendPackedChances(in_parts, probability, gap);
  }
  EXPECT_EQ(in_parts, whole);
  const auto read = UnpackCandidates(PackedValue(2, in_parts), "nv", kLabels);
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[0].candidate.sku, "7\\t\t1\n");
  EXPECT_EQ((*read)[0].candidate.name, "Tab\there");
  EXPECT_EQ((*read)[0].candidate.unit_price_minor, 9'007);
  EXPECT_EQ((*read)[0].candidate.margin_rate, 0.1 + 0.7);
  EXPECT_EQ((*read)[0].candidate.probability, static_cast<double>(0.3f));  // kept as a float
  EXPECT_EQ((*read)[1].candidate.probability, 0);
  EXPECT_EQ((*read)[1].candidate.gap_visits, std::numeric_limits<float>::max());
}

TEST(PackedCandidates, RowsGroupCustomerCampaignAndRunWithTheirCandidatesInRankOrder) {
  const std::vector<NextVisitCandidateRecord> records = {
      Record(1, "nv", "2026-11-23", 1, "B"), Record(2, "nv", "2026-11-23", 0, "C"),
      Record(1, "nv", "2026-11-23", 0, "A"), Record(1, "other", "2026-11-23", 0, "D"),
      Record(1, "nv", "2026-11-24", 0, "E"), Record(1, "nv", "2026-11-23", 1, "twice")};
  const auto rows = PackCandidateRows(records);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].customer_id, 1);
  EXPECT_EQ(rows[0].campaign_id, "nv");
  EXPECT_EQ(rows[0].run_date, "2026-11-23");
  const auto first = UnpackCandidates(rows[0].candidates, "nv", kLabels).value();
  ASSERT_EQ(first.size(), 2u);  // rank 1 given twice: the first kept
  EXPECT_EQ(first[0].candidate.sku, "A");
  EXPECT_EQ(first[1].candidate.sku, "B");
  EXPECT_EQ(rows[1].customer_id, 2);
  EXPECT_EQ(rows[2].campaign_id, "other");
  EXPECT_EQ(rows[3].run_date, "2026-11-24");
}

// The field the error names for a packed value spoilt in one place.
std::string ErrorOf(const std::string& packed) {
  const auto read = UnpackCandidates(packed, "nv", kLabels);
  if (read.ok()) return "decoded";
  return read.error().field + ": " + read.error().message;
}

TEST(PackedCandidates, ACorruptValueIsAnErrorNamingTheRecordAndField) {
  const auto record = Record(1, "nv", "2026-11-23", 0, "4001");
  const std::string good = PackCandidates({&record, &record});
  ASSERT_EQ(ErrorOf(good), "decoded");
  const std::string kValue = "next_visit_candidates.candidates: ";

  EXPECT_EQ(ErrorOf(""), kValue + "does not start with the version line 'v3 <count>' but ''");
  EXPECT_EQ(ErrorOf("v4" + good.substr(2)),
            kValue + "does not start with the version line 'v3 <count>' but 'v4 2'");
  EXPECT_EQ(ErrorOf("v3\n"), kValue + "does not start with the version line 'v3 <count>' but 'v3'");
  // Cut short anywhere: never read as a whole value.
  for (std::size_t cut = 0; cut < good.size(); ++cut) {
    EXPECT_NE(ErrorOf(good.substr(0, cut)), "decoded") << cut;
  }
  EXPECT_EQ(ErrorOf(good.substr(0, good.size() - 1)),
            kValue + "is cut short: it does not end in a newline");
  EXPECT_EQ(ErrorOf(good.substr(0, good.find('\n', 5) + 1)),
            kValue + "holds 1 records, not the 2 its version line counts");
  EXPECT_EQ(ErrorOf("v3 1\n4001\t129\n"),
            "next_visit_candidates.candidates[0].margin_rate: is missing: the record has 2 of 5"
            " fields");
  EXPECT_EQ(ErrorOf(good.substr(0, good.size() - 1) + "\t1\n"),
            "next_visit_candidates.candidates[1]: has more than 5 fields");
  // A second version's line (its name and category) is not a third version's.
  EXPECT_EQ(ErrorOf("v3 1\n4001\tMilk\tDAIRY\t129\t0.3\t0.1\t0\n"),
            "next_visit_candidates.candidates[0]: has more than 5 fields");
  const auto spoilt = [](const std::string& line) { return ErrorOf("v3 1\n" + line + "\n"); };
  const std::string kFirst = "next_visit_candidates.candidates[0].";
  EXPECT_EQ(spoilt("\t129\t0.3\t0.1\t0"), kFirst + "sku: is empty");
  EXPECT_EQ(spoilt("40\\x01\t129\t0.3\t0.1\t0"), kFirst + "sku: has an unknown escape \\x");
  EXPECT_EQ(spoilt("4001\\\t129\t0.3\t0.1\t0"), kFirst + "sku: ends in a lone backslash");
  EXPECT_EQ(spoilt("4001\t12x\t0.3\t0.1\t0"),
            kFirst + "unit_price_minor: is not a whole number: '12x'");
  EXPECT_EQ(spoilt("4001\t-1\t0.3\t0.1\t0"), kFirst + "unit_price_minor: is out of range: -1");
  EXPECT_EQ(spoilt("4001\t129\tinf\t0.1\t0"),
            kFirst + "margin_rate: is not a finite number: 'inf'");
  EXPECT_EQ(spoilt("4001\t129\t0.3\tnan\t0"),
            kFirst + "probability: is not a finite number: 'nan'");
  EXPECT_EQ(spoilt("4001\t129\t0.3\t1.5\t0"), kFirst + "probability: is not between 0 and 1: 1.5");
  EXPECT_EQ(spoilt("4001\t129\t0.3\t0.1\t"), kFirst + "gap_visits: is not a finite number: ''");
  // Past a float's range: not read as infinity.
  EXPECT_EQ(spoilt("4001\t129\t0.3\t0.1\t1e39"),
            kFirst + "gap_visits: is not a finite number: '1e39'");
  EXPECT_EQ(spoilt("4001\t129\t0.3\t0.1\t0"), "decoded");
}

// What the nights of December 2026 before the 7th wrote: the name and category after the
// sku, which the value's own are kept (the catalog's are not looked up).
TEST(PackedCandidates, ASecondVersionValueStillDecodesWithItsOwnNames) {
  const auto read = UnpackCandidates(
      "v2 2\n4001\tOld \\\\ beans\tOLD\t1000\t0.4\t0.02\t0\n"
      "5001\tRice\\tlong\tGRAINS\t500\t0.25\t0.05\t2.5\n",
      "nv", kLabels);
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[0].candidate.name, "Old \\ beans");
  EXPECT_EQ((*read)[0].candidate.category, "OLD");
  EXPECT_EQ((*read)[0].candidate.unit_price_minor, 1000);
  EXPECT_EQ((*read)[0].candidate.probability, static_cast<double>(0.02f));  // a float's
  EXPECT_EQ((*read)[1].candidate.name, "Rice\tlong");
  EXPECT_EQ((*read)[1].candidate.gap_visits, 2.5);
  EXPECT_EQ(ErrorOf("v2 1\n4001\tMilk\n"),
            "next_visit_candidates.candidates[0].category: is missing: the record has 2 of 7"
            " fields");
  EXPECT_EQ(ErrorOf("v2 1\n4001\tMilk\\x\tDAIRY\t129\t0.3\t0.1\t0\n"),
            "next_visit_candidates.candidates[0].name: has an unknown escape \\x");
  EXPECT_EQ(ErrorOf("v2 1\n4001\tMilk\tDAIRY\\\t129\t0.3\t0.1\t0\n"),
            "next_visit_candidates.candidates[0].category: ends in a lone backslash");
}

// What migration 0025 and the nights before v2 wrote: ten fields, the last three (the
// run's depth, expected cost and value) counted but not read.
TEST(PackedCandidates, AFirstVersionValueStillDecodes) {
  const auto read = UnpackCandidates(
      "v1 2\n4001\tMilk\tDAIRY\t129\t0.3\t0.10000000000000001\t2.5\t15\t2.5\t1.25\n"
      "5001\tRice\\tlong\tGRAINS\t500\t0.25\t0.05\t0\t10\t5.4\t3.2\n",
      "nv", kLabels);
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[0].candidate.sku, "4001");
  EXPECT_EQ((*read)[0].candidate.name, "Milk");                      // its own, not the catalog's
  EXPECT_EQ((*read)[0].candidate.probability, 0.10000000000000001);  // a double, as written
  EXPECT_EQ((*read)[0].candidate.gap_visits, 2.5);
  EXPECT_EQ((*read)[1].candidate.name, "Rice\tlong");
  EXPECT_EQ((*read)[1].candidate.margin_rate, 0.25);
  EXPECT_EQ((*read)[1].rank, 1);
  EXPECT_EQ(ErrorOf("v1 1\n4001\tMilk\tDAIRY\t129\t0.3\t0.1\t0\n"),
            "next_visit_candidates.candidates[0].depth_percent: is missing: the record has 7 of"
            " 10 fields");
  EXPECT_EQ(ErrorOf("v1 1\n4001\tMilk\tDAIRY\t129\t0.3\t1.5\t0\t15\t2.5\t1.25\n"),
            "next_visit_candidates.candidates[0].probability: is not between 0 and 1: 1.5");
}

TEST(PackedCandidates, APurchaseSkipsAValueThatDoesNotDecode) {
  const auto record = Record(1, "nv", "2026-11-23", 0, "4001");
  std::vector<NextVisitCandidate> out;
  AppendUnpackedCandidates(PackCandidates({&record}), "nv", 1, kLabels, out);
  AppendUnpackedCandidates("v3 1\n4001\n", "nv", 1, kLabels, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].sku, "4001");
  EXPECT_EQ(out[0].name, "Coffee beans");
  EXPECT_EQ(out[0].campaign_id, "nv");
}

}  // namespace
}  // namespace loyalty::server
