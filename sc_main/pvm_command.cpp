#include "pvm_command.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

namespace vp {

namespace {

bool read_file(const std::string& path, std::string& data) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::stringstream ss;
    ss << in.rdbuf();
    data = ss.str();
    return !in.bad();
}

}  // namespace

namespace pvm_vectors {

namespace {

using nlohmann::json;

const json& field(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end()) throw std::runtime_error(std::string("missing field \"") + key + "\"");
    return *it;
}

std::vector<MemoryChunk> chunks(const json& j) {
    std::vector<MemoryChunk> out;
    for (const auto& c : j) {
        MemoryChunk m;
        m.address = field(c, "address").get<uint32_t>();
        for (const auto& b : field(c, "contents")) m.contents.push_back(b.get<uint8_t>());
        out.push_back(std::move(m));
    }
    return out;
}

void regs(const json& j, uint64_t (&out)[PVM_NUM_REGS], const char* what) {
    if (!j.is_array() || j.size() != PVM_NUM_REGS)
        throw std::runtime_error(std::string(what) + " must be an array of 13 registers");
    for (unsigned i = 0; i < PVM_NUM_REGS; ++i) out[i] = j[i].get<uint64_t>();
}

std::string hex(uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return buf;
}

}  // namespace

bool parse_vector(const std::string& text, Vector& v, std::string& error) {
    try {
        const json j = json::parse(text);
        if (!j.is_object()) throw std::runtime_error("the vector must be a JSON object");
        v.name = j.value("name", std::string());
        regs(field(j, "initial-regs"), v.initial_regs, "initial-regs");
        v.initial_pc = field(j, "initial-pc").get<uint32_t>();
        for (const auto& p : field(j, "initial-page-map"))
            v.initial_page_map.push_back(PageMapEntry{field(p, "address").get<uint32_t>(),
                                                      field(p, "length").get<uint32_t>(),
                                                      field(p, "is-writable").get<bool>()});
        v.initial_memory = chunks(field(j, "initial-memory"));
        v.initial_gas = field(j, "initial-gas").get<int64_t>();
        for (const auto& b : field(j, "program")) v.program.push_back(b.get<uint8_t>());
        v.expected_status = field(j, "expected-status").get<std::string>();
        regs(field(j, "expected-regs"), v.expected_regs, "expected-regs");
        v.expected_pc = field(j, "expected-pc").get<uint32_t>();
        v.expected_memory = chunks(field(j, "expected-memory"));
        v.expected_gas = field(j, "expected-gas").get<int64_t>();
        if (j.contains("expected-page-fault-address"))
            v.expected_page_fault_address = j["expected-page-fault-address"].get<uint32_t>();
    } catch (const std::exception& e) {
        error = std::string("invalid test vector: ") + e.what();
        return false;
    }
    return true;
}

bool load_vector(const std::string& path, Vector& v, std::string& error) {
    std::string text;
    if (!read_file(path, text)) {
        error = "cannot read " + path;
        return false;
    }
    if (!parse_vector(text, v, error)) {
        error = path + ": " + error;
        return false;
    }
    return true;
}

pvm_vm* create_vm(const Vector& v, pvm_backend backend, std::string& error) {
    pvm_config config{};
    config.backend = backend;
    return create_vm(v, config, error);
}

pvm_vm* create_vm(const Vector& v, const pvm_config& config, std::string& error) {
    pvm_error err{};
    pvm_module* module = pvm_module_create(&config, PVM_BLOB_PROGRAM, v.program.data(), v.program.size(), &err);
    pvm_vm* vm = module ? pvm_instance_create(module, nullptr, 0, &err) : nullptr;
    pvm_module_destroy(module);
    if (!vm) {
        error = err.message;
        return nullptr;
    }
    for (unsigned i = 0; i < PVM_NUM_REGS; ++i) pvm_set_reg(vm, i, v.initial_regs[i]);
    pvm_set_pc(vm, v.initial_pc);
    pvm_set_gas(vm, v.initial_gas);
    for (const auto& p : v.initial_page_map) {
        if (pvm_map_pages(vm, p.address, p.length, p.writable ? PVM_ACCESS_WRITE : PVM_ACCESS_READ) != 0) {
            error = "cannot map pages at " + hex(p.address);
            pvm_destroy(vm);
            return nullptr;
        }
    }
    for (const auto& c : v.initial_memory) {
        if (pvm_poke_memory(vm, c.address, c.contents.data(), uint32_t(c.contents.size())) != 0) {
            error = "initial memory at " + hex(c.address) + " is not mapped";
            pvm_destroy(vm);
            return nullptr;
        }
    }
    return vm;
}

std::string status_name(pvm_status status) { return pvm_status_name(status); }

std::vector<std::string> vector_files(const std::string& dir) {
    std::vector<std::string> files;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
        if (e.path().extension() == ".json") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<std::string> compare(const Vector& v, const pvm_vm* vm, pvm_status status) {
    std::vector<std::string> diffs;
    if (status_name(status) != v.expected_status)
        diffs.push_back("status: expected " + v.expected_status + ", got " + status_name(status));
    if (pvm_get_pc(vm) != v.expected_pc)
        diffs.push_back("pc: expected " + std::to_string(v.expected_pc) + ", got " + std::to_string(pvm_get_pc(vm)));
    for (unsigned i = 0; i < PVM_NUM_REGS; ++i)
        if (pvm_get_reg(vm, i) != v.expected_regs[i])
            diffs.push_back("r" + std::to_string(i) + ": expected " + hex(v.expected_regs[i]) + ", got " +
                            hex(pvm_get_reg(vm, i)));
    if (pvm_get_gas(vm) != v.expected_gas)
        diffs.push_back("gas: expected " + std::to_string(v.expected_gas) + ", got " +
                        std::to_string(pvm_get_gas(vm)));
    if (v.expected_page_fault_address && (status != PVM_PAGE_FAULT || pvm_fault_address(vm) != *v.expected_page_fault_address))
        diffs.push_back("page-fault address: expected " + hex(*v.expected_page_fault_address) + ", got " +
                        (status == PVM_PAGE_FAULT ? hex(pvm_fault_address(vm)) : std::string("none")));
    // Memory: every accessible byte is either listed in expected-memory or zero.
    std::map<uint32_t, uint8_t> expected;
    for (const auto& c : v.expected_memory)
        for (size_t i = 0; i < c.contents.size(); ++i) expected[uint32_t(c.address + i)] = c.contents[i];
    std::map<uint32_t, bool> pages;  // page base -> seen
    for (const auto& p : v.initial_page_map)
        for (uint64_t a = p.address & ~uint64_t(PVM_PAGE_SIZE - 1); a < uint64_t(p.address) + p.length; a += PVM_PAGE_SIZE)
            pages[uint32_t(a)] = true;
    size_t mem_diffs = 0;
    std::vector<uint8_t> buf(PVM_PAGE_SIZE);
    for (const auto& [page, seen] : pages) {
        (void)seen;
        if (pvm_read_memory(vm, page, buf.data(), PVM_PAGE_SIZE) != 0) {
            diffs.push_back("memory: page " + hex(page) + " is no longer readable");
            continue;
        }
        for (uint32_t i = 0; i < PVM_PAGE_SIZE; ++i) {
            const uint32_t a = page + i;
            auto it = expected.find(a);
            const uint8_t want = it == expected.end() ? 0 : it->second;
            if (it != expected.end()) expected.erase(it);
            if (buf[i] != want && ++mem_diffs <= 16)
                diffs.push_back("memory[" + hex(a) + "]: expected " + hex(want) + ", got " + hex(buf[i]));
        }
    }
    for (const auto& [a, b] : expected)
        if (++mem_diffs <= 16) diffs.push_back("memory[" + hex(a) + "]: expected " + hex(b) + ", not mapped");
    if (mem_diffs > 16) diffs.push_back("memory: " + std::to_string(mem_diffs - 16) + " more differences");
    return diffs;
}

}  // namespace pvm_vectors

namespace {

struct RunOptions {
    std::string program;
    int64_t gas = 0;
    bool gas_set = false;
    std::vector<std::string> regs;
    bool trace = false;
    bool check = false;
    bool standard = false;
    std::string backend = "interpreter";
    std::string gp = "0.7.2";
};

struct VmDeleter {
    void operator()(pvm_vm* vm) const { pvm_destroy(vm); }
};
using VmPtr = std::unique_ptr<pvm_vm, VmDeleter>;

int fail(const std::string& msg) {
    std::cerr << "vp pvm run: " << msg << "\n";
    return 2;
}

void print_state(const pvm_vm* vm, pvm_status status) {
    std::printf("status: %s\n", pvm_status_name(status));
    std::printf("pc: %u\n", pvm_get_pc(vm));
    std::printf("gas: %" PRId64 "\n", pvm_get_gas(vm));
    if (status == PVM_PAGE_FAULT) std::printf("page-fault-address: 0x%08x\n", pvm_fault_address(vm));
    if (status == PVM_HOST_CALL) std::printf("host-call: %u\n", pvm_host_call_index(vm));
    for (unsigned i = 0; i < PVM_NUM_REGS; ++i) std::printf("r%-2u = 0x%016" PRIx64 "\n", i, pvm_get_reg(vm, i));
}

pvm_status run_vm(pvm_vm* vm, bool trace) {
    if (!trace) return pvm_run(vm);
    pvm_set_step_tracing(vm, 1);
    for (;;) {
        uint64_t before[PVM_NUM_REGS];
        for (unsigned i = 0; i < PVM_NUM_REGS; ++i) before[i] = pvm_get_reg(vm, i);
        const uint32_t pc = pvm_next_pc(vm);
        char text[160];
        if (!pvm_disassemble(vm, pc, text, sizeof text)) std::snprintf(text, sizeof text, "invalid (no instruction)");
        const pvm_status s = pvm_run(vm);
        std::printf("%8u: %-40s", pc, text);
        for (unsigned i = 0; i < PVM_NUM_REGS; ++i)
            if (pvm_get_reg(vm, i) != before[i]) std::printf(" r%u=0x%" PRIx64, i, pvm_get_reg(vm, i));
        if (s != PVM_STEP) std::printf(" -> %s", pvm_status_name(s));
        std::printf("  [gas %" PRId64 "]\n", pvm_get_gas(vm));
        if (s != PVM_STEP) {
            pvm_set_step_tracing(vm, 0);
            return s;
        }
    }
}

int run_command(const RunOptions& o) {
    pvm_backend backend;
    if (o.backend == "interpreter")
        backend = PVM_BACKEND_INTERPRETER;
    else if (o.backend == "recompiler")
        backend = PVM_BACKEND_RECOMPILER;
    else
        return fail("unknown backend '" + o.backend + "' (interpreter or recompiler)");
    pvm_config config{};
    config.backend = backend;
    if (o.gp == "new-gas")
        config.gp = PVM_GP_NEW_GAS;
    else if (o.gp != "0.7.2")
        return fail("unknown Gray Paper profile '" + o.gp + "' (0.7.2 or new-gas)");

    std::string data;
    if (!read_file(o.program, data)) return fail("cannot read " + o.program);
    size_t first = data.find_first_not_of(" \t\r\n");
    const bool is_json = first != std::string::npos && data[first] == '{';

    VmPtr vm;
    pvm_vectors::Vector vec;
    if (is_json) {
        std::string error;
        if (!pvm_vectors::parse_vector(data, vec, error)) return fail(o.program + ": " + error);
        vm.reset(pvm_vectors::create_vm(vec, config, error));
        if (!vm) return fail(o.program + ": " + error);
    } else {
        if (o.check) return fail("--check needs a test vector (JSON) file");
        pvm_error err{};
        const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
        // A raw blob: GP A.2, a .polkavm container (by its magic), or --standard (GP A.7).
        pvm_module* module = pvm_module_create(&config, o.standard ? PVM_BLOB_STANDARD : PVM_BLOB_AUTO, bytes,
                                               data.size(), &err);
        if (module) vm.reset(pvm_instance_create(module, nullptr, 0, &err));
        pvm_module_destroy(module);
        if (!vm) return fail(o.program + ": " + err.message);
    }
    if (o.gas_set) pvm_set_gas(vm.get(), o.gas);
    for (const auto& r : o.regs) {
        const size_t eq = r.find('=');
        char* end = nullptr;
        const std::string idx_s = r.substr(0, eq);
        const unsigned long idx = std::strtoul(idx_s.c_str(), &end, 10);
        if (eq == std::string::npos || idx_s.empty() || *end || idx >= PVM_NUM_REGS)
            return fail("bad --reg '" + r + "' (expected i=value, i in 0..12)");
        const std::string val_s = r.substr(eq + 1);
        errno = 0;
        const unsigned long long val = std::strtoull(val_s.c_str(), &end, 0);
        if (val_s.empty() || *end || errno) return fail("bad --reg value in '" + r + "'");
        pvm_set_reg(vm.get(), unsigned(idx), val);
    }

    const pvm_status status = run_vm(vm.get(), o.trace);
    print_state(vm.get(), status);
    if (!o.check) return 0;
    const auto diffs = pvm_vectors::compare(vec, vm.get(), status);
    for (const auto& d : diffs) std::printf("MISMATCH %s\n", d.c_str());
    std::printf("%s: %s\n", vec.name.c_str(), diffs.empty() ? "OK" : "FAILED");
    return diffs.empty() ? 0 : 1;
}

}  // namespace

void add_pvm_command(CLI::App& app, int* exit_code) {
    CLI::App* pvm = app.add_subcommand("pvm", "JAM PVM (libpvm) tools");
    pvm->require_subcommand(1);
    CLI::App* run = pvm->add_subcommand("run", "Run a PVM test vector (JSON) or a raw program blob");
    auto o = std::make_shared<RunOptions>();
    run->add_option("PROGRAM", o->program, "Test vector (.json) or program blob")->required();
    CLI::Option* gas = run->add_option("--gas", o->gas, "Initial gas (overrides the vector's)");
    run->add_option("--reg", o->regs, "Initial register value i=v (repeatable)");
    run->add_flag("--trace", o->trace, "Print every instruction executed and the registers it wrote");
    run->add_flag("--check", o->check, "Compare with the vector's expectations: exit 0 if all match, 1 otherwise");
    run->add_flag("--standard", o->standard, "The raw blob is a standard program (GP A.7), not a bare program");
    run->add_option("--backend", o->backend, "interpreter or recompiler")->check(CLI::IsMember({"interpreter", "recompiler"}));
    run->add_option("--gp", o->gp, "Gray Paper profile: 0.7.2 (default) or new-gas (the new gas cost model draft)");
    run->callback([o, gas, exit_code] {
        o->gas_set = gas->count() > 0;
        try {
            *exit_code = run_command(*o);
        } catch (const std::exception& e) {
            *exit_code = fail(e.what());
        }
    });
}

}  // namespace vp
