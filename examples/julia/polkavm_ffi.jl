# Runs a PVM program blob through libpvm's polkavm-ffi layer (models/pvm/include/polkavm_ffi.h)
# with Julia's @ccall. UNTESTED: Julia is not packaged in Debian 12, so CI does not run this.
#   julia polkavm_ffi.jl PROGRAM.blob [ENTRY_PC]      (LD_LIBRARY_PATH=build/models/pvm)
# PROGRAM.blob: a .polkavm container or a GP A.2 program blob.

const libpvm = "libpvm.so"

struct PvmResult
    status::UInt32          # 0 HALT, 1 PANIC, 2 OOG, 3 FAULT, 4 HOST, 5 STEP
    gas_remaining::Int64
    host_call::UInt32
end

function main(args)
    blob = read(args[1])
    entry = length(args) > 1 ? parse(UInt32, args[2]) : UInt32(0)
    engine = @ccall libpvm.pvm_engine_new()::Ptr{Cvoid}   # the recompiler; NULL if unavailable
    if engine == C_NULL
        engine = @ccall libpvm.pvm_engine_new_interpreter()::Ptr{Cvoid}
    end
    mod = @ccall libpvm.pvm_module_new(engine::Ptr{Cvoid}, blob::Ptr{UInt8}, length(blob)::Csize_t)::Ptr{Cvoid}
    if mod == C_NULL
        error(unsafe_string(@ccall libpvm.pvm_ffi_last_error()::Cstring))
    end
    inst = @ccall libpvm.pvm_instance_new(engine::Ptr{Cvoid}, mod::Ptr{Cvoid})::Ptr{Cvoid}
    @ccall libpvm.pvm_instance_set_gas(inst::Ptr{Cvoid}, 1_000_000::Int64)::Cvoid
    @ccall libpvm.pvm_instance_prepare_call(inst::Ptr{Cvoid}, entry::UInt32)::Cvoid
    result = @ccall libpvm.pvm_instance_run(inst::Ptr{Cvoid})::PvmResult
    while result.status == 4                      # host call: answer 0 in A0, continue
        @ccall libpvm.pvm_instance_set_reg(inst::Ptr{Cvoid}, 7::UInt32, 0::UInt64)::Cvoid
        result = @ccall libpvm.pvm_instance_run(inst::Ptr{Cvoid})::PvmResult
    end
    a0 = @ccall libpvm.pvm_instance_get_reg(inst::Ptr{Cvoid}, 7::UInt32)::UInt64
    println("status $(result.status), gas left $(result.gas_remaining), A0 = $a0")
    @ccall libpvm.pvm_instance_free(inst::Ptr{Cvoid})::Cvoid
    @ccall libpvm.pvm_module_free(mod::Ptr{Cvoid})::Cvoid
    @ccall libpvm.pvm_engine_free(engine::Ptr{Cvoid})::Cvoid
end

main(ARGS)
