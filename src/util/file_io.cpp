#include "util/file_io.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "util/quote.h"

namespace cfp {

Result<std::vector<uint8_t>> ReadFile(const std::string &path, uint64_t max_bytes) {
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer; it is refused below.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return IoError("cannot open " + Quote(path) + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return IoError("cannot read " + Quote(path) + ": not a regular file");
  }
  // Checked before allocating: a huge file would otherwise fail as out of memory.
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    const std::string limit = max_bytes == kMaxReadFileBytes ? "the 2 GiB a graph, plan or profile DB may have"
                                                             : std::to_string(max_bytes) + " bytes";
    return IoError("cannot read " + Quote(path) + ": it is " + std::to_string(st.st_size) + " bytes, more than " + limit);
  }
  std::vector<uint8_t> data(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < data.size()) {
    ssize_t r = ::read(fd, data.data() + got, data.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      std::string err = r < 0 ? std::strerror(errno) : "file shrank while reading";
      ::close(fd);
      return IoError("cannot read " + Quote(path) + ": " + err);
    }
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  return data;
}

namespace {

// Writes all of `size` bytes to `fd`, retrying after signals and short writes.
Status WriteAll(int fd, const void *data, size_t size, const std::string &what) {
  const auto *p = static_cast<const char *>(data);
  size_t left = size;
  while (left > 0) {
    const ssize_t w = ::write(fd, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write " + Quote(what) + ": " + std::strerror(errno));
    }
    p += w;
    left -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

// A pipe whose reader has gone raises SIGPIPE on write, which would end the whole host
// process. While this lives, the calling thread blocks SIGPIPE (the write fails with EPIPE
// instead) and a SIGPIPE the write raised is discarded before the old mask comes back.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    ::sigpending(&pending);
    pending_before_ = sigismember(&pending, SIGPIPE) == 1;
    ::pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlocked() {
    sigset_t pending;
    sigemptyset(&pending);
    if (!pending_before_ && ::sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
      const timespec now{0, 0};
      while (::sigtimedwait(&pipe_, nullptr, &now) < 0 && errno == EINTR) {
      }
    }
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked &) = delete;
  SigpipeBlocked &operator=(const SigpipeBlocked &) = delete;

 private:
  sigset_t pipe_{}, old_{};
  bool pending_before_ = false;
};

// Follows `path` through symbolic links to the path they finally name, which need not
// exist yet (a dangling link names the file a write creates).
Result<std::string> FinalTarget(const std::string &path) {
  std::string at = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(at.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return at;
    std::string link(static_cast<size_t>(st.st_size > 0 ? st.st_size : 255) + 1, '\0');
    const ssize_t n = ::readlink(at.c_str(), link.data(), link.size());
    if (n < 0) return IoError("cannot read the link " + Quote(at) + ": " + std::strerror(errno));
    if (static_cast<size_t>(n) >= link.size()) return IoError("the link " + Quote(at) + " changed while it was read");
    link.resize(static_cast<size_t>(n));
    if (link.empty()) return IoError("the link " + Quote(at) + " is empty");
    // A relative link is relative to the directory holding it.
    const size_t slash = at.rfind('/');
    at = link[0] == '/' || slash == std::string::npos ? link : at.substr(0, slash + 1) + link;
  }
  return IoError("cannot write " + Quote(path) + ": too many levels of symbolic links");
}

std::string DirectoryOf(const std::string &path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The temporary-file-and-rename write of a regular file (or of one not there yet).
Status ReplaceRegularFile(const std::string &target, const struct stat *existing, const void *data, size_t size) {
  // mkstemp gives every writer, thread or process, a temporary file of its own.
  std::string tmp = target + ".tmp.XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return IoError("cannot create a temporary file beside " + Quote(target) + ": " + std::strerror(errno));
  // The replacement keeps the read, write and execute bits of the file it replaces (not
  // set-user-id and the like, which belonged to the old contents).
  ::fchmod(fd, existing ? existing->st_mode & 0777 : 0644);
  Status written = WriteAll(fd, data, size, tmp);
  if (written.ok() && ::fsync(fd) != 0) written = IoError("cannot write " + Quote(tmp) + ": " + std::strerror(errno));
  if (::close(fd) != 0 && written.ok()) written = IoError("cannot write " + Quote(tmp) + ": " + std::strerror(errno));
  if (written.ok() && std::rename(tmp.c_str(), target.c_str()) != 0)
    written = IoError("cannot rename " + Quote(tmp) + " to " + Quote(target) + ": " + std::strerror(errno));
  if (!written.ok()) {
    ::unlink(tmp.c_str());
    return written;
  }
  // The rename itself lasts once the directory holding it is on disk.
  const int dir = ::open(DirectoryOf(target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::Ok();
}

}  // namespace

Status WriteFileAtomically(const std::string &path, const void *data, size_t size) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    // What the path names, through any links: a pipe or a character device (/dev/null,
    // /dev/stdout, a terminal) is written as it is, never replaced by a regular file.
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
      SigpipeBlocked no_sigpipe;
      // Blocks until a FIFO has a reader, as any writer of one does.
      const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
      if (fd < 0) return IoError("cannot open " + Quote(path) + " for writing: " + std::strerror(errno));
      Status written = WriteAll(fd, data, size, path);
      if (::close(fd) != 0 && written.ok()) written = IoError("cannot write " + Quote(path) + ": " + std::strerror(errno));
      return written;
    }
    if (S_ISDIR(st.st_mode)) return IoError("cannot write " + Quote(path) + ": it is a directory");
    if (S_ISSOCK(st.st_mode)) return IoError("cannot write " + Quote(path) + ": it is a socket");
    if (S_ISBLK(st.st_mode)) return IoError("cannot write " + Quote(path) + ": it is a block device");
    if (!S_ISREG(st.st_mode)) return IoError("cannot write " + Quote(path) + ": not a regular file");
  } else if (errno != ENOENT) {
    return IoError("cannot write " + Quote(path) + ": " + std::strerror(errno));
  }
  // A regular file, or nothing yet. Through a symbolic link the file it names is replaced,
  // and the link stays a link.
  CFP_ASSIGN_OR_RETURN(std::string target, FinalTarget(path));
  const bool exists = ::stat(target.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  return ReplaceRegularFile(target, exists ? &st : nullptr, data, size);
}

}  // namespace cfp
