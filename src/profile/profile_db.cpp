#include "profile/profile_db.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "profile_generated.h"
#include "util/file_io.h"
#include "util/flatbuffers_verify.h"

namespace cfp {
namespace {

// FNV-1a, 64 bit (Fowler, Noll, Vo): fed explicit little-endian encodings so the
// checksum is the same on every platform and every FlatBuffers version.
class Fnv1a {
 public:
  void Bytes(const void *p, size_t n) {
    const auto *b = static_cast<const uint8_t *>(p);
    for (size_t i = 0; i < n; ++i) {
      h_ ^= b[i];
      h_ *= 0x100000001b3ull;
    }
  }
  void U64(uint64_t v) {
    uint8_t b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
    Bytes(b, 8);
  }
  void F64(double v) { U64(std::bit_cast<uint64_t>(v)); }
  void Str(const std::string &s) {
    U64(s.size());
    Bytes(s.data(), s.size());
  }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 0xcbf29ce484222325ull;
};

void HashMeasurement(Fnv1a &h, const Measurement &m) {
  h.F64(m.seconds);
  h.U64(m.repeats);
  h.F64(m.spread);
  h.U64(static_cast<uint64_t>(m.unix_time));
}

template <class Contents>
uint64_t Checksum(const Contents &c) {
  Fnv1a h;
  h.U64(c.entries.size());
  for (const auto &[k, m] : c.entries) {
    h.U64(k.fingerprint);
    h.Str(k.strategy);
    h.Str(k.device);
    h.U64(static_cast<uint64_t>(k.dtype));
    h.Str(k.library_version);
    HashMeasurement(h, m);
  }
  h.U64(c.collectives.size());
  for (const auto &[k, m] : c.collectives) {
    h.U64(static_cast<uint64_t>(k.kind));
    h.U64(k.group);
    h.U64(k.bytes);
    h.Str(k.device);
    h.Str(k.topology);
    h.Str(k.library_version);
    HashMeasurement(h, m);
  }
  return h.value();
}

Status CheckMeasurement(const Measurement &m) {
  if (!std::isfinite(m.seconds) || m.seconds < 0)
    return InvalidArgument("a measured time must be finite and >= 0, got " + std::to_string(m.seconds));
  if (!std::isfinite(m.spread) || m.spread < 0)
    return InvalidArgument("a spread must be finite and >= 0, got " + std::to_string(m.spread));
  return Status::Ok();
}

std::string Text(const char *name, const std::string &s) {
  return std::string(name) + "[" + std::to_string(s.size()) + "]=" + s;
}

// Closes the lock file (releasing the flock) on every path out of Save.
struct LockFile {
  int fd = -1;
  ~LockFile() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string ProfileKey::ToString() const {
  char fp[32];
  std::snprintf(fp, sizeof fp, "%016" PRIx64, fingerprint);
  return "fp=" + std::string(fp) + " " + Text("strategy", strategy) + " " + Text("device", device) +
         " dtype=" + std::string(DTypeName(dtype)) + " " + Text("version", library_version);
}

std::string CollectiveKey::ToString() const {
  return std::string(CollectiveKindName(kind)) + " group=" + std::to_string(group) + " bytes=" + std::to_string(bytes) +
         " " + Text("device", device) + " " + Text("topology", topology) + " " + Text("version", library_version);
}

std::string DefaultProfileDbPath() {
  auto env = [](const char *name) -> std::string {
    const char *v = std::getenv(name);
    return v ? v : "";
  };
  if (std::string p = env("CFP_PROFILE_DB"); !p.empty()) return p;
  if (std::string p = env("XDG_CACHE_HOME"); !p.empty()) return p + "/cfp/profile.cfpdb";
  if (std::string p = env("HOME"); !p.empty()) return p + "/.cache/cfp/profile.cfpdb";
  return "cfp-profile.cfpdb";
}

ProfileDb::ProfileDb(std::string path) : path_(std::move(path)) {}

ProfileDb::ProfileDb(ProfileDb &&other) noexcept {
  std::lock_guard lock(other.mu_);
  path_ = std::move(other.path_);
  contents_ = std::move(other.contents_);
  dirty_entries_ = std::move(other.dirty_entries_);
  dirty_collectives_ = std::move(other.dirty_collectives_);
  warnings_ = std::move(other.warnings_);
}

ProfileDb &ProfileDb::operator=(ProfileDb &&other) noexcept {
  if (this == &other) return *this;
  std::scoped_lock lock(mu_, other.mu_);
  path_ = std::move(other.path_);
  contents_ = std::move(other.contents_);
  dirty_entries_ = std::move(other.dirty_entries_);
  dirty_collectives_ = std::move(other.dirty_collectives_);
  warnings_ = std::move(other.warnings_);
  return *this;
}

std::vector<uint8_t> ProfileDb::Encode(const Contents &c) {
  flatbuffers::FlatBufferBuilder b(256 + c.entries.size() * 160 + c.collectives.size() * 128);
  std::vector<flatbuffers::Offset<fb::ProfileEntry>> entries;
  entries.reserve(c.entries.size());
  for (const auto &[k, m] : c.entries) {
    auto strategy = b.CreateString(k.strategy);
    auto device = b.CreateString(k.device);
    auto version = b.CreateString(k.library_version);
    entries.push_back(fb::CreateProfileEntry(b, k.fingerprint, strategy, device, static_cast<uint8_t>(k.dtype), version,
                                             m.seconds, m.repeats, m.spread, m.unix_time));
  }
  std::vector<flatbuffers::Offset<fb::CollectiveEntry>> collectives;
  collectives.reserve(c.collectives.size());
  for (const auto &[k, m] : c.collectives) {
    auto device = b.CreateString(k.device);
    auto topology = b.CreateString(k.topology);
    auto version = b.CreateString(k.library_version);
    collectives.push_back(fb::CreateCollectiveEntry(b, static_cast<uint8_t>(k.kind), k.group, k.bytes, device, topology,
                                                    version, m.seconds, m.repeats, m.spread, m.unix_time));
  }
  auto ev = b.CreateVector(entries);
  auto cv = b.CreateVector(collectives);
  b.Finish(fb::CreateProfileDb(b, kProfileSchemaVersion, Checksum(c), ev, cv), fb::ProfileDbIdentifier());
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

Result<ProfileDb::Contents> ProfileDb::Decode(const void *data, size_t size) {
  const auto *bytes = static_cast<const uint8_t *>(data);
  if (data == nullptr || size == 0) return InvalidData("the file is empty");
  if (size < 8) return InvalidData("the file is truncated (" + std::to_string(size) + " bytes)");
  if (!flatbuffers::BufferHasIdentifier(bytes, fb::ProfileDbIdentifier())) {
    std::string id(reinterpret_cast<const char *>(bytes) + 4, 4);
    for (char &ch : id)
      if (ch < 32 || ch > 126) ch = '?';
    return InvalidData("not a libcfp profile DB: file identifier is '" + id + "', expected 'CFPD'");
  }
  if (size >= FLATBUFFERS_MAX_BUFFER_SIZE) return InvalidData("the file exceeds the FlatBuffers limit of 2 GiB");
  flatbuffers::Verifier verifier(bytes, size, VerifierOptions(size));
  if (!fb::VerifyProfileDbBuffer(verifier))
    return InvalidData("the file failed FlatBuffers verification (truncated or corrupted, " + std::to_string(size) +
                       " bytes)");
  const fb::ProfileDb *db = fb::GetProfileDb(bytes);
  if (db->schema_version() == 0) return InvalidData("the file has no schema_version");
  if (db->schema_version() > kProfileSchemaVersion)
    return InvalidData("the file has schema version " + std::to_string(db->schema_version()) +
                       ", newer than this library reads (" + std::to_string(kProfileSchemaVersion) + ")");
  Contents c;
  auto measurement = [](auto *e) {
    return Measurement{e->seconds(), e->repeats(), e->spread(), e->unix_time()};
  };
  if (db->entries()) {
    const ProfileKey *prev = nullptr;
    for (const fb::ProfileEntry *e : *db->entries()) {
      if (!e->strategy() || !e->device() || !e->library_version())
        return InvalidData("entry " + std::to_string(c.entries.size()) + " lacks part of its key");
      if (!IsValidDType(e->dtype()))
        return InvalidData("entry " + std::to_string(c.entries.size()) + " has an unknown dtype " + std::to_string(e->dtype()));
      ProfileKey k{e->fingerprint(), e->strategy()->str(), e->device()->str(), static_cast<DType>(e->dtype()),
                   e->library_version()->str()};
      Measurement m = measurement(e);
      if (Status s = CheckMeasurement(m); !s.ok()) return InvalidData("entry " + k.ToString() + ": " + s.message());
      if (prev && !(*prev < k)) return InvalidData("entries are not sorted by key at " + k.ToString());
      prev = &c.entries.emplace(std::move(k), m).first->first;
    }
  }
  if (db->collectives()) {
    const CollectiveKey *prev = nullptr;
    for (const fb::CollectiveEntry *e : *db->collectives()) {
      if (!e->device() || !e->topology() || !e->library_version())
        return InvalidData("collective " + std::to_string(c.collectives.size()) + " lacks part of its key");
      if (!IsValidCollectiveKind(e->kind()))
        return InvalidData("collective " + std::to_string(c.collectives.size()) + " has an unknown kind " +
                           std::to_string(e->kind()));
      CollectiveKey k{static_cast<CollectiveKind>(e->kind()), e->group(), e->bytes(), e->device()->str(),
                      e->topology()->str(), e->library_version()->str()};
      Measurement m = measurement(e);
      if (Status s = CheckMeasurement(m); !s.ok()) return InvalidData("collective " + k.ToString() + ": " + s.message());
      if (prev && !(*prev < k)) return InvalidData("collectives are not sorted by key at " + k.ToString());
      prev = &c.collectives.emplace(std::move(k), m).first->first;
    }
  }
  if (Checksum(c) != db->checksum()) return InvalidData("the checksum does not match the contents (a value was altered)");
  return c;
}

Result<std::optional<ProfileDb::Contents>> ProfileDb::ReadFileContents() const {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec) && !ec) return std::optional<Contents>();
  CFP_ASSIGN_OR_RETURN(std::vector<uint8_t> data, ReadFile(path_));
  CFP_ASSIGN_OR_RETURN(Contents c, Decode(data.data(), data.size()));
  return std::optional<Contents>(std::move(c));
}

Result<ProfileDb> ProfileDb::Open(const std::string &path) {
  if (path.empty()) return InvalidArgument("profile DB path is empty");
  ProfileDb db(path);
  auto read = db.ReadFileContents();
  if (read.ok()) {
    if (read->has_value()) db.contents_ = std::move(**read);
  } else if (read.status().code() == Code::kInvalidData) {
    db.warnings_.push_back("profile DB '" + path + "' was rejected and will be rebuilt: " + read.status().message());
  } else {
    return Status(read.status().code(), "profile DB: " + read.status().message());
  }
  return db;
}

std::vector<std::string> ProfileDb::warnings() const {
  std::lock_guard lock(mu_);
  return warnings_;
}

std::optional<Measurement> ProfileDb::Find(const ProfileKey &key) const {
  std::lock_guard lock(mu_);
  auto it = contents_.entries.find(key);
  if (it == contents_.entries.end()) return std::nullopt;
  return it->second;
}

std::optional<Measurement> ProfileDb::FindCollective(const CollectiveKey &key) const {
  std::lock_guard lock(mu_);
  auto it = contents_.collectives.find(key);
  if (it == contents_.collectives.end()) return std::nullopt;
  return it->second;
}

Status ProfileDb::Put(const ProfileKey &key, const Measurement &m) {
  CFP_RETURN_IF_ERROR(CheckMeasurement(m));
  if (!IsValidDType(static_cast<int>(key.dtype))) return InvalidArgument("profile key has an unknown dtype");
  std::lock_guard lock(mu_);
  contents_.entries[key] = m;
  dirty_entries_.insert(key);
  return Status::Ok();
}

Status ProfileDb::PutCollective(const CollectiveKey &key, const Measurement &m) {
  CFP_RETURN_IF_ERROR(CheckMeasurement(m));
  if (!IsValidCollectiveKind(static_cast<int>(key.kind))) return InvalidArgument("collective key has an unknown kind");
  std::lock_guard lock(mu_);
  contents_.collectives[key] = m;
  dirty_collectives_.insert(key);
  return Status::Ok();
}

size_t ProfileDb::size() const {
  std::lock_guard lock(mu_);
  return contents_.entries.size();
}

size_t ProfileDb::collective_count() const {
  std::lock_guard lock(mu_);
  return contents_.collectives.size();
}

std::map<ProfileKey, Measurement> ProfileDb::entries() const {
  std::lock_guard lock(mu_);
  return contents_.entries;
}

std::map<CollectiveKey, Measurement> ProfileDb::collectives() const {
  std::lock_guard lock(mu_);
  return contents_.collectives;
}

std::vector<uint8_t> ProfileDb::ToBuffer() const {
  std::lock_guard lock(mu_);
  return Encode(contents_);
}

Status ProfileDb::LoadBuffer(const void *data, size_t size) {
  CFP_ASSIGN_OR_RETURN(Contents c, Decode(data, size));
  std::lock_guard lock(mu_);
  contents_ = std::move(c);
  dirty_entries_.clear();
  dirty_collectives_.clear();
  return Status::Ok();
}

Status ProfileDb::Save() {
  std::lock_guard lock(mu_);
  if (path_.empty()) return InvalidArgument("profile DB has no path to save to");
  std::filesystem::path parent = std::filesystem::path(path_).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return IoError("cannot create the directory of profile DB '" + path_ + "': " + ec.message());
  }
  // flock locks belong to the open file description, so separate opens exclude each
  // other across threads as well as processes.
  LockFile lock_file;
  const std::string lock_path = path_ + ".lock";
  lock_file.fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_file.fd < 0) return IoError("cannot open lock file '" + lock_path + "': " + std::strerror(errno));
  while (::flock(lock_file.fd, LOCK_EX) != 0) {
    if (errno != EINTR) return IoError("cannot lock '" + lock_path + "': " + std::strerror(errno));
  }

  Contents merged;
  auto disk = ReadFileContents();
  if (disk.ok()) {
    if (disk->has_value()) merged = std::move(**disk);
  } else if (disk.status().code() == Code::kInvalidData) {
    const std::string rejected = path_ + ".rejected";
    std::string warning = "profile DB '" + path_ + "' was rejected and rebuilt: " + disk.status().message();
    if (std::rename(path_.c_str(), rejected.c_str()) == 0) warning += " (the rejected file is kept as '" + rejected + "')";
    warnings_.push_back(std::move(warning));
  } else {
    return Status(disk.status().code(), "profile DB: " + disk.status().message());
  }
  for (const auto &[k, m] : contents_.entries)
    if (dirty_entries_.count(k) || !merged.entries.count(k)) merged.entries[k] = m;
  for (const auto &[k, m] : contents_.collectives)
    if (dirty_collectives_.count(k) || !merged.collectives.count(k)) merged.collectives[k] = m;
  std::vector<uint8_t> buf = Encode(merged);
  CFP_RETURN_IF_ERROR(WriteFileAtomically(path_, buf.data(), buf.size()));
  contents_ = std::move(merged);
  dirty_entries_.clear();
  dirty_collectives_.clear();
  return Status::Ok();
}

}  // namespace cfp
