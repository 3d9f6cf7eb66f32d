// Ctrl-C during a long call (profiling, search) asks the library to stop at its next
// progress report instead of killing the process, so measurements taken so far are saved.
#pragma once

#include "progress_bar.h"

namespace cfp_cli {

// While alive, SIGINT makes `bar`'s callback return "cancel"; a second SIGINT exits at
// once. Restores the previous handler on destruction.
class CancelOnInterrupt {
 public:
  explicit CancelOnInterrupt(ProgressBar *bar);
  ~CancelOnInterrupt();
  CancelOnInterrupt(const CancelOnInterrupt &) = delete;
  CancelOnInterrupt &operator=(const CancelOnInterrupt &) = delete;

 private:
  void (*previous_)(int);
};

}  // namespace cfp_cli
