// DPI-C functions the platform exports to RTL masters (models/rtl/dpi.h).
// Accesses never block the RTL: a call returns VP_DPI_OK (0) with the result
// when it could be served at once (memories, through DMI), VP_DPI_PENDING (1)
// when it was queued for the platform's SystemC thread, or VP_DPI_ERROR (-1).
// After PENDING, call vp_dpi_poll every cycle until it stops returning PENDING.
import "DPI-C" function int vp_dpi_read(input longint addr, input int size, output longint data);
import "DPI-C" function int vp_dpi_write(input longint addr, input int size, input longint data);
import "DPI-C" function int vp_dpi_poll(output longint data);
import "DPI-C" function longint vp_dpi_time_ps();
