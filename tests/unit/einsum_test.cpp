#include <gtest/gtest.h>

#include "graph/einsum.h"

namespace cfp {
namespace {

Tensor T(std::vector<int64_t> shape) {
  Tensor t;
  t.shape = std::move(shape);
  return t;
}

TEST(Einsum, ParsesMatmulWithKindsFromOutputs) {
  Tensor x = T({8, 16}), w = T({16, 4}), y = T({8, 4});
  auto s = ParseEinsum("mk,kn->mn", {&x, &w}, {&y});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->ToString(), "ab,bc->ac");
  EXPECT_EQ(s->axes()[1].kind, AxisKind::Reduction);
  EXPECT_EQ(s->axes()[1].size, 16);
}

TEST(Einsum, InfersGroupedSizeFromTheOthers) {
  Tensor x = T({2, 64}), y = T({2, 4, 16});
  auto s = ParseEinsum("b(hd)->bhd", {&x}, {&y});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->axes()[1].size, 4);
  EXPECT_EQ(s->axes()[2].size, 16);
}

TEST(Einsum, RejectsMalformedSpecs) {
  Tensor x = T({8, 16}), y = T({8, 16});
  for (const char *bad : {"ab", "ab->a(b", "a(b)c)->abc", "a1->a", "ab,ab->ab", "abc->ab", "aa->a"}) {
    auto s = ParseEinsum(bad, {&x}, {&y});
    EXPECT_FALSE(s.ok()) << bad;
    if (!s.ok()) EXPECT_NE(s.status().message().find("einsum"), std::string::npos) << s.status().message();
  }
}

TEST(Einsum, RejectsInconsistentSizes) {
  Tensor x = T({8, 16}), y = T({8, 32});
  auto s = ParseEinsum("ab->ab", {&x}, {&y});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("is 32, its labels make 16"), std::string::npos) << s.status().message();
}

}  // namespace
}  // namespace cfp
