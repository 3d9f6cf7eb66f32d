// The persistent profile database (docs/design.md §7, docs/profiling.md): measured times keyed by (block
// fingerprint, strategy, device, dtype, library version), and measured collectives, in a
// FlatBuffers file (flatbuffers/profile.fbs).
//
// The file is never trusted: it is verified (identifier, FlatBuffers verifier, schema
// version, sorted unique keys, finite times, a checksum of the values) and a file that
// fails is reported as a warning, ignored, and replaced on the next Save (the bad file is
// kept beside it as "<path>.rejected"). Saving takes an exclusive flock on "<path>.lock",
// re-reads the file, merges, and writes atomically, so concurrent writers — threads or
// processes — lose no entries.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "graph/types.h"
#include "profile/device_backend.h"
#include "util/status.h"

namespace cfp {

inline constexpr uint32_t kProfileSchemaVersion = 1;

struct ProfileKey {
  uint64_t fingerprint = 0;
  std::string strategy;  // e.g. "a0<-[0] a2<-[1]"
  std::string device;    // e.g. "NVIDIA H100 80GB HBM3"
  DType dtype = DType::F32;
  std::string library_version;

  auto operator<=>(const ProfileKey &) const = default;
  bool operator==(const ProfileKey &) const = default;
  // Canonical text, stable across runs and platforms: every field, length-prefixed where
  // it is free text, e.g. "fp=00000000000000ff strategy[3]=a0< ...". Used in messages and
  // pinned by a golden test.
  std::string ToString() const;
};

struct CollectiveKey {
  CollectiveKind kind = CollectiveKind::AllReduce;
  uint32_t group = 0;
  uint64_t bytes = 0;
  std::string device;
  std::string topology;  // e.g. "1x8": nodes x devices per node
  std::string library_version;

  auto operator<=>(const CollectiveKey &) const = default;
  bool operator==(const CollectiveKey &) const = default;
  std::string ToString() const;
};

struct Measurement {
  double seconds = 0;    // median of one run
  uint32_t repeats = 0;  // timed runs behind the median (0: unknown)
  double spread = 0;     // (max - min) / median of the repeats (0: unknown)
  int64_t unix_time = 0; // when measured

  bool operator==(const Measurement &) const = default;
};

// Where the DB lives by default: $CFP_PROFILE_DB, else $XDG_CACHE_HOME/cfp/profile.cfpdb,
// else $HOME/.cache/cfp/profile.cfpdb, else ./cfp-profile.cfpdb.
std::string DefaultProfileDbPath();

// Thread-safe: one ProfileDb may be shared by threads; separate ProfileDb objects (in
// threads or processes) on the same path cooperate through Save.
class ProfileDb {
 public:
  // An empty, in-memory DB bound to `path` (nothing is read).
  explicit ProfileDb(std::string path = {});
  ProfileDb(ProfileDb &&other) noexcept;
  ProfileDb &operator=(ProfileDb &&other) noexcept;

  // Loads `path`. A missing file gives an empty DB; an invalid one an empty DB plus a
  // warning. kIo only when an existing file cannot be read (permissions).
  static Result<ProfileDb> Open(const std::string &path);

  const std::string &path() const { return path_; }
  // Problems met while loading or saving (a rejected file), for the caller to surface.
  std::vector<std::string> warnings() const;

  std::optional<Measurement> Find(const ProfileKey &key) const;
  std::optional<Measurement> FindCollective(const CollectiveKey &key) const;
  // Rejects non-finite or negative times and keys with an invalid dtype.
  Status Put(const ProfileKey &key, const Measurement &m);
  Status PutCollective(const CollectiveKey &key, const Measurement &m);
  size_t size() const;
  size_t collective_count() const;
  // Copies, sorted by key.
  std::map<ProfileKey, Measurement> entries() const;
  std::map<CollectiveKey, Measurement> collectives() const;

  // Merges this DB into the file under the lock and writes it atomically: entries on disk
  // that this object does not have are kept; entries Put since the last Save override
  // the file's. Afterwards this object holds the merged contents. Creates the parent
  // directory if needed.
  Status Save();

  // The file format, for tests and tools.
  std::vector<uint8_t> ToBuffer() const;
  // Verifies and decodes a buffer into this object's entries (replacing them).
  // kInvalidData with the reason when it fails any check.
  Status LoadBuffer(const void *data, size_t size);

 private:
  struct Contents {
    std::map<ProfileKey, Measurement> entries;
    std::map<CollectiveKey, Measurement> collectives;
  };
  static std::vector<uint8_t> Encode(const Contents &c);
  static Result<Contents> Decode(const void *data, size_t size);
  // Reads the file at path_: nullopt if missing; kInvalidData if invalid; kIo if unreadable.
  Result<std::optional<Contents>> ReadFileContents() const;

  std::string path_;
  mutable std::mutex mu_;
  Contents contents_;
  // Keys Put since the last Save; they win over the file's values on merge.
  std::set<ProfileKey> dirty_entries_;
  std::set<CollectiveKey> dirty_collectives_;
  std::vector<std::string> warnings_;
};

}  // namespace cfp
