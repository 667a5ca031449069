// Package pvm runs JAM PVM programs through libpvm's pvm_vm_* API (pvm_vm.h, seed 004): one
// authoritative VM state in C, read and written through calls, host functions written in Go,
// memory regions shared between Go and the guest. The interpreter and the recompiler sit behind
// the same API.
//
// Build: cgo finds libpvm with pkg-config (package "pvm"); from a vp build tree use
// PKG_CONFIG_PATH=build/models/pvm, after `cmake --install` the installed lib/pkgconfig.
package pvm

/*
#cgo pkg-config: pvm
#include <stdlib.h>
#include <pvm_vm.h>

void vp_go_set_callback(pvm_vm_t *vm, uintptr_t handle);
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime/cgo"
	"unsafe"
)

// Backend selects the execution engine.
type Backend int

const (
	Interpreter Backend = C.PVM_BACKEND_INTERPRETER
	Recompiler  Backend = C.PVM_BACKEND_RECOMPILER
)

func (b Backend) String() string { return C.GoString(C.pvm_backend_name(C.pvm_backend(b))) }

// Available reports whether this build and host provide the backend.
func (b Backend) Available() bool { return C.pvm_backend_available(C.pvm_backend(b)) != 0 }

// Profile selects the Gray Paper version the VM follows.
type Profile int

const (
	GP072  Profile = C.PVM_GP_0_7_2   // GP 0.7.2: 1 gas per instruction, charged per basic block
	NewGas Profile = C.PVM_GP_NEW_GAS // the new gas cost model draft (pipeline block costs, `unlikely`)
)

// Result is why Execute or Resume returned.
type Result int

const (
	OK        Result = C.PVM_RESULT_OK         // halted, or a host function terminated
	OutOfGas  Result = C.PVM_RESULT_OOG        // not enough gas for the next block
	Panic     Result = C.PVM_RESULT_PANIC      // trap, invalid jump, host error, ...
	HostCall  Result = C.PVM_RESULT_HOST_CALL  // ecalli without a host function: answer, then Resume
	PageFault Result = C.PVM_RESULT_PAGE_FAULT // see FaultAddress
)

func (r Result) String() string {
	switch r {
	case OK:
		return "ok"
	case OutOfGas:
		return "out-of-gas"
	case Panic:
		return "panic"
	case HostCall:
		return "host-call"
	case PageFault:
		return "page-fault"
	}
	return fmt.Sprintf("Result(%d)", int(r))
}

// HostResult is what a host function tells the VM.
type HostResult int

const (
	Continue  HostResult = C.PVM_HOST_CONTINUE  // resume after the ecalli
	Terminate HostResult = C.PVM_HOST_TERMINATE // end the run (OK)
	Error     HostResult = C.PVM_HOST_ERROR     // end the run (Panic)
)

// Machine states (GP B.1 inner-PVM codes), and Ready before the first run.
const (
	StateHalt  = C.PVM_STATE_HALT
	StatePanic = C.PVM_STATE_PANIC
	StateFault = C.PVM_STATE_FAULT
	StateHost  = C.PVM_STATE_HOST
	StateOOG   = C.PVM_STATE_OOG
	StateReady = C.PVM_STATE_READY
)

// Access rights for MapPages.
type Access int

const (
	NoAccess  Access = C.PVM_ACCESS_NONE
	ReadOnly  Access = C.PVM_ACCESS_READ
	ReadWrite Access = C.PVM_ACCESS_WRITE
)

// HostFunc services `ecalli funcID`. It reads and writes the VM's registers and memory through
// vm's methods (the state is always current) and must not call Execute or Resume on vm.
type HostFunc func(vm *VM, funcID int) HostResult

// Config is what a VM is created with.
type Config struct {
	Backend Backend
	Profile Profile
}

// VM is one PVM instance. Its methods must not be called from several goroutines at once;
// different VMs run in parallel freely.
type VM struct {
	handle  *C.pvm_vm_t
	self    cgo.Handle
	host    HostFunc
	regions [4]unsafe.Pointer // C memory shared with the guest: rw, ro, output, stack
	sizes   [4]uint32
}

// New creates a VM from the code bytes (set the bitmask, and the jump table if any, before
// executing), up to 13 initial registers and the initial pc.
func New(cfg Config, serviceIndex uint32, code []byte, regs []uint64, pc uint64) (*VM, error) {
	if len(regs) > 13 {
		return nil, errors.New("pvm: at most 13 registers")
	}
	if !cfg.Backend.Available() {
		return nil, fmt.Errorf("pvm: backend %s unavailable on this host", cfg.Backend)
	}
	var c C.pvm_config
	c.backend = C.pvm_backend(cfg.Backend)
	c.gp = C.pvm_gp(cfg.Profile)
	var codePtr *C.uint8_t
	if len(code) > 0 {
		codePtr = (*C.uint8_t)(unsafe.Pointer(&code[0]))
	}
	var regPtr *C.uint64_t
	if len(regs) > 0 {
		regPtr = (*C.uint64_t)(unsafe.Pointer(&regs[0]))
	}
	h := C.pvm_vm_create_ex(&c, C.uint32_t(serviceIndex), codePtr, C.size_t(len(code)), regPtr, C.size_t(len(regs)), C.uint64_t(pc))
	if h == nil {
		return nil, errors.New("pvm: cannot create the VM (bad arguments or out of memory)")
	}
	vm := &VM{handle: h}
	vm.self = cgo.NewHandle(vm)
	return vm, nil
}

// Close frees the VM and its memory regions. The VM must not be used afterwards.
func (vm *VM) Close() {
	if vm.handle == nil {
		return
	}
	C.pvm_vm_destroy(vm.handle)
	vm.handle = nil
	vm.self.Delete()
	for i, p := range vm.regions {
		C.free(p)
		vm.regions[i] = nil
	}
}

// refused tells whether the last seed-004 setter (which returns void) was refused: its reason is
// then in pvm_vm_last_error, which is empty after a call that worked.
func (vm *VM) refused() bool { return *C.pvm_vm_last_error(vm.handle) != 0 }

func (vm *VM) lastError(what string) error {
	return fmt.Errorf("pvm: %s: %s", what, C.GoString(C.pvm_vm_last_error(vm.handle)))
}

// SetBitmask sets the instruction-start bitmask: packed (ceil(len(code)/8) bytes, GP A.2) or one
// byte per code byte.
func (vm *VM) SetBitmask(bitmask []byte) error {
	var p *C.uint8_t
	if len(bitmask) > 0 {
		p = (*C.uint8_t)(unsafe.Pointer(&bitmask[0]))
	}
	if C.pvm_vm_set_bitmask(vm.handle, p, C.size_t(len(bitmask))); vm.refused() {
		return vm.lastError("bitmask")
	}
	return nil
}

// SetJumpTable sets the dynamic jump table (code offsets).
func (vm *VM) SetJumpTable(table []uint32) error {
	var p *C.uint32_t
	if len(table) > 0 {
		p = (*C.uint32_t)(unsafe.Pointer(&table[0]))
	}
	if C.pvm_vm_set_jump_table(vm.handle, p, C.size_t(len(table))); vm.refused() {
		return vm.lastError("jump table")
	}
	return nil
}

// SetMemoryRegions allocates the four regions (sizes: multiples of 4096; 0 for none) in memory
// shared with the guest, where a GP A.7 standard program has them: ro at 0x10000 (read-only), rw
// at 0x20000 + ro rounded up to 64 KiB (data and heap), the stack just below 0xFEFE0000, output at
// 0xFEFF0000 (read-only to the guest). The regions start zeroed; RW, RO, Output and Stack give
// them as byte slices that stay valid until the next SetMemoryRegions or Close.
func (vm *VM) SetMemoryRegions(rwSize, roSize, outputSize, stackSize uint32) error {
	sizes := [4]uint32{rwSize, roSize, outputSize, stackSize}
	var ptrs [4]unsafe.Pointer
	for i, n := range sizes {
		if n == 0 {
			continue
		}
		ptrs[i] = C.calloc(C.size_t(n), 1) // 16-byte aligned: the regions need 8
		if ptrs[i] == nil {
			for _, p := range ptrs {
				C.free(p)
			}
			return errors.New("pvm: out of memory for the regions")
		}
	}
	u := func(i int) *C.uint8_t { return (*C.uint8_t)(ptrs[i]) }
	if C.pvm_vm_set_memory_regions(vm.handle, u(0), C.uint32_t(rwSize), u(1), C.uint32_t(roSize), u(2),
		C.uint32_t(outputSize), u(3), C.uint32_t(stackSize)); vm.refused() {
		for _, p := range ptrs {
			C.free(p)
		}
		return vm.lastError("memory regions")
	}
	for _, p := range vm.regions {
		C.free(p)
	}
	vm.regions, vm.sizes = ptrs, sizes
	return nil
}

func (vm *VM) region(i int) []byte {
	if vm.regions[i] == nil {
		return nil
	}
	return unsafe.Slice((*byte)(vm.regions[i]), vm.sizes[i])
}

// RW, RO, Output and Stack are the shared regions: the guest sees writes to them at once, and
// they show the guest's writes.
func (vm *VM) RW() []byte     { return vm.region(0) }
func (vm *VM) RO() []byte     { return vm.region(1) }
func (vm *VM) Output() []byte { return vm.region(2) }
func (vm *VM) Stack() []byte  { return vm.region(3) }

// SetHostCallback installs the host functions (nil: ecalli returns HostCall from Execute).
func (vm *VM) SetHostCallback(f HostFunc) {
	vm.host = f
	if f == nil {
		C.vp_go_set_callback(vm.handle, 0)
	} else {
		C.vp_go_set_callback(vm.handle, C.uintptr_t(vm.self))
	}
}

//export goHostCallback
func goHostCallback(_ *C.pvm_vm_t, funcID C.int, handle C.uintptr_t) C.pvm_host_result_t {
	vm := cgo.Handle(handle).Value().(*VM)
	return C.pvm_host_result_t(vm.host(vm, int(funcID)))
}

// Execute runs from entryPoint (a pc) until an exit; host calls go to the host callback.
func (vm *VM) Execute(entryPoint uint32) Result {
	return Result(C.pvm_vm_execute(vm.handle, C.uint32_t(entryPoint)))
}

// Resume continues where the VM stopped (after an unanswered host call: after the ecalli).
func (vm *VM) Resume() Result { return Result(C.pvm_vm_resume(vm.handle)) }

func (vm *VM) SetGas(gas uint64)    { C.pvm_vm_set_gas(vm.handle, C.uint64_t(gas)) }
func (vm *VM) Gas() int64           { return int64(C.pvm_vm_get_gas(vm.handle)) }
func (vm *VM) PC() uint64           { return uint64(C.pvm_vm_get_pc(vm.handle)) }
func (vm *VM) MachineState() uint8  { return uint8(C.pvm_vm_get_machine_state(vm.handle)) }
func (vm *VM) ServiceIndex() uint32 { return uint32(C.pvm_vm_get_service_index(vm.handle)) }
func (vm *VM) HostCallIndex() uint32 {
	return uint32(C.pvm_vm_get_host_call(vm.handle))
}
func (vm *VM) FaultAddress() uint32 { return uint32(C.pvm_vm_get_fault_address(vm.handle)) }

func (vm *VM) ReadRegister(idx int) uint64 {
	return uint64(C.pvm_vm_get_register(vm.handle, C.int(idx)))
}
func (vm *VM) WriteRegister(idx int, value uint64) {
	C.pvm_vm_set_register(vm.handle, C.int(idx), C.uint64_t(value))
}

// Registers returns a copy of the 13 registers.
func (vm *VM) Registers() [13]uint64 {
	var r [13]uint64
	copy(r[:], unsafe.Slice((*uint64)(unsafe.Pointer(C.pvm_vm_get_registers(vm.handle))), 13))
	return r
}

// GetHeapPointer is the lowest unmapped page at or above the rw base; the guest's sbrk grows the
// heap from there, never past the rw region.
func (vm *VM) GetHeapPointer() uint32 { return uint32(C.pvm_vm_get_heap_pointer(vm.handle)) }
func (vm *VM) SetHeapPointer(p uint32) error {
	if C.pvm_vm_set_heap_pointer(vm.handle, C.uint32_t(p)); vm.refused() {
		return vm.lastError("heap pointer")
	}
	return nil
}

// MapPages sets the access of the pages touching [addr, addr+length) outside the regions.
func (vm *VM) MapPages(addr, length uint32, access Access) error {
	if C.pvm_vm_map_pages(vm.handle, C.uint32_t(addr), C.uint32_t(length), C.pvm_access(access)) != 0 {
		return vm.lastError("map pages")
	}
	return nil
}

// ReadMemory copies guest memory (readable pages only).
func (vm *VM) ReadMemory(addr uint32, dst []byte) error {
	if len(dst) == 0 {
		return nil
	}
	if C.pvm_vm_read_memory(vm.handle, C.uint32_t(addr), unsafe.Pointer(&dst[0]), C.uint32_t(len(dst))) != 0 {
		return vm.lastError("read memory")
	}
	return nil
}

// WriteMemory copies into guest memory (any mapped page, read-only ones too: for loaders).
func (vm *VM) WriteMemory(addr uint32, src []byte) error {
	if len(src) == 0 {
		return nil
	}
	if C.pvm_vm_write_memory(vm.handle, C.uint32_t(addr), unsafe.Pointer(&src[0]), C.uint32_t(len(src))) != 0 {
		return vm.lastError("write memory")
	}
	return nil
}
