module vp/pvm

go 1.19
