/* The public header must compile as strict C11 (and C++11) without warnings. */
#include <cfp.h>

#if CFP_VERSION_NUMBER < 100
#error "version macros missing"
#endif

static cfp_status touch(void) {
  cfp_graph *g = NULL;
  cfp_status s = cfp_graph_from_buffer(NULL, 0, &g);
  cfp_graph_destroy(g);
  return s;
}

int main(void) { return touch() == CFP_OK; }
