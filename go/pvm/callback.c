// The C side of host callbacks: pvm_vm.h calls this, which calls the exported Go function with the
// cgo.Handle (an integer) that user_data carries.
#include "_cgo_export.h"

pvm_host_result_t vp_go_trampoline(pvm_vm_t *vm, int func_id, void *user_data) {
    return (pvm_host_result_t)goHostCallback(vm, func_id, (uintptr_t)user_data);
}

void vp_go_set_callback(pvm_vm_t *vm, uintptr_t handle) {
    pvm_vm_set_host_callback(vm, handle ? vp_go_trampoline : NULL, (void *)handle);
}
