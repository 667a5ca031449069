package pvm

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// ---- the JAM PVM vectors, on both backends, from several goroutines ----

type vector struct {
	Name          string   `json:"name"`
	InitialRegs   []uint64 `json:"initial-regs"`
	InitialPC     uint64   `json:"initial-pc"`
	InitialGas    int64    `json:"initial-gas"`
	InitialMemory []chunk  `json:"initial-memory"`
	PageMap       []struct {
		Address  uint32 `json:"address"`
		Length   uint32 `json:"length"`
		Writable bool   `json:"is-writable"`
	} `json:"initial-page-map"`
	Program        []byte   `json:"-"`
	RawProgram     []int    `json:"program"`
	ExpectedStatus string   `json:"expected-status"`
	ExpectedRegs   []uint64 `json:"expected-regs"`
	ExpectedPC     uint64   `json:"expected-pc"`
	ExpectedGas    int64    `json:"expected-gas"`
	ExpectedMemory []chunk  `json:"expected-memory"`
	FaultAddress   uint32   `json:"expected-page-fault-address"`
}

type chunk struct {
	Address  uint32 `json:"address"`
	Contents []int  `json:"contents"`
}

func bytesOf(v []int) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return b
}

// natural decodes GP C.6's natural-number encoding.
func natural(b []byte, i int) (uint64, int) {
	x := b[i]
	n := 0
	for n < 8 && x&(0x80>>n) != 0 {
		n++
	}
	var rest uint64
	for k := 0; k < n; k++ {
		rest |= uint64(b[i+1+k]) << (8 * k)
	}
	if n == 8 {
		return rest, i + 9
	}
	return uint64(x&(0xFF>>(n+1)))<<(8*n) + rest, i + 1 + n
}

// deblob splits a GP A.2 program blob into code, bitmask and jump table.
func deblob(p []byte) (code, bitmask []byte, jumps []uint32) {
	jn, i := natural(p, 0)
	z := int(p[i])
	cn, i := natural(p, i+1)
	for k := 0; k < int(jn); k++ {
		var e uint32
		for b := 0; b < z; b++ {
			e |= uint32(p[i+k*z+b]) << (8 * b)
		}
		jumps = append(jumps, e)
	}
	i += z * int(jn)
	return p[i : i+int(cn)], p[i+int(cn):], jumps
}

func vectorsDir() string {
	if d := os.Getenv("PVM_VECTORS_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "pvm-vectors", "programs")
}

func loadVectors(t *testing.T) []vector {
	files, _ := filepath.Glob(filepath.Join(vectorsDir(), "*.json"))
	if len(files) == 0 {
		t.Skipf("no PVM vectors in %s (set PVM_VECTORS_DIR)", vectorsDir())
	}
	var vs []vector
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v vector
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		v.Program = bytesOf(v.RawProgram)
		vs = append(vs, v)
	}
	return vs
}

func runVector(b Backend, v *vector) string {
	code, bitmask, jumps := deblob(v.Program)
	vm, err := New(Config{Backend: b}, 0, code, v.InitialRegs, v.InitialPC)
	if err != nil {
		return err.Error()
	}
	defer vm.Close()
	if err := vm.SetBitmask(bitmask); err != nil {
		return err.Error()
	}
	if err := vm.SetJumpTable(jumps); err != nil {
		return err.Error()
	}
	for _, p := range v.PageMap {
		a := ReadOnly
		if p.Writable {
			a = ReadWrite
		}
		if err := vm.MapPages(p.Address, p.Length, a); err != nil {
			return err.Error()
		}
	}
	for _, c := range v.InitialMemory {
		if err := vm.WriteMemory(c.Address, bytesOf(c.Contents)); err != nil {
			return err.Error()
		}
	}
	vm.SetGas(uint64(v.InitialGas))
	r := vm.Execute(uint32(v.InitialPC))
	want := map[string]Result{"halt": OK, "panic": Panic, "page-fault": PageFault}[v.ExpectedStatus]
	switch {
	case r != want:
		return "status " + r.String() + ", want " + v.ExpectedStatus
	case vm.Gas() != v.ExpectedGas:
		return "gas"
	case vm.PC() != v.ExpectedPC:
		return "pc"
	case r == PageFault && vm.FaultAddress() != v.FaultAddress:
		return "fault address"
	}
	regs := vm.Registers()
	for i := range regs {
		if regs[i] != v.ExpectedRegs[i] || vm.ReadRegister(i) != v.ExpectedRegs[i] {
			return "registers"
		}
	}
	for _, c := range v.ExpectedMemory {
		got := make([]byte, len(c.Contents))
		if err := vm.ReadMemory(c.Address, got); err != nil || string(got) != string(bytesOf(c.Contents)) {
			return "memory"
		}
	}
	return ""
}

func backends(t *testing.T) []Backend {
	bs := []Backend{Interpreter}
	if Recompiler.Available() {
		bs = append(bs, Recompiler)
	} else {
		t.Log("recompiler unavailable on this host")
	}
	return bs
}

func TestVectorsFromGoroutines(t *testing.T) {
	vs := loadVectors(t)
	const workers = 4
	for _, b := range backends(t) {
		var wg sync.WaitGroup
		failures := make([][]string, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := w; i < len(vs); i += workers {
					if msg := runVector(b, &vs[i]); msg != "" {
						failures[w] = append(failures[w], vs[i].Name+": "+msg)
					}
				}
			}(w)
		}
		wg.Wait()
		n := 0
		for _, f := range failures {
			for _, m := range f {
				t.Errorf("%s: %s", b, m)
				n++
			}
		}
		t.Logf("%s: %d/%d vectors pass", b, len(vs)-n, len(vs))
	}
}

// ---- a host-call program ----

type asm struct {
	code, starts []byte
}

func (a *asm) op(op byte, operands ...byte) uint32 {
	pc := uint32(len(a.code))
	a.code = append(a.code, op)
	a.starts = append(a.starts, 1)
	a.code = append(a.code, operands...)
	a.starts = append(a.starts, make([]byte, len(operands))...)
	return pc
}

func imm32(x uint32) []byte { return binary.LittleEndian.AppendUint32(nil, x) }

func (a *asm) ecalli(i uint32) uint32          { return a.op(10, imm32(i)...) }
func (a *asm) loadImm(r byte, x uint32) uint32 { return a.op(51, append([]byte{r}, imm32(x)...)...) }
func (a *asm) load(d, base byte, off uint32) uint32 {
	return a.op(130, append([]byte{d | base<<4}, imm32(off)...)...)
}
func (a *asm) add(d, x, y byte) uint32 { return a.op(200, x|y<<4, d) }
func (a *asm) sbrk(d, size byte) uint32 { return a.op(101, d|size<<4) }
func (a *asm) ret() uint32              { return a.op(50, 0) }

const (
	rwBase   = 0x20000 // no ro region: 0x20000 + Z(0)
	rwSize   = 4 * 4096
	haltAddr = 0xFFFF0000
)

// main: A0 = rwBase; fetch (the host writes its id at A0); A2 = u64 [A0]; log A2; A0 = A2 + A2; ret.
// grow: A0 = sbrk(A1); ret.
// term: ecalli 3; then: ecalli 4.
func hostProgram() (a asm, main, grow, term uint32) {
	main = a.loadImm(7, rwBase)
	a.ecalli(1)
	a.loadImm(12, rwBase)
	a.load(9, 12, 0)
	a.ecalli(2)
	a.add(7, 9, 9)
	a.ret()
	grow = a.sbrk(7, 8)
	a.ret()
	term = a.ecalli(3)
	a.op(0)
	a.ecalli(4)
	a.ret()
	return
}

type hostState struct {
	id     uint64
	logged []uint64
}

func newHostVM(t *testing.T, b Backend, st *hostState) (*VM, uint32, uint32, uint32) {
	a, main, grow, term := hostProgram()
	vm, err := New(Config{Backend: b}, 7, a.code, []uint64{haltAddr}, uint64(main))
	if err != nil {
		t.Fatal(err)
	}
	if err := vm.SetBitmask(a.starts); err != nil {
		t.Fatal(err)
	}
	if err := vm.SetMemoryRegions(rwSize, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	vm.SetHostCallback(func(vm *VM, funcID int) HostResult {
		if vm.MachineState() != StateHost {
			return Error
		}
		switch funcID {
		case 1: // fetch: WriteRAMBytes-style bounds check against the heap pointer
			addr := uint32(vm.ReadRegister(7))
			if addr < rwBase || addr+8 > vm.GetHeapPointer() {
				return Error
			}
			binary.LittleEndian.PutUint64(vm.RW()[addr-rwBase:], st.id)
			vm.WriteRegister(7, 8)
			return Continue
		case 2:
			st.logged = append(st.logged, vm.Registers()[9])
			return Continue
		case 3:
			return Terminate
		}
		return Error
	})
	return vm, main, grow, term
}

func TestHostCallsFromGoroutines(t *testing.T) {
	for _, b := range backends(t) {
		var wg sync.WaitGroup
		errs := make(chan string, 64)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				st := &hostState{}
				vm, main, _, _ := newHostVM(t, b, st)
				defer vm.Close()
				for i := 0; i < 50; i++ {
					st.id = uint64(g*1000 + i)
					vm.WriteRegister(0, haltAddr)
					vm.SetGas(1000)
					if r := vm.Execute(main); r != OK {
						errs <- "result " + r.String()
						return
					}
					if vm.ReadRegister(7) != 2*st.id || len(st.logged) != i+1 || st.logged[i] != st.id {
						errs <- "wrong host-call results"
						return
					}
					if binary.LittleEndian.Uint64(vm.RW()) != st.id {
						errs <- "the host's write is not in the shared rw region"
						return
					}
				}
			}(g)
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Errorf("%s: %s", b, e)
		}
	}
}

func TestHostResultsHeapAndState(t *testing.T) {
	for _, b := range backends(t) {
		st := &hostState{id: 5}
		vm, main, grow, term := newHostVM(t, b, st)
		if vm.ServiceIndex() != 7 || vm.MachineState() != StateReady {
			t.Errorf("%s: service index %d, state %d", b, vm.ServiceIndex(), vm.MachineState())
		}
		// Terminate halts at the ecalli; an unknown host function panics.
		vm.SetGas(100)
		if r := vm.Execute(term); r != OK || vm.PC() != uint64(term) || vm.MachineState() != StateHalt {
			t.Errorf("%s: terminate: %s at %d", b, r, vm.PC())
		}
		vm.SetGas(100)
		if r := vm.Execute(term + 6); r != Panic || vm.MachineState() != StatePanic {
			t.Errorf("%s: host error: %s", b, r)
		}
		// Without a callback the VM stops at each ecalli; Resume continues after it.
		vm.SetHostCallback(nil)
		vm.WriteRegister(0, haltAddr)
		vm.SetGas(100)
		if r := vm.Execute(main); r != HostCall || vm.HostCallIndex() != 1 {
			t.Errorf("%s: no callback: %s", b, r)
		}
		vm.RW()[0] = 9
		if r := vm.Resume(); r != HostCall || vm.HostCallIndex() != 2 || vm.ReadRegister(9) != 9 {
			t.Errorf("%s: resume: %s, A2 = %d", b, r, vm.ReadRegister(9))
		}
		if r := vm.Resume(); r != OK || vm.ReadRegister(7) != 18 {
			t.Errorf("%s: resume to the end: %s", b, r)
		}
		// Heap pointer: lowered, then the guest's sbrk maps pages of the rw region again.
		if vm.GetHeapPointer() != rwBase+rwSize {
			t.Errorf("%s: heap pointer %#x", b, vm.GetHeapPointer())
		}
		if err := vm.SetHeapPointer(rwBase + 4096); err != nil {
			t.Fatal(err)
		}
		vm.WriteRegister(8, 4096)
		vm.WriteRegister(0, haltAddr)
		vm.SetGas(100)
		if r := vm.Execute(grow); r != OK || vm.ReadRegister(7) != rwBase+4096 || vm.GetHeapPointer() != rwBase+8192 {
			t.Errorf("%s: sbrk: %s, %#x, heap %#x", b, r, vm.ReadRegister(7), vm.GetHeapPointer())
		}
		vm.RW()[4096] = 0x42
		got := make([]byte, 1)
		if err := vm.ReadMemory(rwBase+4096, got); err != nil || got[0] != 0x42 {
			t.Errorf("%s: the sbrk'd page is not the rw region's: %v %v", b, err, got)
		}
		if err := vm.SetHeapPointer(rwBase + rwSize + 8192); err == nil {
			t.Errorf("%s: a heap pointer past the rw region was accepted", b)
		}
		// Out of gas leaves the gas as it was.
		vm.SetGas(1)
		if r := vm.Execute(main); r != OutOfGas || vm.Gas() != 1 || vm.MachineState() != StateOOG {
			t.Errorf("%s: out of gas: %s, gas %d", b, r, vm.Gas())
		}
		if err := vm.SetBitmask([]byte{1}); err == nil {
			t.Errorf("%s: a bitmask of the wrong length was accepted", b)
		}
		vm.Close()
		vm.Close() // twice is harmless
	}
	if _, err := New(Config{}, 0, nil, make([]uint64, 14), 0); err == nil {
		t.Error("14 registers accepted")
	}
}
