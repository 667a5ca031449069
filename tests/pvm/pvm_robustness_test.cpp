// Malformed input never crashes: every vector's program truncated at every length, random byte
// flips and random blobs either give an error or a VM that runs to a clean exit. (CI runs this
// under ASan/UBSan.)
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "pvm_command.h"

namespace {

std::vector<vp::pvm_vectors::Vector> load_all() {
    std::vector<vp::pvm_vectors::Vector> out;
    for (const auto& f : vp::pvm_vectors::vector_files(PVM_VECTORS_DIR)) {
        vp::pvm_vectors::Vector v;
        std::string error;
        if (vp::pvm_vectors::load_vector(f, v, error)) out.push_back(std::move(v));
    }
    return out;
}

// Creates a VM from bytes; if valid, maps a few pages and runs it with little gas, from pc 0
// and from a few other pcs, with stepping too. Returns whether the blob was accepted.
bool exercise(const std::vector<uint8_t>& blob, uint32_t seed) {
    pvm_error err{};
    pvm_vm* vm = pvm_create(PVM_BACKEND_INTERPRETER, blob.data(), blob.size(), &err);
    if (!vm) {
        EXPECT_NE(err.code, PVM_OK);
        EXPECT_NE(err.message[0], '\0');
        return false;
    }
    pvm_map_pages(vm, 0x20000, 0x2000, PVM_ACCESS_WRITE);
    pvm_map_pages(vm, 0xFFFFF000u, 0x1000, PVM_ACCESS_READ);
    for (unsigned i = 0; i < PVM_NUM_REGS; ++i) pvm_set_reg(vm, i, 0x20000 + i * 0x101 * seed);
    for (uint32_t start : {0u, seed % 7, seed % 61, 1000000u}) {
        pvm_set_pc(vm, start);
        pvm_set_gas(vm, 200);
        pvm_set_step_tracing(vm, start & 1);
        for (int k = 0; k < 300; ++k) {
            const pvm_status s = pvm_run(vm);
            if (s != PVM_STEP && s != PVM_HOST_CALL) break;
        }
    }
    pvm_destroy(vm);
    return true;
}

TEST(PvmRobustness, TruncatedPrograms) {
    const auto vectors = load_all();
    if (vectors.empty()) GTEST_SKIP() << "no vectors in " << PVM_VECTORS_DIR;
    size_t accepted = 0, total = 0;
    for (const auto& v : vectors) {
        for (size_t n = 0; n < v.program.size(); ++n) {
            std::vector<uint8_t> cut(v.program.begin(), v.program.begin() + n);
            accepted += exercise(cut, uint32_t(n));
            ++total;
        }
        EXPECT_TRUE(exercise(v.program, 1)) << v.name;
    }
    std::printf("truncated programs: %zu tried, %zu accepted\n", total, accepted);
}

TEST(PvmRobustness, RandomByteFlips) {
    const auto vectors = load_all();
    if (vectors.empty()) GTEST_SKIP() << "no vectors in " << PVM_VECTORS_DIR;
    std::mt19937 rng(12345);
    size_t accepted = 0, total = 0;
    for (const auto& v : vectors) {
        for (int k = 0; k < 40; ++k) {
            std::vector<uint8_t> p = v.program;
            if (p.empty()) continue;
            const int flips = 1 + int(rng() % 4);
            for (int f = 0; f < flips; ++f) p[rng() % p.size()] ^= uint8_t(1u << (rng() % 8));
            accepted += exercise(p, rng());
            ++total;
        }
    }
    std::printf("byte flips: %zu tried, %zu accepted\n", total, accepted);
}

TEST(PvmRobustness, RandomBlobsAndStandardPrograms) {
    std::mt19937 rng(777);
    for (int k = 0; k < 3000; ++k) {
        std::vector<uint8_t> b(rng() % 64);
        for (auto& x : b) x = uint8_t(rng());
        if (!b.empty() && (k & 1)) b[0] = 0;  // plausible jump-table count
        exercise(b, uint32_t(k));
        pvm_error err{};
        const uint8_t args[3] = {1, 2, 3};
        pvm_vm* vm = pvm_create_standard(PVM_BACKEND_INTERPRETER, b.data(), b.size(), args, 3, &err);
        if (vm) {
            pvm_set_gas(vm, 100);
            pvm_run(vm);
            pvm_destroy(vm);
        } else {
            EXPECT_NE(err.code, PVM_OK);
        }
    }
}

TEST(PvmRobustness, BadArgumentsAreRejected) {
    pvm_error err{};
    EXPECT_EQ(pvm_create(PVM_BACKEND_INTERPRETER, nullptr, 5, &err), nullptr);
    EXPECT_EQ(pvm_create(static_cast<pvm_backend>(7), nullptr, 0, &err), nullptr);
    EXPECT_EQ(err.code, PVM_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(pvm_create(PVM_BACKEND_INTERPRETER, nullptr, 0, nullptr), nullptr);  // err may be NULL
    vp::pvm_vectors::Vector v;
    std::string error;
    EXPECT_FALSE(vp::pvm_vectors::parse_vector("[1, 2]", v, error));
    EXPECT_FALSE(vp::pvm_vectors::parse_vector("{\"initial-regs\": 5}", v, error));
    EXPECT_FALSE(vp::pvm_vectors::parse_vector("{", v, error));
    EXPECT_FALSE(vp::pvm_vectors::load_vector("/nonexistent/x.json", v, error));
}

}  // namespace
