#include "configurations.h"

#include "blocks/block.h"
#include "blocks/block_costs.h"
#include "segments/fingerprint.h"
#include "segments/segments.h"

namespace cfp_bench {

ConfigurationCounts CountConfigurations(const cfp::CostModel &model) {
  ConfigurationCounts c;
  const cfp::BlockPartition &blocks = model.blocks();
  const cfp::BlockTypes types = cfp::GroupBlockTypes(blocks, model);
  const std::vector<uint64_t> &fingerprint = types.fingerprint;
  std::vector<double> strategies(blocks.blocks.size());
  for (uint32_t b = 0; b < blocks.blocks.size(); ++b)
    strategies[b] = static_cast<double>(cfp::EntryStrategies(blocks.blocks[b], model).size());
  for (uint32_t type = 0; type < types.size(); ++type)
    c.per_block_sum += static_cast<uint64_t>(strategies[types.representative(type)]);
  c.blocks = static_cast<uint32_t>(blocks.blocks.size());

  std::vector<uint32_t> order;
  for (uint32_t b : blocks.order)
    if (blocks.blocks[b].kind != cfp::BlockKind::Parameter) order.push_back(b);
  std::vector<uint64_t> signature;
  for (uint32_t b : order) signature.push_back(fingerprint[b]);
  cfp::Segmentation seg = cfp::FindSegments(signature);
  c.searched_blocks = static_cast<uint32_t>(order.size());
  c.segments = static_cast<uint32_t>(seg.segments.size());
  c.unique_segments = seg.unique_types;
  std::vector<bool> counted(seg.unique_types, false);
  for (const cfp::Segment &s : seg.segments) {
    if (counted[s.type]) continue;
    counted[s.type] = true;
    double product = 1;
    for (uint32_t i = s.begin; i < s.end; ++i) product *= strategies[order[i]];
    c.cfp_product += product;
  }
  return c;
}

}  // namespace cfp_bench
