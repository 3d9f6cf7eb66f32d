// Fuzz target: the profile DB loader (docs/profiling.md: the file is never trusted). Arbitrary bytes
// are decoded in memory and as a file on disk. A DB that loads re-encodes to bytes that load
// to the same entries; one that does not is refused as invalid data, and opening it as a
// file gives an empty DB with a warning. Saving over it keeps what was put and sets the bad
// file aside, so a hostile file never costs a measurement or crashes the trainer.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_checks.h"
#include "profile/profile_db.h"

namespace {

using cfp_fuzz::Fail;
using cfp_fuzz::Require;

// One scratch directory per process, removed at exit.
struct ScratchDirectory {
  std::string path;
  ScratchDirectory() {
    char pattern[] = "/tmp/cfp-fuzz-profile-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) Fail("cannot create a scratch directory");
    path = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

const std::string &ScratchDir() {
  static const ScratchDirectory dir;
  return dir.path;
}

void WriteFile(const std::string &path, const uint8_t *data, size_t size) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
  Require(f.good(), "cannot write the scratch file");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cfp::ProfileDb memory;
  const cfp::Status loaded = memory.LoadBuffer(data, size);
  if (loaded.ok()) {
    const std::vector<uint8_t> encoded = memory.ToBuffer();
    cfp::ProfileDb again;
    Require(again.LoadBuffer(encoded.data(), encoded.size()).ok(), "a re-encoded DB does not load");
    Require(again.entries() == memory.entries() && again.collectives() == memory.collectives(),
            "a re-encoded DB has other entries");
    Require(again.ToBuffer() == encoded, "encoding is not canonical");
    for (const auto &[key, m] : memory.entries())
      Require(memory.Find(key) == m, "an entry cannot be found", key.ToString());
    for (const auto &[key, m] : memory.collectives())
      Require(memory.FindCollective(key) == m, "a collective cannot be found", key.ToString());
  } else {
    Require(loaded.code() == cfp::Code::kInvalidData, "bad bytes are not invalid data", loaded.message());
    Require(!loaded.message().empty(), "a refused DB has no reason");
  }

  // The same bytes as a file: Open never fails on content, and Save over a bad file keeps
  // the new measurement and moves the bad file aside.
  const std::string path = ScratchDir() + "/profile.cfpdb", rejected = path + ".rejected";
  std::error_code ec;
  std::filesystem::remove(rejected, ec);
  WriteFile(path, data, size);
  auto opened = cfp::ProfileDb::Open(path);
  Require(opened.ok(), "Open failed on a readable file", opened.ok() ? "" : opened.status().message());
  cfp::ProfileDb &db = *opened;
  Require(db.warnings().empty() == loaded.ok(), "a warning does not match the load");
  Require(db.entries() == memory.entries() && db.collectives() == memory.collectives(),
          "the file and the buffer load differently");
  const cfp::ProfileKey key{0x5eed, "fuzz", "fuzz-device", cfp::DType::BF16, "fuzz 0"};
  const cfp::Measurement m{1e-3, 3, 0.01, 1};
  Require(db.Put(key, m).ok(), "Put");
  const cfp::Status saved = db.Save();
  Require(saved.ok(), "Save over the file", saved.message());
  Require(std::filesystem::exists(rejected) != loaded.ok(), "a bad file was not set aside (or a good one was)");
  auto reopened = cfp::ProfileDb::Open(path);
  Require(reopened.ok() && reopened->warnings().empty(), "a saved DB does not reopen cleanly");
  Require(reopened->Find(key) == m, "the saved measurement is lost");
  Require(reopened->size() == memory.size() + (memory.Find(key) ? 0 : 1), "Save lost or invented entries");
  return 0;
}
