#include "subprocess.h"

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace cfp_bench {

ChildResult RunChild(const std::vector<std::string> &argv, double limit_seconds, uint64_t address_space_limit) {
  using Clock = std::chrono::steady_clock;
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  std::vector<char *> args;
  for (const std::string &a : argv) args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  auto start = Clock::now();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    if (address_space_limit > 0) {
      struct rlimit rl {static_cast<rlim_t>(address_space_limit), static_cast<rlim_t>(address_space_limit)};
      setrlimit(RLIMIT_AS, &rl);
    }
    execv(args[0], args.data());
    std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  ChildResult r;
  char buf[4096];
  bool open = true;
  while (open) {
    int wait_ms = -1;
    if (limit_seconds > 0) {
      double left = limit_seconds - std::chrono::duration<double>(Clock::now() - start).count();
      if (left <= 0) {
        kill(pid, SIGKILL);
        r.killed_at_limit = true;
        break;
      }
      wait_ms = static_cast<int>(left * 1000) + 1;
    }
    struct pollfd p {fds[0], POLLIN, 0};
    int n = poll(&p, 1, wait_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;  // timeout: the loop checks the limit
    ssize_t got = read(fds[0], buf, sizeof buf);
    if (got > 0) r.output.append(buf, static_cast<size_t>(got));
    else if (got == 0 || errno != EINTR) open = false;
  }
  close(fds[0]);
  int status = 0;
  struct rusage usage {};
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  r.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.peak_rss_bytes = static_cast<uint64_t>(usage.ru_maxrss) * 1024;  // kilobytes on Linux
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

uint64_t PeakRssOfThisProcess() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // "VmHWM:  1234 kB"
  return 0;
}

}  // namespace cfp_bench
