// mdev types, creation and recovery on a sysfs tree whose `create` and
// `remove` writes a small model of the mdev core carries out.
#include "host/mdev_changes.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace vfiokit::host {
namespace {

namespace fs = std::filesystem;

void put(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

// The mdev core's side of `create` and `remove` (drivers/vfio/mdev/mdev_sysfs.c).
class MdevCore final : public AttrWriter {
 public:
  explicit MdevCore(fs::path root) : root_(std::move(root)) {}
  Result<void> write(const fs::path& file, std::string_view value) override {
    writes.push_back(file.filename().string() + "=" + std::string(value));
    if (file.filename() == "create") {
      auto uuid = Uuid::parse(value);
      if (!uuid) return fail(Error::from_errno(EINVAL, file.string(), "write failed"));
      const auto dev = root_ / "bus/mdev/devices" / uuid->str();
      if (fs::exists(dev)) return fail(Error::from_errno(EEXIST, file.string(), "write failed"));
      if (make_wrong_type) {
        fs::create_directories(dev);
        fs::create_directory_symlink(file.parent_path().parent_path() / "mtty-1", dev / "mdev_type");
        return {};
      }
      fs::create_directories(dev);
      fs::create_directory_symlink(file.parent_path(), dev / "mdev_type");
      put(dev / "remove", "");
      return {};
    }
    if (file.filename() == "remove") {
      fs::remove_all(file.parent_path());
      return {};
    }
    return fail(Error::from_errno(EACCES, file.string(), "write failed"));
  }
  Result<void> load_module(const std::string&) override { return {}; }
  std::vector<std::string> writes;
  bool make_wrong_type = false;

 private:
  fs::path root_;
};

struct MdevHost {
  testing::TempDir dir;
  std::shared_ptr<MdevCore> core = std::make_shared<MdevCore>(dir.path());
  SysfsRoot root = SysfsRoot(dir.path()).with_writer(core);
  MdevJournal journal{dir.path() / "journal"};
  MdevHost() {
    for (const auto& [type, name, avail] : {std::tuple{"mtty-1", "Single port serial", "24"},
                                            std::tuple{"mtty-2", "Dual port serial", "12"}}) {
      const auto t = dir.path() / "class/mdev_bus/mtty/mdev_supported_types" / type;
      put(t / "name", std::string(name) + "\n");
      put(t / "device_api", "vfio-pci\n");
      put(t / "available_instances", std::string(avail) + "\n");
      put(t / "create", "");
      fs::create_directories(t / "devices");
    }
    fs::create_directories(dir.path() / "bus/mdev/devices");
  }
};

const Uuid kUuid = *Uuid::parse("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");

TEST(Mdev, TypesAreListedWithTheirAttributes) {
  MdevHost h;
  auto types = list_mdev_types(h.root);
  ASSERT_TRUE(types);
  ASSERT_EQ(types->size(), 2u);
  EXPECT_EQ((*types)[1].parent, "mtty");
  EXPECT_EQ((*types)[1].id, "mtty-2");
  EXPECT_EQ((*types)[1].name, "Dual port serial");
  EXPECT_EQ((*types)[1].device_api, "vfio-pci");
  EXPECT_EQ((*types)[1].available, 12u);
  EXPECT_TRUE((*types)[1].description.empty());
}

TEST(Mdev, NoMdevSupportIsAnEmptyList) {
  testing::TempDir dir;
  auto types = list_mdev_types(SysfsRoot(dir.path()));
  ASSERT_TRUE(types);
  EXPECT_TRUE(types->empty());
  auto plan = plan_mdev_create(SysfsRoot(dir.path()), "", "mtty-2", kUuid);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message().find("no mdev parent"), std::string::npos);
}

TEST(Mdev, CreateJournalsWritesVerifiesAndForgets) {
  MdevHost h;
  auto plan = plan_mdev_create(h.root, "", "mtty-2", kUuid);
  ASSERT_TRUE(plan) << plan.error().describe();
  auto made = create_mdev(h.root, *plan, h.journal, {});
  ASSERT_TRUE(made) << made.error().describe();
  EXPECT_EQ(made->type, "mtty-2");
  EXPECT_EQ(made->parent, "mtty");
  EXPECT_EQ(h.core->writes, std::vector<std::string>{"create=" + kUuid.str()});
  EXPECT_TRUE(h.journal.list()->empty());
  // The UUID is now taken.
  EXPECT_FALSE(plan_mdev_create(h.root, "", "mtty-2", kUuid));
  ASSERT_TRUE(remove_mdev(h.root, kUuid));
  EXPECT_FALSE(*find_mdev(h.root, kUuid));
  EXPECT_FALSE(remove_mdev(h.root, kUuid));
}

TEST(Mdev, RefusalsNameTheReason) {
  MdevHost h;
  auto unknown = plan_mdev_create(h.root, "", "mtty-9", kUuid);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message().find("mtty/mtty-1, mtty/mtty-2"), std::string::npos);
  put(h.dir.path() / "class/mdev_bus/mtty/mdev_supported_types/mtty-2/available_instances", "0\n");
  auto full = plan_mdev_create(h.root, "", "mtty-2", kUuid);
  ASSERT_FALSE(full);
  EXPECT_NE(full.error().message().find("no instance left"), std::string::npos);
}

TEST(Mdev, AnMdevOfTheWrongTypeIsRemovedAgain) {
  MdevHost h;
  h.core->make_wrong_type = true;
  auto plan = plan_mdev_create(h.root, "", "mtty-2", kUuid);
  ASSERT_TRUE(plan);
  auto made = create_mdev(h.root, *plan, h.journal, {});
  ASSERT_FALSE(made);
  EXPECT_NE(made.error().message().find("has type mtty-1"), std::string::npos) << made.error().describe();
  EXPECT_FALSE(*find_mdev(h.root, kUuid));
  EXPECT_TRUE(h.journal.list()->empty());
}

TEST(Mdev, RecoverRemovesWhatAnInterruptedCreationLeft) {
  MdevHost h;
  // As a run killed between the create write and the verification leaves it.
  ASSERT_TRUE(h.journal.write({kUuid, "mtty", "mtty-2", 4242}));
  ASSERT_TRUE(h.root.write(h.dir.path() / "class/mdev_bus/mtty/mdev_supported_types/mtty-2/create", kUuid.str()));
  auto entries = h.journal.list();
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].pid, 4242);
  auto removed = recover_mdev(h.root, (*entries)[0], h.journal);
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  EXPECT_FALSE(*find_mdev(h.root, kUuid));
  EXPECT_TRUE(h.journal.list()->empty());
}

TEST(Mdev, DamagedJournalsAreErrorsThatNameTheFile) {
  for (const char* text : {"", "[]", R"({"schema":"vfiokit.mdev-journal/1"})",
                           R"({"schema":"vfiokit.mdev-journal/1","uuid":"x","parent":"mtty","type":"mtty-2"})",
                           R"({"schema":"vfiokit.mdev-journal/1","uuid":"83b8f4f2-509f-382f-3c1e-e6bfe0fa1001","parent":"..","type":"mtty-2"})",
                           R"({"schema":"vfiokit.mdev-journal/1","uuid":"83b8f4f2-509f-382f-3c1e-e6bfe0fa1001","parent":"mtty","type":"a/b"})",
                           R"({"schema":"vfiokit.mdev-journal/1","uuid":"83b8f4f2-509f-382f-3c1e-e6bfe0fa1001","parent":"mtty","type":"mtty-2","pid":1.5})"}) {
    auto e = mdev_entry_from_json(text, "mdev-x.json");
    ASSERT_FALSE(e) << text;
    EXPECT_EQ(e.error().subject(), "mdev-x.json");
  }
  auto ok = mdev_entry_from_json(mdev_entry_to_json({kUuid, "mtty", "mtty-2", 7}), "f");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->uuid, kUuid);
}

}  // namespace
}  // namespace vfiokit::host
