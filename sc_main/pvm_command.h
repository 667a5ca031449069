// `vp pvm run PROGRAM`: runs a PVM test vector (JSON, schema of the JAM PVM vectors) or a raw
// program blob on libpvm. The vector helpers are shared with the conformance tests.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pvm.h"

namespace vp {

// Registers the "pvm" subcommand (with its "run" subcommand) on app.
// When the subcommand ran, *exit_code receives the process exit code.
void add_pvm_command(CLI::App& app, int* exit_code);

namespace pvm_vectors {

struct PageMapEntry {
    uint32_t address = 0;
    uint32_t length = 0;
    bool writable = false;
};

struct MemoryChunk {
    uint32_t address = 0;
    std::vector<uint8_t> contents;
};

// One test vector (w3f jamtestvectors pvm v0.4 schema).
struct Vector {
    std::string name;
    uint64_t initial_regs[PVM_NUM_REGS] = {};
    uint32_t initial_pc = 0;
    std::vector<PageMapEntry> initial_page_map;
    std::vector<MemoryChunk> initial_memory;
    int64_t initial_gas = 0;
    std::vector<uint8_t> program;
    std::string expected_status;
    uint64_t expected_regs[PVM_NUM_REGS] = {};
    uint32_t expected_pc = 0;
    std::vector<MemoryChunk> expected_memory;
    int64_t expected_gas = 0;
    std::optional<uint32_t> expected_page_fault_address;
};

// Parses a vector from JSON text / a file. Returns false with a message on bad input.
bool parse_vector(const std::string& json_text, Vector& out, std::string& error);
bool load_vector(const std::string& path, Vector& out, std::string& error);

// Creates a VM in the vector's initial state (registers, pc, pages, memory, gas).
pvm_vm* create_vm(const Vector& v, pvm_backend backend, std::string& error);
// The same with a full configuration (backend, memory model, Gray Paper profile).
pvm_vm* create_vm(const Vector& v, const pvm_config& config, std::string& error);

// The *.json files of a folder, sorted (empty if the folder is missing).
std::vector<std::string> vector_files(const std::string& dir);

// The status name used by the vectors ("halt", "panic", "page-fault", "out-of-gas", ...).
std::string status_name(pvm_status status);

// Differences between the VM after a run ending in `status` and the vector's expectations;
// empty when everything matches (status, pc, registers, gas, fault address, memory).
std::vector<std::string> compare(const Vector& v, const pvm_vm* vm, pvm_status status);

}  // namespace pvm_vectors
}  // namespace vp
