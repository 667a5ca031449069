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

// ---- the "steps" vector format ----
// koute/new-gas-cost-model: {"name", "initial-pc", "initial-gas", "program", "block-gas-costs":
// {"pc": cost}, "steps": [{"kind": "set-reg"|"map"|"write"|"run"|"assert", ...}]}; PolkaVM's
// spectool: the same with each step a one-key object ({"run": {}}, {"assert": {...}}), hyphenated
// keys and "block-gas-costs" as [{"pc", "cost"}]. Both are read; `assert` compares the fields it
// has (status, gas, pc, regs, the listed memory, the page-fault address, the host-call index).
using nlohmann::json;

const json* either(const json& j, const char* a, const char* b) {
    auto it = j.find(a);
    if (it != j.end()) return &*it;
    it = j.find(b);
    return it != j.end() ? &*it : nullptr;
}
const json& need(const json& j, const char* a, const char* b, const std::string& where) {
    const json* v = either(j, a, b);
    if (!v) throw std::runtime_error(where + ": missing field \"" + a + "\"");
    return *v;
}
std::string hex64(uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return buf;
}
// The vectors' status names; "ecalli" is the newest format's name for a host call.
bool same_status(const std::string& want, pvm_status got) {
    const std::string name = pvm_status_name(got);
    if (want == name) return true;
    if (want == "ecalli" || want == "host") return got == PVM_HOST_CALL;
    if (want == "trap") return got == PVM_PANIC;
    if (want == "oog") return got == PVM_OUT_OF_GAS;
    return false;
}

int run_steps(const json& j, const std::string& path, const pvm_config& config, bool check, bool trace, int64_t gas,
              bool gas_set) {
    std::vector<uint8_t> program;
    for (const auto& b : need(j, "program", "program", path)) program.push_back(b.get<uint8_t>());
    pvm_error err{};
    pvm_module* module = pvm_module_create(&config, PVM_BLOB_PROGRAM, program.data(), program.size(), &err);
    VmPtr vm(module ? pvm_instance_create(module, nullptr, 0, &err) : nullptr);
    std::vector<std::string> diffs;
    // Block costs: an object {"pc": cost} or an array of {"pc", "cost"}.
    if (const json* costs = either(j, "block-gas-costs", "block_gas_costs"); costs && module && check) {
        std::vector<std::pair<uint32_t, int64_t>> list;
        if (costs->is_object()) {
            for (auto it = costs->begin(); it != costs->end(); ++it)
                list.emplace_back(uint32_t(std::stoul(it.key())), it.value().get<int64_t>());
        } else {
            for (const auto& c : *costs)
                list.emplace_back(need(c, "pc", "pc", path).get<uint32_t>(), need(c, "cost", "cost", path).get<int64_t>());
        }
        for (const auto& [pc, cost] : list) {
            const int64_t got = pvm_module_block_cost(module, pc);
            if (got != cost)
                diffs.push_back("block-gas-costs[" + std::to_string(pc) + "]: expected " + std::to_string(cost) +
                                ", got " + std::to_string(got));
        }
    }
    pvm_module_destroy(module);
    if (!vm) throw std::runtime_error(path + ": " + err.message);
    if (const json* pc = either(j, "initial-pc", "initial_pc")) pvm_set_pc(vm.get(), pc->get<uint32_t>());
    if (const json* g = either(j, "initial-gas", "initial_gas")) pvm_set_gas(vm.get(), g->get<int64_t>());
    if (gas_set) pvm_set_gas(vm.get(), gas);
    const json empty_steps = json::array();
    const json* steps = j.contains("steps") ? &j["steps"] : &empty_steps;
    if (!steps->is_array()) throw std::runtime_error(path + ": \"steps\" must be an array");
    pvm_status status = PVM_HALT;
    bool ran = false;
    unsigned index = 0, asserts = 0;
    for (const auto& step : *steps) {
        const std::string where = path + ": step " + std::to_string(index);
        std::string kind;
        const json* body = nullptr;
        if (!step.is_object()) throw std::runtime_error(where + ": a step must be an object");
        if (step.contains("kind")) {
            kind = step["kind"].get<std::string>();
            body = &step;
        } else if (step.size() == 1) {
            kind = step.begin().key();
            body = &step.begin().value();
        } else {
            throw std::runtime_error(where + ": a step needs \"kind\" or exactly one key");
        }
        if (kind == "set-reg" || kind == "set_reg") {
            const unsigned reg = need(*body, "reg", "reg", where).get<unsigned>();
            if (reg >= PVM_NUM_REGS) throw std::runtime_error(where + ": register " + std::to_string(reg) + " out of range");
            pvm_set_reg(vm.get(), reg, need(*body, "value", "value", where).get<uint64_t>());
        } else if (kind == "map") {
            const uint32_t address = need(*body, "address", "address", where).get<uint32_t>();
            const uint32_t length = need(*body, "length", "length", where).get<uint32_t>();
            const bool writable = need(*body, "is-writable", "is_writable", where).get<bool>();
            if (pvm_map_pages(vm.get(), address, length, writable ? PVM_ACCESS_WRITE : PVM_ACCESS_READ) != 0)
                throw std::runtime_error(where + ": cannot map pages at " + hex64(address));
        } else if (kind == "write") {
            const uint32_t address = need(*body, "address", "address", where).get<uint32_t>();
            std::vector<uint8_t> bytes;
            for (const auto& b : need(*body, "contents", "contents", where)) bytes.push_back(b.get<uint8_t>());
            if (pvm_poke_memory(vm.get(), address, bytes.data(), uint32_t(bytes.size())) != 0)
                throw std::runtime_error(where + ": memory at " + hex64(address) + " is not mapped");
        } else if (kind == "run") {
            status = run_vm(vm.get(), trace);
            ran = true;
            std::printf("step %u: run -> %s, pc %u, gas %" PRId64 "\n", index, pvm_status_name(status),
                        pvm_get_pc(vm.get()), pvm_get_gas(vm.get()));
        } else if (kind == "assert") {
            ++asserts;
            if (!ran) throw std::runtime_error(where + ": assert before any run");
            std::vector<std::string> d;
            if (const json* st = either(*body, "status", "status"); st && !same_status(st->get<std::string>(), status))
                d.push_back("status: expected " + st->get<std::string>() + ", got " + pvm_status_name(status));
            if (const json* g = either(*body, "gas", "gas"); g && g->get<int64_t>() != pvm_get_gas(vm.get()))
                d.push_back("gas: expected " + std::to_string(g->get<int64_t>()) + ", got " +
                            std::to_string(pvm_get_gas(vm.get())));
            if (const json* pc = either(*body, "pc", "pc"); pc && pc->get<uint32_t>() != pvm_get_pc(vm.get()))
                d.push_back("pc: expected " + std::to_string(pc->get<uint32_t>()) + ", got " +
                            std::to_string(pvm_get_pc(vm.get())));
            if (const json* r = either(*body, "regs", "regs")) {
                if (!r->is_array() || r->size() != PVM_NUM_REGS)
                    throw std::runtime_error(where + ": regs must be an array of 13 registers");
                for (unsigned i = 0; i < PVM_NUM_REGS; ++i)
                    if ((*r)[i].get<uint64_t>() != pvm_get_reg(vm.get(), i))
                        d.push_back("r" + std::to_string(i) + ": expected " + hex64((*r)[i].get<uint64_t>()) + ", got " +
                                    hex64(pvm_get_reg(vm.get(), i)));
            }
            if (const json* f = either(*body, "page-fault-address", "page_fault_address"); f && !f->is_null()) {
                if (status != PVM_PAGE_FAULT || pvm_fault_address(vm.get()) != f->get<uint32_t>())
                    d.push_back("page-fault address: expected " + hex64(f->get<uint32_t>()) + ", got " +
                                (status == PVM_PAGE_FAULT ? hex64(pvm_fault_address(vm.get())) : std::string("none")));
            }
            if (const json* h = either(*body, "hostcall", "host-call"); h && !h->is_null()) {
                if (status != PVM_HOST_CALL || pvm_host_call_index(vm.get()) != h->get<uint32_t>())
                    d.push_back("hostcall: expected " + std::to_string(h->get<uint32_t>()) + ", got " +
                                (status == PVM_HOST_CALL ? std::to_string(pvm_host_call_index(vm.get())) : std::string("none")));
            }
            if (const json* m = either(*body, "memory", "memory")) {
                for (const auto& c : *m) {
                    const uint32_t address = need(c, "address", "address", where).get<uint32_t>();
                    std::vector<uint8_t> want;
                    for (const auto& b : need(c, "contents", "contents", where)) want.push_back(b.get<uint8_t>());
                    std::vector<uint8_t> got(want.size());
                    if (pvm_read_memory(vm.get(), address, got.data(), uint32_t(got.size())) != 0) {
                        d.push_back("memory at " + hex64(address) + ": not readable");
                        continue;
                    }
                    for (size_t i = 0; i < want.size(); ++i)
                        if (want[i] != got[i]) {
                            d.push_back("memory[" + hex64(address + i) + "]: expected " + hex64(want[i]) + ", got " +
                                        hex64(got[i]));
                            break;
                        }
                }
            }
            for (const auto& x : d) diffs.push_back("step " + std::to_string(index) + ": " + x);
        } else {
            throw std::runtime_error(where + ": unknown step kind \"" + kind + "\"");
        }
        ++index;
    }
    if (ran) print_state(vm.get(), status);
    if (!check) return 0;
    for (const auto& d : diffs) std::printf("MISMATCH %s\n", d.c_str());
    std::printf("%s: %s (%u steps, %u asserts)\n", j.value("name", path).c_str(), diffs.empty() ? "OK" : "FAILED",
                index, asserts);
    return diffs.empty() ? 0 : 1;
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
        json j;
        try {
            j = json::parse(data);
        } catch (const std::exception& e) {
            return fail(o.program + ": invalid test vector: " + e.what());
        }
        // The "steps" formats (several runs and asserts), told by their keys.
        if (j.is_object() && (j.contains("steps") || j.contains("block-gas-costs"))) {
            if (!o.regs.empty()) return fail("--reg does not apply to a steps vector (it sets registers itself)");
            try {
                return run_steps(j, o.program, config, o.check, o.trace, o.gas, o.gas_set);
            } catch (const std::exception& e) {
                return fail(std::string("invalid test vector: ") + e.what());
            }
        }
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
