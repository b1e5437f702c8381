// The tunable loyalty-batch starts itself again with (batch/huge_pages.h): added to what
// the environment holds, and never over an operator's own setting.
#include "batch/huge_pages.h"

#include <gtest/gtest.h>

namespace loyalty::server::batch {
namespace {

TEST(HugePagesTest, AsksForThemWhenTheVariableIsUnsetOrEmpty) {
  EXPECT_EQ(TunablesWithHugePages(nullptr), "glibc.malloc.hugetlb=1");
  EXPECT_EQ(TunablesWithHugePages(""), "glibc.malloc.hugetlb=1");
}

TEST(HugePagesTest, KeepsTheOtherTunables) {
  EXPECT_EQ(TunablesWithHugePages("glibc.malloc.arena_max=2"),
            "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1");
  EXPECT_EQ(TunablesWithHugePages("glibc.malloc.arena_max=2:glibc.rtld.nns=4"),
            "glibc.malloc.arena_max=2:glibc.rtld.nns=4:glibc.malloc.hugetlb=1");
}

TEST(HugePagesTest, LeavesAnOperatorsSettingAlone) {
  // Set once already (the restarted process itself sees this), or turned off by hand.
  EXPECT_EQ(TunablesWithHugePages("glibc.malloc.hugetlb=1"), std::nullopt);
  EXPECT_EQ(TunablesWithHugePages("glibc.malloc.hugetlb=0"), std::nullopt);
  EXPECT_EQ(TunablesWithHugePages("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=0"),
            std::nullopt);
}

TEST(HugePagesTest, ATunableThatOnlyStartsAlikeIsAnother) {
  EXPECT_EQ(TunablesWithHugePages("glibc.malloc.hugetlbx=0"),
            "glibc.malloc.hugetlbx=0:glibc.malloc.hugetlb=1");
  EXPECT_EQ(TunablesWithHugePages("xglibc.malloc.hugetlb=0"),
            "xglibc.malloc.hugetlb=0:glibc.malloc.hugetlb=1");
}

}  // namespace
}  // namespace loyalty::server::batch
