#include "planner/options.h"

namespace cfp {

Result<Mesh> OptimizerOptions::BuildMesh() const {
  CFP_ASSIGN_OR_RETURN(Mesh mesh, Mesh::Create(mesh_shape, device, devices_per_node));
  for (size_t a = 0; a < axis_links.size(); ++a) {
    if (!axis_links[a]) continue;
    if (static_cast<int>(a) >= mesh.num_axes())
      return InvalidArgument("a link is set for mesh axis " + std::to_string(a) + " but the mesh " + mesh.ToString() +
                             " has " + std::to_string(mesh.num_axes()) + " axes");
    mesh.mutable_axis(static_cast<int>(a)).bandwidth = axis_links[a]->first;
    mesh.mutable_axis(static_cast<int>(a)).latency = axis_links[a]->second;
  }
  return mesh;
}

void UseAlpaTestConvention(OptimizerOptions &o) {
  o.axis_links.assign(o.mesh_shape.size(), std::make_pair(1.0, 1.0));
  o.cost.compute_scale = 0;
  o.rules.allow_replicated_contractions = false;
  // Small enough never to outweigh a collective (alpha = 1 s), large enough to break ties.
  o.cost.replicated_param_penalty = 1e-9;
}

}  // namespace cfp
