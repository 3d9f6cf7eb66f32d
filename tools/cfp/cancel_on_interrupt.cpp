#include "cancel_on_interrupt.h"

#include <unistd.h>

#include <atomic>
#include <csignal>

namespace cfp_cli {

namespace {

std::atomic<ProgressBar *> g_bar{nullptr};
std::atomic<int> g_interrupts{0};

extern "C" void OnInterrupt(int) {
  if (g_interrupts.fetch_add(1) > 0) _exit(130);
  if (ProgressBar *bar = g_bar.load()) bar->RequestCancel();
}

}  // namespace

CancelOnInterrupt::CancelOnInterrupt(ProgressBar *bar) {
  g_interrupts.store(0);
  g_bar.store(bar);
  previous_ = std::signal(SIGINT, OnInterrupt);
}

CancelOnInterrupt::~CancelOnInterrupt() {
  std::signal(SIGINT, previous_ == SIG_ERR ? SIG_DFL : previous_);
  g_bar.store(nullptr);
}

}  // namespace cfp_cli
