// JAM PVM conformance: every vector in PVM_VECTORS_DIR, on every backend (backends not built
// yet are skipped). Compares status, pc, registers, gas, page-fault address and memory.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "pvm_command.h"

namespace {

namespace fs = std::filesystem;
using vp::pvm_vectors::Vector;

std::vector<std::string> vector_files() {
    std::vector<std::string> files = vp::pvm_vectors::vector_files(PVM_VECTORS_DIR);
    if (files.empty()) files.push_back("");  // one placeholder that skips
    return files;
}

using Param = std::tuple<pvm_backend, std::string>;

class PvmVector : public ::testing::TestWithParam<Param> {};

TEST_P(PvmVector, Matches) {
    const auto& [backend, file] = GetParam();
    if (file.empty()) GTEST_SKIP() << "no vectors found in " << PVM_VECTORS_DIR;
    if (!pvm_backend_available(backend)) GTEST_SKIP() << pvm_backend_name(backend) << " backend not available yet";
    Vector v;
    std::string error;
    ASSERT_TRUE(vp::pvm_vectors::load_vector(file, v, error)) << error;
    pvm_vm* vm = vp::pvm_vectors::create_vm(v, backend, error);
    ASSERT_NE(vm, nullptr) << error;
    const pvm_status status = pvm_run(vm);
    const auto diffs = vp::pvm_vectors::compare(v, vm, status);
    pvm_destroy(vm);
    std::string all;
    for (const auto& d : diffs) all += "  " + d + "\n";
    EXPECT_TRUE(diffs.empty()) << v.name << ":\n" << all;
}

// The same vector run one instruction at a time (step tracing) must end in the same state.
TEST_P(PvmVector, MatchesWhenStepped) {
    const auto& [backend, file] = GetParam();
    if (file.empty()) GTEST_SKIP() << "no vectors found in " << PVM_VECTORS_DIR;
    if (!pvm_backend_available(backend)) GTEST_SKIP() << pvm_backend_name(backend) << " backend not available yet";
    Vector v;
    std::string error;
    ASSERT_TRUE(vp::pvm_vectors::load_vector(file, v, error)) << error;
    pvm_vm* vm = vp::pvm_vectors::create_vm(v, backend, error);
    ASSERT_NE(vm, nullptr) << error;
    pvm_set_step_tracing(vm, 1);
    pvm_status status;
    int steps = 0;
    while ((status = pvm_run(vm)) == PVM_STEP && ++steps < 1000000) {
    }
    const auto diffs = vp::pvm_vectors::compare(v, vm, status);
    pvm_destroy(vm);
    std::string all;
    for (const auto& d : diffs) all += "  " + d + "\n";
    EXPECT_TRUE(diffs.empty()) << v.name << " (stepped):\n" << all;
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
    const auto& [backend, file] = info.param;
    std::string name = std::string(pvm_backend_name(backend)) + "_" +
                       (file.empty() ? std::string("none") : fs::path(file).stem().string());
    for (char& c : name)
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(Vectors, PvmVector,
                         ::testing::Combine(::testing::Values(PVM_BACKEND_INTERPRETER, PVM_BACKEND_RECOMPILER),
                                            ::testing::ValuesIn(vector_files())),
                         param_name);

}  // namespace
