// The profile database: round trips, rejection of every kind of bad file, lossless
// concurrent writers (threads and processes) and stable keys.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <bit>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "profile/profile_db.h"
#include "profile_generated.h"
#include "util/file_io.h"

namespace cfp {
namespace {

std::string FreshPath(const std::string &name) {
  std::string dir = ::testing::TempDir() + "/profile_db_test_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::string path = dir + "/" + name;
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".lock");
  std::filesystem::remove(path + ".rejected");
  return path;
}

ProfileKey Key(uint64_t fp, const std::string &strategy = "a0<-[0]", DType dtype = DType::BF16) {
  return {fp, strategy, "NVIDIA H100 80GB HBM3", dtype, "cfp 0.1.0; cuda 13000"};
}

Measurement Time(double s) { return {s, 11, 0.02, 1700000000}; }

void WriteBytes(const std::string &path, const std::vector<uint8_t> &bytes) {
  ASSERT_TRUE(WriteFileAtomically(path, bytes.data(), bytes.size()).ok());
}

ProfileDb MakeSample() {
  ProfileDb db;
  EXPECT_TRUE(db.Put(Key(1), Time(1.5e-3)).ok());
  EXPECT_TRUE(db.Put(Key(1, "a1<-[0]"), Time(2.5e-3)).ok());
  EXPECT_TRUE(db.Put(Key(2, "a0<-[0] a2<-[1]", DType::F32), {7e-4, 5, 0, 42}).ok());
  EXPECT_TRUE(db.PutCollective({CollectiveKind::AllReduce, 8, 1 << 20, "NVIDIA H100 80GB HBM3", "1x8", "nccl 22809"},
                               Time(8e-5))
                  .ok());
  EXPECT_TRUE(db.PutCollective({CollectiveKind::AllToAll, 4, 4096, "NVIDIA H100 80GB HBM3", "1x4", "nccl 22809"},
                               Time(2e-5))
                  .ok());
  return db;
}

// ---- Round trips ---------------------------------------------------------------------

TEST(ProfileDb, RoundTripKeepsEveryField) {
  const std::string path = FreshPath("roundtrip.cfpdb");
  ProfileDb db = MakeSample();
  ProfileDb bound(path);
  ASSERT_TRUE(bound.LoadBuffer(db.ToBuffer().data(), db.ToBuffer().size()).ok());
  ASSERT_TRUE(bound.Save().ok());

  auto loaded = ProfileDb::Open(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(loaded->warnings().empty());
  EXPECT_EQ(loaded->entries(), db.entries());
  EXPECT_EQ(loaded->collectives(), db.collectives());
  auto m = loaded->Find(Key(2, "a0<-[0] a2<-[1]", DType::F32));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(*m, (Measurement{7e-4, 5, 0, 42}));
  EXPECT_FALSE(loaded->Find(Key(2)).has_value()) << "a different strategy/dtype is a different key";
  EXPECT_FALSE(loaded->Find({1, "a0<-[0]", "NVIDIA A100-SXM4-80GB", DType::BF16, "cfp 0.1.0; cuda 13000"}).has_value())
      << "another device is another key";
}

TEST(ProfileDb, MissingFileIsAnEmptyDbWithoutWarnings) {
  auto db = ProfileDb::Open(FreshPath("missing.cfpdb"));
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db->size(), 0u);
  EXPECT_TRUE(db->warnings().empty());
}

TEST(ProfileDb, SaveCreatesTheDirectory) {
  const std::string path = FreshPath("nested") + "/a/b/profile.cfpdb";
  ProfileDb db(path);
  ASSERT_TRUE(db.Put(Key(9), Time(1)).ok());
  ASSERT_TRUE(db.Save().ok());
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST(ProfileDb, SerializationIsIndependentOfInsertionOrder) {
  ProfileDb a, b;
  std::vector<ProfileKey> keys;
  for (uint64_t i = 0; i < 20; ++i) keys.push_back(Key(i * 7919 % 101, "s" + std::to_string(i % 3)));
  for (const auto &k : keys) ASSERT_TRUE(a.Put(k, Time(static_cast<double>(k.fingerprint))).ok());
  std::shuffle(keys.begin(), keys.end(), std::mt19937(3));
  for (const auto &k : keys) ASSERT_TRUE(b.Put(k, Time(static_cast<double>(k.fingerprint))).ok());
  EXPECT_EQ(a.ToBuffer(), b.ToBuffer());
}

TEST(ProfileDb, RejectsInvalidMeasurements) {
  ProfileDb db;
  EXPECT_EQ(db.Put(Key(1), {-1.0, 1, 0, 0}).code(), Code::kInvalidArgument);
  EXPECT_EQ(db.Put(Key(1), {std::nan(""), 1, 0, 0}).code(), Code::kInvalidArgument);
  EXPECT_EQ(db.Put(Key(1), {1.0, 1, INFINITY, 0}).code(), Code::kInvalidArgument);
  EXPECT_EQ(db.Put(Key(1, "s", static_cast<DType>(99)), Time(1)).code(), Code::kInvalidArgument);
  EXPECT_EQ(db.size(), 0u);
}

// ---- Key stability -------------------------------------------------------------------

TEST(ProfileDb, GoldenKeyText) {
  ProfileKey k{0x00c0ffee12345678ull, "a0<-[0] a2<-[1]", "NVIDIA H100 80GB HBM3", DType::BF16, "cfp 0.1.0"};
  EXPECT_EQ(k.ToString(),
            "fp=00c0ffee12345678 strategy[15]=a0<-[0] a2<-[1] device[21]=NVIDIA H100 80GB HBM3 dtype=bf16 "
            "version[9]=cfp 0.1.0");
  CollectiveKey c{CollectiveKind::ReduceScatter, 8, 1048576, "NVIDIA H100 80GB HBM3", "1x8", "nccl 22809"};
  EXPECT_EQ(c.ToString(),
            "reduce-scatter group=8 bytes=1048576 device[21]=NVIDIA H100 80GB HBM3 topology[3]=1x8 version[10]=nccl "
            "22809");
}

// The checksum is computed from decoded values with explicit little-endian encodings, so
// it is the same on every run, platform and FlatBuffers version; a change here means old
// DB files would be rejected.
TEST(ProfileDb, GoldenChecksum) {
  ProfileDb db;
  ASSERT_TRUE(db.Put({0x00c0ffee12345678ull, "a0<-[0] a2<-[1]", "NVIDIA H100 80GB HBM3", DType::BF16, "cfp 0.1.0"},
                     {1.25e-3, 11, 0.03125, 1700000000})
                  .ok());
  ASSERT_TRUE(db.PutCollective({CollectiveKind::AllGather, 4, 65536, "NVIDIA H100 80GB HBM3", "1x4", "nccl 22809"},
                               {2.5e-5, 11, 0.0, 1700000001})
                  .ok());
  std::vector<uint8_t> buf = db.ToBuffer();
  const fb::ProfileDb *root = fb::GetProfileDb(buf.data());
  EXPECT_EQ(root->schema_version(), kProfileSchemaVersion);
  EXPECT_EQ(root->checksum(), 0xea00b166d37821f2ull);  // also computed independently in Python
  // And the same buffer, byte for byte, when built again.
  EXPECT_EQ(buf, db.ToBuffer());
}

// ---- Rejected files ------------------------------------------------------------------

void ExpectRejected(const std::string &path, const std::string &fragment) {
  auto db = ProfileDb::Open(path);
  ASSERT_TRUE(db.ok()) << db.status().message();
  EXPECT_EQ(db->size(), 0u);
  ASSERT_EQ(db->warnings().size(), 1u);
  EXPECT_NE(db->warnings()[0].find(fragment), std::string::npos) << db->warnings()[0];
  EXPECT_NE(db->warnings()[0].find(path), std::string::npos) << "the warning names the file";
}

TEST(ProfileDb, TruncatedFilesAreRejected) {
  const std::string path = FreshPath("truncated.cfpdb");
  std::vector<uint8_t> good = MakeSample().ToBuffer();
  for (size_t keep : {size_t{0}, size_t{3}, size_t{8}, good.size() / 2, good.size() - 1}) {
    WriteBytes(path, std::vector<uint8_t>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(keep)));
    SCOPED_TRACE(keep);
    ExpectRejected(path, "rejected");
  }
}

TEST(ProfileDb, RandomBytesAreRejected) {
  const std::string path = FreshPath("random.cfpdb");
  std::mt19937 rng(7);
  std::vector<uint8_t> junk(4096);
  for (auto &b : junk) b = static_cast<uint8_t>(rng());
  WriteBytes(path, junk);
  ExpectRejected(path, "not a libcfp profile DB");
}

TEST(ProfileDb, WrongIdentifierIsRejected) {
  const std::string path = FreshPath("wrongid.cfpdb");
  std::vector<uint8_t> buf = MakeSample().ToBuffer();
  std::memcpy(buf.data() + 4, "CFPG", 4);
  WriteBytes(path, buf);
  ExpectRejected(path, "file identifier is 'CFPG', expected 'CFPD'");
}

TEST(ProfileDb, NewerSchemaVersionIsRejected) {
  const std::string path = FreshPath("newer.cfpdb");
  flatbuffers::FlatBufferBuilder b;
  b.Finish(fb::CreateProfileDb(b, kProfileSchemaVersion + 1, 0), fb::ProfileDbIdentifier());
  WriteBytes(path, {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()});
  ExpectRejected(path, "schema version 2, newer than this library reads (1)");
}

TEST(ProfileDb, AlteredValueFailsTheChecksum) {
  const std::string path = FreshPath("altered.cfpdb");
  ProfileDb db;
  const double seconds = 0.123456789;
  ASSERT_TRUE(db.Put(Key(5), Time(seconds)).ok());
  std::vector<uint8_t> buf = db.ToBuffer();
  const uint64_t bits = std::bit_cast<uint64_t>(seconds);
  auto it = std::search(buf.begin(), buf.end(), reinterpret_cast<const uint8_t *>(&bits),
                        reinterpret_cast<const uint8_t *>(&bits) + 8);
  ASSERT_NE(it, buf.end());
  const double faster = seconds / 2;
  std::memcpy(&*it, &faster, 8);  // still a valid FlatBuffer, with a wrong time
  WriteBytes(path, buf);
  ExpectRejected(path, "checksum");
}

TEST(ProfileDb, UnsortedEntriesAreRejected) {
  const std::string path = FreshPath("unsorted.cfpdb");
  flatbuffers::FlatBufferBuilder b;
  auto entry = [&](uint64_t fp) {
    return fb::CreateProfileEntry(b, fp, b.CreateString("s"), b.CreateString("d"), 1, b.CreateString("v"), 1.0, 1, 0, 0);
  };
  std::vector<flatbuffers::Offset<fb::ProfileEntry>> entries{entry(2), entry(1)};
  b.Finish(fb::CreateProfileDb(b, 1, 0, b.CreateVector(entries)), fb::ProfileDbIdentifier());
  WriteBytes(path, {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()});
  ExpectRejected(path, "not sorted");
}

TEST(ProfileDb, EveryByteFlipIsRejectedOrHarmless) {
  ProfileDb good = MakeSample();
  const std::vector<uint8_t> buf = good.ToBuffer();
  size_t rejected = 0;
  for (size_t i = 0; i < buf.size(); ++i) {
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
      std::vector<uint8_t> bad = buf;
      bad[i] ^= mask;
      ProfileDb db;
      Status s = db.LoadBuffer(bad.data(), bad.size());
      if (s.ok()) {
        // Padding and unused bytes may flip without changing what the file says.
        EXPECT_EQ(db.entries(), good.entries()) << "byte " << i;
        EXPECT_EQ(db.collectives(), good.collectives()) << "byte " << i;
      } else {
        EXPECT_EQ(s.code(), Code::kInvalidData);
        ++rejected;
      }
    }
  }
  EXPECT_GT(rejected, buf.size()) << "most flips must be caught";
}

TEST(ProfileDb, RejectedFileIsRebuiltAndKeptAside) {
  const std::string path = FreshPath("rebuild.cfpdb");
  WriteBytes(path, {'g', 'a', 'r', 'b', 'a', 'g', 'e', '!', '!', '!'});
  auto db = ProfileDb::Open(path);
  ASSERT_TRUE(db.ok());
  ASSERT_EQ(db->warnings().size(), 1u);
  ASSERT_TRUE(db->Put(Key(3), Time(3e-3)).ok());
  ASSERT_TRUE(db->Save().ok());
  EXPECT_TRUE(std::filesystem::exists(path + ".rejected"));
  ASSERT_EQ(db->warnings().size(), 2u);
  EXPECT_NE(db->warnings()[1].find(".rejected"), std::string::npos) << db->warnings()[1];
  auto again = ProfileDb::Open(path);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->warnings().empty());
  EXPECT_EQ(again->size(), 1u);
}

TEST(ProfileDb, UnreadablePathIsAnIoError) {
  const std::string dir = FreshPath("a-directory");
  std::filesystem::create_directories(dir);
  auto db = ProfileDb::Open(dir);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kIo);
}

// ---- Merging and concurrency ---------------------------------------------------------

TEST(ProfileDb, SaveMergesWhatAnotherWriterSaved) {
  const std::string path = FreshPath("merge.cfpdb");
  auto a = ProfileDb::Open(path), b = ProfileDb::Open(path);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(a->Put(Key(1), Time(1)).ok());
  ASSERT_TRUE(a->Save().ok());
  ASSERT_TRUE(b->Put(Key(2), Time(2)).ok());
  ASSERT_TRUE(b->Save().ok());
  EXPECT_TRUE(b->Find(Key(1)).has_value()) << "after saving, b also holds what a saved";
  auto file = ProfileDb::Open(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->size(), 2u);
}

TEST(ProfileDb, NewerPutWinsOverAStaleCopy) {
  const std::string path = FreshPath("stale.cfpdb");
  {
    ProfileDb seed(path);
    ASSERT_TRUE(seed.Put(Key(1), Time(1.0)).ok());
    ASSERT_TRUE(seed.Save().ok());
  }
  auto a = ProfileDb::Open(path), b = ProfileDb::Open(path);
  ASSERT_TRUE(b->Put(Key(1), Time(0.5)).ok());  // re-measured
  ASSERT_TRUE(b->Save().ok());
  ASSERT_TRUE(a->Put(Key(2), Time(2.0)).ok());  // a still holds the old Key(1)
  ASSERT_TRUE(a->Save().ok());
  auto file = ProfileDb::Open(path);
  EXPECT_EQ(file->Find(Key(1))->seconds, 0.5) << "a's unchanged copy must not undo b's update";
  EXPECT_EQ(file->size(), 2u);
}

TEST(ProfileDb, ConcurrentThreadsLoseNoEntries) {
  const std::string path = FreshPath("threads.cfpdb");
  constexpr int kThreads = 8, kKeys = 40, kShared = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      auto db = ProfileDb::Open(path);
      if (!db.ok()) return void(++failures);
      for (int i = 0; i < kKeys; ++i) {
        failures += !db->Put(Key(1000 * (t + 1) + i), Time(t + i * 1e-3)).ok();
        if (i < kShared) failures += !db->Put(Key(i, "shared"), Time(t)).ok();
        if (i % 8 == 7) failures += !db->Save().ok();
      }
      failures += !db->Save().ok();
    });
  for (auto &th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  auto file = ProfileDb::Open(path);
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE(file->warnings().empty());
  EXPECT_EQ(file->size(), static_cast<size_t>(kThreads * kKeys + kShared));
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kKeys; ++i) EXPECT_TRUE(file->Find(Key(1000 * (t + 1) + i)).has_value()) << t << " " << i;
  for (int i = 0; i < kShared; ++i) {
    auto m = file->Find(Key(i, "shared"));
    ASSERT_TRUE(m.has_value());
    EXPECT_GE(m->seconds, 0);
    EXPECT_LT(m->seconds, kThreads);
    EXPECT_EQ(m->seconds, std::floor(m->seconds)) << "one writer's value, not a mix";
  }
}

TEST(ProfileDb, OneDbSharedByThreads) {
  const std::string path = FreshPath("shared.cfpdb");
  ProfileDb db(path);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        failures += !db.Put(Key(100 * t + i), Time(i)).ok();
        if (i % 10 == 0) failures += !db.Save().ok();
        (void)db.Find(Key(i));
      }
    });
  for (auto &th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  ASSERT_TRUE(db.Save().ok());
  EXPECT_EQ(ProfileDb::Open(path)->size(), 200u);
}

TEST(ProfileDb, ConcurrentProcessesLoseNoEntries) {
  const std::string path = FreshPath("processes.cfpdb");
  constexpr int kProcesses = 6, kRounds = 15, kPerRound = 4;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int bad = 0;
      for (int r = 0; r < kRounds; ++r) {
        // A fresh object per round, as separate runs of a tool would do.
        auto db = ProfileDb::Open(path);
        if (!db.ok() || !db->warnings().empty()) ::_exit(2);
        for (int i = 0; i < kPerRound; ++i) bad += !db->Put(Key(100000 * (p + 1) + r * kPerRound + i), Time(p)).ok();
        bad += !db->Put(Key(r, "overlap"), Time(p)).ok();
        bad += !db->Save().ok();
      }
      ::_exit(bad == 0 ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  auto file = ProfileDb::Open(path);
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE(file->warnings().empty());
  EXPECT_EQ(file->size(), static_cast<size_t>(kProcesses * kRounds * kPerRound + kRounds));
  for (int p = 0; p < kProcesses; ++p)
    for (int k = 0; k < kRounds * kPerRound; ++k) EXPECT_TRUE(file->Find(Key(100000 * (p + 1) + k)).has_value());
}

TEST(ProfileDb, DefaultPathFollowsTheEnvironment) {
  auto save = [](const char *name) {
    const char *v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  auto restore = [](const char *name, const std::optional<std::string> &v) {
    if (v) ::setenv(name, v->c_str(), 1);
    else ::unsetenv(name);
  };
  auto db_env = save("CFP_PROFILE_DB"), xdg = save("XDG_CACHE_HOME"), home = save("HOME");
  ::setenv("CFP_PROFILE_DB", "/tmp/x.cfpdb", 1);
  EXPECT_EQ(DefaultProfileDbPath(), "/tmp/x.cfpdb");
  ::unsetenv("CFP_PROFILE_DB");
  ::setenv("XDG_CACHE_HOME", "/var/cache/u", 1);
  EXPECT_EQ(DefaultProfileDbPath(), "/var/cache/u/cfp/profile.cfpdb");
  ::unsetenv("XDG_CACHE_HOME");
  ::setenv("HOME", "/home/u", 1);
  EXPECT_EQ(DefaultProfileDbPath(), "/home/u/.cache/cfp/profile.cfpdb");
  restore("CFP_PROFILE_DB", db_env);
  restore("XDG_CACHE_HOME", xdg);
  restore("HOME", home);
}

}  // namespace
}  // namespace cfp
