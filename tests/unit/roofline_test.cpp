// The analytic compute time of single ops (docs/design.md §7: roofline of FLOPs against peak and
// bytes moved against HBM bandwidth, plus a launch overhead).
#include <gtest/gtest.h>

#include "cost/cost_model.h"
#include "graph/emitter.h"
#include "planner/planner.h"

namespace cfp {
namespace {

// An embedding lookup: `tokens` int32 ids into a [vocab, hidden] f32 table.
Graph Lookup(int64_t vocab, int64_t hidden, int64_t tokens) {
  GraphBuilder b("lookup");
  OpEmitter e(b);
  e.Gather(e.Parameter("table", {vocab, hidden}), e.Input("ids", {tokens}, DType::I32));
  return b.Finish().value();
}

double GatherTime(const Graph &g, const Strategy &s) {
  OptimizerOptions o;
  o.mesh_shape = {8};
  CostModel model(g, o.BuildMesh().value(), o.device, o.cost, o.rules);
  return model.AnalyticRunTime(0, s);
}

// A gather reads the rows it returns: its time does not grow with the table, and it is the
// time of moving the ids and the gathered rows twice (read, write).
TEST(Roofline, GatherReadsItsRowsNotItsTable) {
  const Strategy replicated;
  const Graph small = Lookup(4096, 4096, 2048), large = Lookup(262144, 4096, 2048);
  EXPECT_DOUBLE_EQ(GatherTime(small, replicated), GatherTime(large, replicated));
  const DeviceSpec d = OptimizerOptions{}.device;
  const double bytes = 2048 * 4.0 + 2.0 * 2048 * 4096 * 4.0;
  EXPECT_NEAR(GatherTime(large, replicated), bytes / d.memory_bandwidth + d.kernel_overhead, 1e-12);
  // A table smaller than the rows gathered is read once, whole.
  const Graph tiny = Lookup(16, 4096, 2048);
  EXPECT_NEAR(GatherTime(tiny, replicated), (2048 * 4.0 + 2048 * 4096 * 4.0 + 16 * 4096 * 4.0) / d.memory_bandwidth + d.kernel_overhead,
              1e-12);
}

}  // namespace
}  // namespace cfp
